import { InputError } from '../errors.js';
import type { DeviceView, ServiceEstimator } from '../devices/device.js';

/**
 * A policy's own account of the work it sent to each replica and that has not finished yet, in
 * predicted seconds (predicted lengths, the replica's profile estimate). Policies cannot see true
 * lengths, so they estimate queues this way rather than asking devices.
 */
export interface Backlog {
  /** Records request `id` routed to replica `device` with predicted service `serviceS` and queue key `key`. */
  add(id: number, device: number, serviceS: number, key?: number): void;
  /** Request `id` finished: its predicted work leaves its replica's backlog. */
  finish(id: number): void;
  /**
   * Predicted seconds of outstanding work on `device` served before a newcomer with queue key
   * `key`: all of it for FCFS (key undefined), else the work whose key is not larger (a linear
   * scan of the replica's outstanding requests: O(outstanding)).
   */
  aheadS(device: number, key?: number): number;
  /**
   * Predicted completion, s from now, of a request with predicted service `serviceS` (and queue
   * key `key`) sent to `device` now: the work ahead of it spread over the replica's capacity, then
   * the request itself. Rough for batching replicas (a batch of b takes longer than one request);
   * it ignores how much of a running request is already done.
   */
  finishInS(device: DeviceView, serviceS: number, key?: number): number;
}

/** A Backlog for `requests` requests; replicas are counted as they appear. */
export function createBacklog(requests: number): Backlog {
  const routedTo = new Int32Array(requests).fill(-1);
  const work = new Float64Array(requests);
  const keys = new Float64Array(requests);
  const slot = new Int32Array(requests); // position of the id in its replica's list
  const lists: number[][] = [];
  const totals: number[] = [];
  const aheadS = (device: number, key?: number): number => {
    if (device >= lists.length) return 0;
    if (key === undefined) return totals[device]!;
    let sum = 0;
    for (const id of lists[device]!) if (keys[id]! <= key) sum += work[id]!;
    return sum;
  };
  return {
    add(id, device, serviceS, key = 0) {
      while (lists.length <= device) {
        lists.push([]);
        totals.push(0);
      }
      routedTo[id] = device;
      work[id] = serviceS;
      keys[id] = key;
      slot[id] = lists[device]!.length;
      lists[device]!.push(id);
      totals[device]! += serviceS;
    },
    finish(id) {
      const d = routedTo[id]!;
      if (d < 0) return;
      // Swap-remove from the replica's list.
      const list = lists[d]!;
      const last = list.pop()!;
      if (last !== id) {
        list[slot[id]!] = last;
        slot[last] = slot[id]!;
      }
      // Clamp at 0: summing and subtracting floats must not leave a tiny negative backlog.
      totals[d] = list.length === 0 ? 0 : Math.max(0, totals[d]! - work[id]!);
      routedTo[id] = -1;
    },
    aheadS,
    finishInS: (device, serviceS, key) => aheadS(device.index, key) / device.capacity + serviceS,
  };
}

/** The replica's service estimator, or an InputError naming the policy that needs one. */
export function estimatorOf(device: DeviceView, policy: string): ServiceEstimator {
  if (!device.estimate) {
    throw new InputError({ field: 'policy.name' }, `expected replicas whose profile estimates service time for policy "${policy}", found ${device.name} (kind ${device.kind}) without one`);
  }
  return device.estimate;
}
