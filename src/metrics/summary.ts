import { summarizeDisaggregation, type DisaggregationSummary } from '../disaggregation/summary.js';
import type { KvTiersSummary } from '../devices/batching/kv-tiers.js';
import type { SimResult } from '../simulation/result.js';
import type { DeviceSummary, EnergySummary, GroupSummary } from './device-summary.js';
import type { Distribution } from './distribution.js';
import type { Slo } from './goodput.js';
import { summarizeClasses, type ClassSummary, type FairnessSummary } from './class-summary.js';
import type { ClassesSpec } from '../simulation/admission.js';
import { STATUS_FINISHED } from './records.js';
import { latencyColumns } from './request-metrics.js';
import { summarizeFleet, type FleetSummary } from '../fleet/summary.js';
import type { ModelSummary } from './model-summary.js';
import { SummaryAccumulator } from './stream-summary.js';
import { checkSlo } from './summary-core.js';


/**
 * What a run amounted to, in vLLM's vocabulary. A plain object whose key order is fixed by the
 * literals below, and whose real numbers are rounded to 6 significant digits (counts are exact;
 * undefined values are null), so JSON.stringify of it is byte-identical for the same input.
 */
export interface Summary {
  readonly name: string | null;
  readonly requests: {
    readonly total: number;
    readonly finished: number;
    readonly rejected: number;
    /** Abandoned by their client (timeout) before they finished: neither finished nor rejected. */
    readonly timedOut: number;
    /** timedOut / total. */
    readonly timedOutFraction: number | null;
    /** Neither finished, rejected nor timed out when the run ended (always 0). */
    readonly pending: number;
    /** Requests preempted at least once. */
    readonly preempted: number;
    /** Sorted by count (descending), then reason. */
    readonly rejectReasons: { readonly reason: string; readonly count: number }[];
  };
  /** Over finished requests only (rejected and timed-out ones have no latency); see request-metrics.ts. */
  readonly latency: {
    readonly queueingDelayS: Distribution;
    readonly ttftS: Distribution;
    readonly tpotS: Distribution;
    readonly e2eS: Distribution;
  };
  /**
   * First arrival to last finish, s: the one window throughput, utilization and idle energy are
   * measured over (devices count idle power for the window's time they are not busy).
   */
  readonly window: { readonly startS: number | null; readonly endS: number | null };
  /** Finished requests and their tokens over the window (spanS = its length). */
  readonly throughput: {
    readonly spanS: number | null;
    readonly requestsPerS: number | null;
    readonly outputTokensPerS: number | null;
    readonly promptTokensPerS: number | null;
  };
  readonly goodput: {
    /** The objectives applied; null = not given. */
    readonly slo: { readonly ttftS: number | null; readonly tpotS: number | null; readonly e2eS: number | null };
    /** Requests meeting every given SLO and their deadline. */
    readonly requests: number;
    readonly requestsPerS: number | null;
    /** Good requests / all requests. */
    readonly fraction: number | null;
  };
  readonly deadlines: {
    readonly withDeadline: number;
    readonly met: number;
    readonly missed: number;
    /** missed / withDeadline. */
    readonly missRatio: number | null;
  };
  /**
   * Prefix caching over the requests that started: prompt tokens found in the cache (not
   * prefilled) over all their prompt tokens, and cached blocks evicted to make room.
   */
  readonly prefixCache: { readonly cachedTokens: number; readonly promptTokens: number; readonly hitRate: number | null; readonly evictions: number };
  readonly energy: EnergySummary;
  readonly devices: DeviceSummary[];
  /**
   * Each kind-specific device figure (devices[].extra, e.g. meanBatchSize, meanAccuracyPct,
   * maxPeakMemoryBytes) averaged over the replicas that report it: one column per figure in sweeps.
   */
  readonly deviceExtraMeans: Readonly<Record<string, number | null>>;
  readonly groups: GroupSummary[];
  /** Per model served (in order of its first replica), from finished requests. */
  readonly models: ModelSummary[];
  /** Accuracy proxy of Wilkins et al. (needs the profiles' leaderboard accuracy A_K). */
  readonly accuracy: {
    /** sum A_K*(tin+tout) / sum (tin+tout) over finished requests, %; null if any ran on a model without A_K. */
    readonly tokenWeightedPct: number | null;
  };
  /** KV tiers: swap traffic, PCIe time, prefix hits per tier (only when a group has kvTiers). */
  readonly kvTiers?: KvTiersSummary;
  /** P/D disaggregation: KV transfers, per-stage utilization, goodput per GPU (only when cluster.disaggregation is set). */
  readonly disaggregation?: DisaggregationSummary;
  readonly sim: { readonly events: number; readonly endS: number | null; readonly warnings: string[] };
  /** GPU-hours, cost and carbon; only when the scenario has a `fleet:` block (src/fleet/summary.ts). */
  readonly fleet?: FleetSummary;
  /** Per request class, only when the scenario defines `classes` (see class-summary.ts). */
  readonly classes?: ClassSummary[];
  /** Jain's fairness index over the classes' SLO attainment, only with `classes`. */
  readonly fairness?: FairnessSummary;
}

/** Options of `summarize`. */
export interface SummaryOptions {
  readonly slo?: Slo;
  /** Run name, recorded as is. */
  readonly name?: string;
  /** The scenario's request classes: adds `classes` and `fairness` to the summary. */
  readonly classes?: ClassesSpec;
}

/**
 * Reduces a run's records and device counters to its Summary. Pure; O(n) in requests: one pass
 * hands each request to the streamed summary's accumulator (stream-summary.ts: the same counts,
 * sums in the same order, and percentiles of the same values, so the two summaries cannot drift
 * apart), then the blocks only an in-memory run has.
 */
export function summarize(result: SimResult, opts: SummaryOptions = {}): Summary {
  const slo = checkSlo(opts.slo ?? {});
  const { requests, records } = result;
  if (records.size !== requests.length) throw new Error(`summarize: ${requests.length} requests but ${records.size} records`);
  const total = requests.length;
  let finished = 0;
  for (let i = 0; i < total; i++) if (records.status[i] === STATUS_FINISHED) finished++;
  // Exact percentiles whatever the count (an in-memory run holds every value anyway).
  const acc = new SummaryAccumulator(
    result.devices.map((d) => d.accuracyPct),
    opts,
    Math.max(finished, 1),
    finished,
  );
  for (let i = 0; i < total; i++) acc.take(requests[i]!, records, i);
  return acc.summary({ ...result, total }, (spanS, perS, good) => {
    const disaggregation = summarizeDisaggregation(result, spanS, perS(good));
    return {
      beforeSim: disaggregation && { disaggregation },
      afterSim: {
        ...(result.fleet && { fleet: summarizeFleet({ ...result, fleet: result.fleet }) }),
        ...(opts.classes !== undefined ? summarizeClasses(result, latencyColumns(result), opts.classes, slo) : {}),
      },
    };
  });
}
