import { summarizeDisaggregation, type DisaggregationSummary } from '../disaggregation/summary.js';
import { summarizeKvTiers, type KvTiersSummary } from '../devices/batching/kv-tiers.js';
import { InputError, describeValue } from '../errors.js';
import type { SimResult } from '../simulation/result.js';
import { summarizeDevices, summarizeEnergy, summarizeGroups, type DeviceSummary, type EnergySummary, type GroupSummary } from './device-summary.js';
import { distribution, type Distribution } from './distribution.js';
import { countGoodput, type Slo } from './goodput.js';
import { summarizeClasses, type ClassSummary, type FairnessSummary } from './class-summary.js';
import type { ClassesSpec } from '../simulation/admission.js';
import { STATUS_FINISHED, STATUS_REJECTED, STATUS_TIMED_OUT } from './records.js';
import { latencyColumns } from './request-metrics.js';
import { roundOrNull } from './round.js';
import { summarizeFleet, type FleetSummary } from '../fleet/summary.js';
import { summarizeModels, tokenWeightedAccuracy, type ModelSummary } from './model-summary.js';

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

/** Reduces a run's records and device counters to its Summary. Pure; O(n log n) in requests. */
export function summarize(result: SimResult, opts: SummaryOptions = {}): Summary {
  const slo = checkSlo(opts.slo ?? {});
  const { requests, records } = result;
  if (records.size !== requests.length) throw new Error(`summarize: ${requests.length} requests but ${records.size} records`);
  const total = requests.length;
  let finished = 0;
  let rejected = 0;
  let timedOut = 0;
  let preempted = 0;
  let outputTokens = 0;
  let promptTokens = 0;
  for (let i = 0; i < total; i++) {
    const req = requests[i];
    if (records.preemptions[i] > 0) preempted++;
    const status = records.status[i];
    if (status === STATUS_REJECTED) rejected++;
    if (status === STATUS_TIMED_OUT) timedOut++;
    if (status !== STATUS_FINISHED) continue;
    finished++;
    outputTokens += req.outputTokens;
    promptTokens += req.promptTokens;
  }
  const latency = latencyColumns(result);
  const counts = countGoodput(result, latency, slo);
  const { spanS, perS, core } = summaryCore(
    { total, finished, rejected, timedOut, preempted, outputTokens, promptTokens, ...counts },
    result.window,
    slo,
    rejectReasons(result),
    { queueingDelayS: distribution(latency.queueingDelayS), ttftS: distribution(latency.ttftS), tpotS: distribution(latency.tpotS), e2eS: distribution(latency.e2eS) },
  );
  const disaggregation = summarizeDisaggregation(result, spanS, perS(counts.good));
  const kvTiers = summarizeKvTiers(result.devices, roundOrNull);
  return {
    name: opts.name ?? null,
    ...core,
    prefixCache: prefixCacheSummary(result),
    energy: summarizeEnergy(result.devices, finished, outputTokens),
    devices: summarizeDevices(result.devices, spanS),
    deviceExtraMeans: extraMeans(result.devices),
    groups: summarizeGroups(result.devices, spanS),
    models: summarizeModels(result),
    accuracy: { tokenWeightedPct: roundOrNull(tokenWeightedAccuracy(result)) },
    ...(kvTiers && { kvTiers }),
    ...(disaggregation && { disaggregation }),
    sim: { events: result.events, endS: roundOrNull(result.endS), warnings: [...result.warnings] },
    ...(result.fleet && { fleet: summarizeFleet({ ...result, fleet: result.fleet }) }),
    ...(opts.classes !== undefined ? summarizeClasses(result, latency, opts.classes, slo) : {}),
  };
}

/** What the request, throughput, goodput and deadline blocks are computed from (counted in one pass, or accumulated by a streamed run). */
export interface SummaryCounts {
  readonly total: number;
  readonly finished: number;
  readonly rejected: number;
  readonly timedOut: number;
  readonly preempted: number;
  readonly outputTokens: number;
  readonly promptTokens: number;
  readonly good: number;
  readonly withDeadline: number;
  readonly deadlineMet: number;
}

/**
 * The summary's blocks from `requests` to `deadlines`, in their key order, and the span and
 * per-second rate every other block uses: one window for rates, utilization and idle energy, first
 * arrival to last finish (simulate's). Shared by `summarize` and the streamed summary
 * (stream-summary.ts), so both give the same keys, order and rounding.
 */
export function summaryCore(c: SummaryCounts, window: SimResult['window'], slo: Slo, reasons: Summary['requests']['rejectReasons'], latency: Summary['latency']) {
  const { total, finished, rejected, timedOut } = c;
  const spanS = finished > 0 ? window.endS - window.startS : NaN;
  const perS = (count: number): number | null => (spanS > 0 ? roundOrNull(count / spanS) : null);
  const missed = c.withDeadline - c.deadlineMet;
  const core = {
    requests: {
      total,
      finished,
      rejected,
      timedOut,
      timedOutFraction: total > 0 ? roundOrNull(timedOut / total) : null,
      pending: total - finished - rejected - timedOut,
      preempted: c.preempted,
      rejectReasons: reasons,
    },
    latency,
    window: { startS: roundOrNull(window.startS), endS: roundOrNull(window.endS) },
    throughput: {
      spanS: roundOrNull(spanS),
      requestsPerS: perS(finished),
      outputTokensPerS: perS(c.outputTokens),
      promptTokensPerS: perS(c.promptTokens),
    },
    goodput: {
      slo: { ttftS: slo.ttftS ?? null, tpotS: slo.tpotS ?? null, e2eS: slo.e2eS ?? null },
      requests: c.good,
      requestsPerS: perS(c.good),
      fraction: total > 0 ? roundOrNull(c.good / total) : null,
    },
    deadlines: {
      withDeadline: c.withDeadline,
      met: c.deadlineMet,
      missed,
      missRatio: c.withDeadline > 0 ? roundOrNull(missed / c.withDeadline) : null,
    },
  } satisfies Pick<Summary, 'requests' | 'latency' | 'window' | 'throughput' | 'goodput' | 'deadlines'>;
  return { spanS, perS, core };
}

export function extraMeans(devices: SimResult['devices']): Record<string, number | null> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const d of devices) {
    for (const [k, v] of Object.entries(d.extra ?? {})) {
      const acc = sums.get(k) ?? { sum: 0, n: 0 };
      acc.sum += v;
      acc.n++;
      sums.set(k, acc);
    }
  }
  return Object.fromEntries([...sums].map(([k, { sum, n }]) => [k, roundOrNull(sum / n)]));
}

function rejectReasons(result: SimResult): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const reason of result.records.rejectReason.values()) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return sortedReasons(counts);
}

/** Reject reasons by count (descending), then reason. */
export function sortedReasons(counts: ReadonlyMap<string, number>): { reason: string; count: number }[] {
  // Explicit comparison, not localeCompare: the order must not depend on the machine's locale.
  return [...counts]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}

// The scenario schema validates SLOs with a file location; this guards direct API callers.
export function checkSlo(slo: Slo): Slo {
  for (const key of ['ttftS', 'tpotS', 'e2eS'] as const) {
    const v = slo[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new InputError({ field: `slo.${key}` }, `expected a positive number of seconds, found ${describeValue(v)}`);
  }
  return slo;
}

function prefixCacheSummary(result: SimResult): Summary['prefixCache'] {
  const { requests, records } = result;
  let cachedTokens = 0, promptTokens = 0;
  for (let i = 0; i < requests.length; i++) {
    if (Number.isNaN(records.startS[i]!)) continue;
    cachedTokens += records.cachedTokens[i]!;
    promptTokens += requests[i]!.promptTokens;
  }
  const evictions = result.devices.reduce((a, d) => a + (d.extra?.cacheEvictions ?? 0), 0);
  return { cachedTokens, promptTokens, hitRate: promptTokens > 0 ? roundOrNull(cachedTokens / promptTokens) : null, evictions };
}
