/**
 * The request lifecycle: queued -> running -> first token -> done, or rejected, or aborted.
 * Devices report the stages; this object alone writes them into the RecordTable and calls the
 * policy's finish hook, so the rules (a restart keeps the first start, a request ends once) live
 * in one place, where handing a request to another device or cancelling it will be added.
 * Plain method calls on one object: nothing is allocated per stage.
 */
import { STATUS_PENDING, type RecordTable } from '../metrics/records.js';

/** Where devices report each request's stages; simulate() creates one per run. */
export interface Lifecycle {
  /**
   * queued -> running on replica `deviceIndex`. The first start sets startS; a restart after a
   * preemption keeps it, so queueing delay is the wait before the first start. The replica is
   * recorded at every start: the one serving the request now. `cachedTokens`: prompt tokens the
   * first start found in the prefix cache (a restart's hits are not counted again).
   */
  started(rid: number, deviceIndex: number, timeS: number, cachedTokens?: number): void;
  /** running -> first token: records firstTokenS (once; a recompute after a preemption does not emit it again). */
  firstToken(rid: number, timeS: number): void;
  /** running -> done: records finishS and the finished status, then calls the policy's finish hook once. */
  finished(rid: number, timeS: number): void;
  /** Refused before service (no device, or it could never fit): recorded as rejected with `reason`. */
  rejected(rid: number, reason: string): void;
  /**
   * Queued or running -> ended without finishing (it stopped fitting): recorded as a rejection
   * whose reason reads `aborted: <reason>`, so aborts group apart from admission refusals.
   */
  aborted(rid: number, reason: string): void;
  /**
   * Queued or running -> timed out: the client gave up at `timeS` (its timeout). Not finished,
   * not rejected; its tokens so far are not counted as output.
   */
  timedOut(rid: number, timeS: number): void;
  /** True until the request finished, was rejected or aborted, or timed out. */
  isPending(rid: number): boolean;
  /** True once the request started service (a queued request has not). */
  hasStarted(rid: number): boolean;
  /**
   * The client gave up at `timeS` while the request was in service: the device stops it when it
   * can (a batching replica at its next iteration boundary; others when the service ends), and
   * that end is recorded as timed out at `timeS`: `finished` then records a time-out instead.
   */
  abandon(rid: number, timeS: number): void;
  /** True when the client gave up on the request in service. */
  abandoned(rid: number): boolean;
  /** running -> queued, to be recomputed: counts one preemption. */
  preempted(rid: number): void;
  /** Adds `energyJ` to the request's energy share (a request not yet finished or rejected). */
  chargeEnergy(rid: number, energyJ: number): void;
  /**
   * True when a device may keep the energy of a request it is running itself: read it with
   * `energyOf` when the request joins, add the charges in their order, and give the sum back with
   * `settleEnergy` before the request leaves or ends (the same additions on the same number, so the
   * same result). False when every charge must come through `chargeEnergy` as it happens (the
   * fleet's carbon accounting prices each charge at its time).
   */
  readonly keptEnergy: boolean;
  /** The request's energy share so far (for a device that keeps it: `keptEnergy`). */
  energyOf(rid: number): number;
  /** Sets the request's energy share to `energyJ`, the sum a device kept since `energyOf` (a request not yet ended). */
  settleEnergy(rid: number, energyJ: number): void;
  /** Throws unless every request finished or was rejected: a device lost one. */
  checkSettled(): void;
}

/**
 * The lifecycle of one run over `records`; `onFinish` is the policy's hook (policies learn from
 * finishes), `onEnd` is called once whatever way a request ends (a closed-loop client's next turn).
 */
export function createLifecycle(records: RecordTable, onFinish?: (rid: number) => void, onEnd?: (rid: number) => void): Lifecycle {
  const abandonedAt = new Map<number, number>(); // rare: a map is fine, looked up only when not empty
  // The imported constant copied here: read from its module it was a cell load and a TDZ check at
  // every call of the hot check below; a constant of this closure's context is folded in.
  const PENDING = STATUS_PENDING;
  const pending = (rid: number, stage: string) => {
    if (records.status[rid] !== PENDING) notPending(rid, stage);
  };
  return {
    started(rid, deviceIndex, timeS, cachedTokens = 0) {
      pending(rid, 'started');
      if (Number.isNaN(records.startS[rid]!)) {
        records.startS[rid] = timeS;
        records.cachedTokens[rid] = cachedTokens;
      }
      records.device[rid] = deviceIndex;
    },
    firstToken(rid, timeS) {
      pending(rid, 'first token');
      if (abandonedAt.size !== 0 && abandonedAt.has(rid)) return; // nobody is listening any more
      if (!Number.isNaN(records.firstTokenS[rid]!)) throw new Error(`request ${rid}: a second first token`);
      records.firstTokenS[rid] = timeS;
    },
    finished(rid, timeS) {
      const gaveUp = abandonedAt.size === 0 ? undefined : abandonedAt.get(rid);
      if (gaveUp !== undefined) {
        records.timeOut(rid, gaveUp);
        abandonedAt.delete(rid);
      } else {
        records.finish(rid, timeS);
        onFinish?.(rid);
      }
      onEnd?.(rid);
    },
    rejected(rid, reason) {
      records.reject(rid, reason);
      onEnd?.(rid);
    },
    aborted(rid, reason) {
      records.reject(rid, `aborted: ${reason}`);
      onEnd?.(rid);
    },
    timedOut(rid, timeS) {
      records.timeOut(rid, abandonedAt.get(rid) ?? timeS);
      abandonedAt.delete(rid);
      onEnd?.(rid);
    },
    isPending: (rid) => records.status[rid] === PENDING,
    hasStarted: (rid) => !Number.isNaN(records.startS[rid]!),
    abandon(rid, timeS) {
      pending(rid, 'abandoned');
      abandonedAt.set(rid, timeS);
    },
    abandoned: (rid) => abandonedAt.size !== 0 && abandonedAt.has(rid),
    preempted(rid) {
      pending(rid, 'preempted');
      records.preemptions[rid]! += 1;
    },
    chargeEnergy(rid, energyJ) {
      pending(rid, 'energy charged');
      records.energyJ[rid]! += energyJ;
    },
    keptEnergy: true,
    energyOf: (rid) => records.energyJ[rid]!,
    settleEnergy(rid, energyJ) {
      pending(rid, 'energy settled');
      records.energyJ[rid] = energyJ;
    },
    checkSettled() {
      for (let i = 0; i < records.size; i++) {
        if (records.status[i] === PENDING) throw new Error(`request ${i} neither finished nor was rejected: a device lost it`);
      }
    },
  };
}

/**
 * Throws: request `rid` reached `stage` after it ended (a device bug). A function of its own, called
 * only then: with the message written in the check, the optimizing compiler converted `rid` to text
 * on every call of that hot check (about 5% of a 16-replica batching run's CPU time).
 */
function notPending(rid: number, stage: string): never {
  throw new Error(`request ${rid}: ${stage} after it finished or was rejected`);
}
