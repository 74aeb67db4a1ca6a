/**
 * Stale routing signals (BLIS `--snapshot-refresh-interval`, llm-d's metrics refresh): with
 * `policy.params.refreshS`, a policy sees each replica's load as it was at the last refresh
 * instant k x refreshS, not as it is. Every registered policy takes the parameter (off by default).
 */
import { z } from 'zod';
import type { DeviceView } from '../devices/device.js';
import { MAX_TIME_S } from '../limits.js';
import type { ClusterView, PolicyDefinition } from './policy.js';

/** The `refreshS` parameter every policy accepts. */
export const refreshSParam = z
  .number()
  .positive()
  .max(MAX_TIME_S)
  .optional()
  .describe(
    'Stale signals: the policy sees queued, running and KV utilization of every replica as snapshots taken every refreshS seconds (llm-d and BLIS refresh every 0.05 s); prefix-cache lookups stay current. Default: always current',
  );

/** The definition with `refreshS` added to its parameters (a strict object schema). */
export function withRefreshParam<P>(def: PolicyDefinition<P>): PolicyDefinition<P> {
  const params = def.params as unknown as z.ZodObject;
  if (!(params instanceof z.ZodObject)) throw new Error(`policy ${def.name}: params must be an object schema`);
  return { ...def, params: params.extend({ refreshS: refreshSParam }) as unknown as z.ZodType<P> };
}

/** The `refreshS` of parsed policy parameters, if set. */
export function refreshSOf(params: unknown): number | undefined {
  const v = (params as { refreshS?: unknown } | null | undefined)?.refreshS;
  return typeof v === 'number' ? v : undefined;
}

/** A cluster view whose load signals change only when `refresh()` is called. */
export interface StaleSignals {
  readonly cluster: ClusterView;
  /** Snapshots every replica's queued, running and KV utilization now. */
  refresh(): void;
}

/**
 * Stale views over `devices` (filled in later by the simulation: the views are built at the first
 * refresh). Static fields and the prefix-cache lookup pass through; queued(), running() and
 * kvUtilization() return the last snapshot.
 */
export function staleSignals(devices: readonly DeviceView[], nowS: () => number): StaleSignals {
  const views: DeviceView[] = [];
  let q = new Float64Array(0), r = new Float64Array(0), kv = new Float64Array(0);
  const cluster: ClusterView = { devices: views, nowS };
  return {
    cluster,
    refresh() {
      if (views.length !== devices.length) {
        q = new Float64Array(devices.length);
        r = new Float64Array(devices.length);
        kv = new Float64Array(devices.length);
        views.length = 0;
        for (const d of devices) views.push(staleView(d));
      }
      for (let i = 0; i < devices.length; i++) {
        const d = devices[i]!;
        q[i] = d.queued();
        r[i] = d.running();
        kv[i] = d.kvUtilization?.() ?? 0;
      }
    },
  };

  function staleView(d: DeviceView): DeviceView {
    const i = d.index;
    return {
      index: d.index,
      name: d.name,
      group: d.group,
      kind: d.kind,
      model: d.model,
      capacity: d.capacity,
      accuracy: d.accuracy,
      gpus: d.gpus,
      estimate: d.estimate,
      ...(d.role && { role: d.role }),
      queued: () => q[i]!,
      running: () => r[i]!,
      ...(d.kvUtilization && { kvUtilization: () => kv[i]! }),
      ...(d.cachedPrefixTokens && { cachedPrefixTokens: d.cachedPrefixTokens.bind(d) }),
    };
  }
}
