import { createHash } from 'node:crypto';
import { InputError, formatInputError } from '../errors.js';
import { checkScenario, prepareRun, type LoadedScenario } from '../scenario/load.js';
import { meanConfidenceInterval } from '../metrics/stats.js';
import { MAX_REPLICAS } from '../limits.js';
import { candidateEntry, metricOf, type Candidate, type Target } from './spec.js';
import type { FlatMetrics } from '../sweep/metrics.js';
import { groupPrice, type GroupPrice } from '../fleet/pricing.js';

/** What `llmsim capacity` searches for. */
export type CapacityMode =
  /** Fewest replicas of the group for a given arrival rate. */
  | { readonly kind: 'min-replicas'; readonly rate: number; readonly maxReplicas: number }
  /** Highest arrival rate the scenario's replica count sustains. */
  | { readonly kind: 'max-rate'; readonly replicas: number; readonly tolerance: number };

/** A capacity search fully specified and validated. */
export interface CapacityPlan {
  readonly name: string;
  readonly file: string;
  readonly baseDir: string;
  readonly mode: CapacityMode;
  readonly targets: readonly Target[];
  readonly candidates: readonly PlannedCandidate[];
  readonly seeds: readonly number[];
  readonly level: number;
  /** The field the arrival rate is set at: `workload.synthetic.arrival.rateRps`, or `workload.rateScale` for a trace. */
  readonly rateField: 'workload.synthetic.arrival.rateRps' | 'workload.rateScale';
  /** The scenario's own rate (synthetic rateRps, or rateScale, default 1). */
  readonly scenarioRate: number;
  readonly fingerprint: string;
}

/** A candidate with its scenario data (replicas and rate still to set) and its GPUs per replica. */
export interface PlannedCandidate extends Candidate {
  readonly index: number;
  readonly data: Readonly<Record<string, unknown>>;
  /** GPUs of one replica (the profile's `gpus`: tensor x pipeline parallel), when the profile says. */
  readonly gpusPerReplica: number | null;
  /** USD per GPU-hour of the sized group: `fleet.groups.<name>.pricePerGpuHour`, else its hardware file's (src/fleet/pricing.ts). */
  readonly pricePerGpuHour: number | null;
  /** Where that price comes from: `scenario`, or the hardware file and its page; null without a price. */
  readonly priceSource: string | null;
}

/** Journal slots per candidate: no search probes more values than this (replicas: ~30, rates: ~60). */
export const MAX_PROBES = 128;

/**
 * Builds the plan: every candidate's scenario is validated and its files loaded (as a sweep's
 * preflight does) before anything is written, so a bad group reads as `llmsim run` reports it.
 */
export function planCapacity(loaded: LoadedScenario, o: { mode: CapacityMode; targets: readonly Target[]; candidates: readonly Candidate[]; seeds: number; level: number }): CapacityPlan {
  const { file, baseDir, source, scenario } = loaded;
  const { sweep: _omit, ...base } = source!.data as Record<string, unknown>;
  const synthetic = scenario.workload.synthetic !== undefined;
  const rateField = synthetic ? 'workload.synthetic.arrival.rateRps' : 'workload.rateScale';
  const scenarioRate = synthetic ? (scenario.workload.synthetic!.arrival as { rateRps: number }).rateRps : scenario.workload.rateScale ?? 1;
  if (scenario.workload.sessions !== undefined) throw new InputError({ file, field: 'workload.sessions' }, 'expected a synthetic or trace workload (capacity sets its arrival rate), found sessions');
  const cluster = base.cluster as { devices: Record<string, unknown>[] };
  const candidates = o.candidates.map((c, index): PlannedCandidate => {
    const devices = cluster.devices.slice();
    devices[0] = candidateEntry(devices[0]!, c);
    const data = { ...base, cluster: { ...cluster, devices } };
    let gpus: number | null = null;
    let price: GroupPrice | undefined;
    try {
      const at = withKnobs(data, rateField, o.mode.kind === 'min-replicas' ? o.mode.rate : scenarioRate, o.mode.kind === 'min-replicas' ? 1 : o.mode.replicas, scenario.seed);
      const checked = checkScenario(at, { file, baseDir, source: c.label === 'scenario' ? source : undefined });
      const input = prepareRun(checked);
      gpus = input.cluster[0]?.gpus ?? null;
      price = groupPrice(checked.scenario.fleet?.groups[checked.scenario.cluster.devices[0]!.name]?.pricePerGpuHour, input.cluster[0]?.hardware);
    } catch (err) {
      if (!(err instanceof InputError) || c.label === 'scenario') throw err;
      const message = err.message.slice(formatInputError(err.location, '').length);
      throw new InputError({ ...err.location, field: '--group' }, `in group "${c.label}" (${err.location.field ?? 'cluster.devices[0]'}): ${message}`);
    }
    return { ...c, index, data, gpusPerReplica: gpus, pricePerGpuHour: price?.usdPerGpuHour ?? null, priceSource: price?.source ?? null };
  });
  if (o.mode.kind === 'min-replicas' && o.mode.maxReplicas > MAX_REPLICAS) throw new InputError({ field: '--max-replicas' }, `expected <= ${MAX_REPLICAS}, found ${o.mode.maxReplicas}`);
  const seeds = Array.from({ length: o.seeds }, (_, k) => scenario.seed + k);
  if (seeds.at(-1)! > 2 ** 32 - 1) throw new InputError({ field: '--seeds' }, `expected seed + seeds - 1 <= ${2 ** 32 - 1}, found ${seeds.at(-1)}`);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ base, mode: o.mode, targets: o.targets, candidates: o.candidates, seeds, level: o.level, rateField }))
    .digest('hex')
    .slice(0, 16);
  return { name: scenario.name, file, baseDir, mode: o.mode, targets: o.targets, candidates, seeds, level: o.level, rateField, scenarioRate, fingerprint };
}

/** Scenario data with the arrival rate, the first group's replicas and the seed set. */
export function withKnobs(data: Readonly<Record<string, unknown>>, rateField: CapacityPlan['rateField'], rate: number, replicas: number, seed: number): Record<string, unknown> {
  const cluster = data.cluster as { devices: Record<string, unknown>[] };
  const devices = cluster.devices.slice();
  devices[0] = { ...devices[0]!, replicas };
  const workload = { ...(data.workload as Record<string, unknown>) };
  if (rateField === 'workload.rateScale') workload.rateScale = rate;
  else {
    const synthetic = workload.synthetic as Record<string, unknown>;
    workload.synthetic = { ...synthetic, arrival: { ...(synthetic.arrival as Record<string, unknown>), rateRps: rate } };
  }
  return { ...data, seed, workload, cluster: { ...cluster, devices } };
}

/** The journal's run number of (candidate, probe k, seed index s). */
export function runNumber(plan: CapacityPlan, candidate: number, probe: number, s: number): number {
  return (candidate * MAX_PROBES + probe) * plan.seeds.length + s;
}

/** One target at one probe: mean over seeds with its confidence interval. */
export interface TargetOutcome {
  readonly mean: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly pass: boolean;
  /** The interval lies wholly on one side of the bound (with one seed: never). */
  readonly sure: boolean;
}

/** A probe's verdict: each target, and all of them together. */
export interface ProbeVerdict {
  readonly targets: readonly TargetOutcome[];
  readonly pass: boolean;
  readonly sure: boolean;
}

/**
 * Judges one probe from its seeds' metrics: a target holds when the mean over seeds meets its
 * bound; a run where the metric is undefined (no finished request, or TTFT on a device that does
 * not stream) fails it. `sure` says whether the confidence interval of every deciding target
 * excludes the bound: the verdict would not change with more seeds at this confidence.
 */
export function judge(targets: readonly Target[], runs: readonly FlatMetrics[], level: number): ProbeVerdict {
  const outcomes = targets.map((t): TargetOutcome => {
    const values = runs.map((m) => metricOf(m, t.metric));
    if (values.some((v) => v === null)) return { mean: null, low: null, high: null, pass: false, sure: true };
    const ci = meanConfidenceInterval(values as number[], level);
    const pass = t.sense === 'max' ? ci.mean <= t.bound : ci.mean >= t.bound;
    const defined = Number.isFinite(ci.halfWidth);
    const sure = defined && (t.sense === 'max' ? ci.high <= t.bound || ci.low > t.bound : ci.low >= t.bound || ci.high < t.bound);
    return { mean: ci.mean, low: defined ? ci.low : null, high: defined ? ci.high : null, pass, sure };
  });
  const pass = outcomes.every((o) => o.pass);
  // A pass is sure when every target surely holds; a failure when some failing target surely fails.
  const sure = pass ? outcomes.every((o) => o.sure) : outcomes.some((o) => !o.pass && o.sure);
  return { targets: outcomes, pass, sure };
}
