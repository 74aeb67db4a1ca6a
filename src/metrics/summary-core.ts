/**
 * What the in-memory summary (summary.ts) and the streamed one (stream-summary.ts) share: the
 * request-to-deadline blocks, device figure means, reject reasons and the SLO check.
 */
import { InputError, describeValue } from '../errors.js';
import type { SimResult } from '../simulation/result.js';
import type { Slo } from './goodput.js';
import { roundOrNull } from './round.js';
import type { Summary } from './summary.js';

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
