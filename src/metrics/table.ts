import Table from 'cli-table3';
import type { Distribution } from './distribution.js';
import type { Summary } from './summary.js';

/** Digits shown on screen: enough to compare runs by eye; the files keep 6. */
const SHOWN_DIGITS = 4;

// Never color, whatever the terminal: output stays plain in logs, pipes and golden tests.
const PLAIN = { head: [] as string[], border: [] as string[], compact: true };

/** A number for people: 4 significant digits, integers in full, '-' where undefined. */
export function formatShown(x: number | null): string {
  if (x === null) return '-';
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(SHOWN_DIGITS)));
}

/**
 * The run's summary as compact plain-text tables for stdout: an overview (requests,
 * throughput, goodput, deadlines, energy, simulation with its warning count), latency
 * percentiles, and one row per replica. Ends with a newline. Same summary, same text.
 */
export function formatSummaryTable(summary: Summary): string {
  const parts = [overview(summary).toString(), latency(summary).toString()];
  if (summary.devices.length > 0) parts.push(devices(summary).toString());
  if (summary.classes !== undefined) parts.push(classTable(summary).toString());
  // Warnings are only counted here: the caller prints them (to stderr, or not at all with --quiet).
  return `${parts.join('\n')}\n`;
}

function overview(s: Summary): Table.Table {
  const t = new Table({ style: PLAIN });
  const r = s.requests;
  const reasons = r.rejectReasons.map((x) => `${x.reason}: ${x.count}`).join(', ');
  const tp = s.throughput;
  const g = s.goodput;
  const slo = [['ttft', g.slo.ttftS], ['tpot', g.slo.tpotS], ['e2e', g.slo.e2eS]].filter(([, v]) => v !== null).map(([k, v]) => `${k} <= ${v} s`);
  const d = s.deadlines;
  const e = s.energy;
  const rows: [string, string][] = [
    ['run', s.name ?? '-'],
    ['requests', `${r.total} total, ${r.finished} finished, ${r.rejected} rejected${reasons ? ` (${reasons})` : ''}` + `${r.timedOut > 0 ? `, ${r.timedOut} timed out` : ''}${r.pending > 0 ? `, ${r.pending} pending` : ''}, ${r.preempted} preempted`],
    ['throughput', `${formatShown(tp.requestsPerS)} req/s, ${formatShown(tp.outputTokensPerS)} output tok/s, ${formatShown(tp.promptTokensPerS)} prompt tok/s over ${formatShown(tp.spanS)} s`],
    ['goodput', `${formatShown(g.requestsPerS)} req/s, ${percent(g.fraction)} of requests (SLO: ${slo.length > 0 ? slo.join(', ') : 'none'}${d.withDeadline > 0 ? ', deadlines' : ''})`],
    ...prefixRow(s),
    ...pdRow(s),
    ['deadlines', d.withDeadline > 0 ? `${d.withDeadline} with deadline, ${d.missed} missed (${percent(d.missRatio)})` : 'none given'],
    ['energy', `${formatShown(e.totalJ)} J = ${formatShown(e.kWh)} kWh (busy ${formatShown(e.busyJ)} J, idle ${formatShown(e.idleJ)} J), ${formatShown(e.perFinishedRequestJ)} J/request, ${formatShown(e.perOutputTokenJ)} J/output token`],
    ['energy scope', e.scope.length > 0 ? e.scope.join('; ') : '-'],
    ...fleetRows(s),
    ...(s.accuracy.tokenWeightedPct !== null ? [['accuracy', `${formatShown(s.accuracy.tokenWeightedPct)}% token-weighted (leaderboard accuracy of the serving models)`] as [string, string]] : []),
    ['simulation', `${s.sim.events} events, ends at ${formatShown(s.sim.endS)} s, ${s.sim.warnings.length} warnings`],
  ];
  for (const [k, v] of rows) t.push({ [k]: v });
  return t;
}

// One row per request class (scenarios with `classes:`), then Jain's index over their attainment.
function classTable(s: Summary): Table.Table {
  const t = new Table({ head: ['class', 'priority', 'requests', 'finished', 'admission rejected', 'TTFT p99', 'TPOT p99', 'E2E p99', 'SLO attainment'], style: PLAIN });
  for (const c of s.classes!) {
    t.push([c.class, String(c.priority), String(c.requests.total), String(c.requests.finished), String(c.requests.admissionRejected), formatShown(c.latency.ttftS.p99), formatShown(c.latency.tpotS.p99), formatShown(c.latency.e2eS.p99), percent(c.goodput.attainment)]);
  }
  t.push([{ content: `Jain's fairness index over the classes' SLO attainment: ${formatShown(s.fairness?.jainAttainment ?? null)}`, colSpan: 9 }]);
  return t;
}

function latency(s: Summary): Table.Table {
  const t = new Table({ head: ['latency (s)', 'count', 'mean', 'p50', 'p90', 'p99', 'max'], style: PLAIN, colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'] });
  const row = (label: string, d: Distribution): string[] => [label, String(d.count), ...[d.mean, d.p50, d.p90, d.p99, d.max].map(formatShown)];
  const l = s.latency;
  t.push(row('queueing delay', l.queueingDelayS), row('TTFT', l.ttftS), row('TPOT', l.tpotS), row('E2E', l.e2eS));
  return t;
}

function devices(s: Summary): Table.Table {
  const t = new Table({ head: ['device', 'kind', 'util', 'finished', 'iterations', 'preempted', 'energy J', 'KV peak/capacity', 'other'], style: PLAIN, colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] });
  for (const d of s.devices) {
    const kv = d.kvCapacityTokens > 0 ? `${d.peakKvTokens}/${d.kvCapacityTokens}` : '-';
    const other = d.extra ? Object.entries(d.extra).map(([k, v]) => `${k} ${formatShown(v)}`).join(', ') : '-';
    t.push([d.name, d.kind, percent(d.utilization), String(d.finished), String(d.iterations), String(d.preemptions), formatShown(d.energyJ), kv, other]);
  }
  return t;
}

/** The fleet block's rows (src/fleet/), only when the scenario has one. */
function fleetRows(s: Summary): [string, string][] {
  const f = s.fleet;
  if (!f) return [];
  const groups = f.groups.map((g) => `${g.name}: mean ${formatShown(g.meanReplicas)}, peak ${g.peakReplicas} replicas${g.autoscaled ? `, ${g.scaleUps} up / ${g.scaleDowns} down` : ''}`).join('; ');
  const rows: [string, string][] = [
    ['fleet', `${formatShown(f.gpuHours)} GPU-hours, ${f.costUsd === null ? 'cost unknown (no price)' : `${formatShown(f.costUsd)} USD, ${formatShown(f.costPerMOutputTokensUsd)} USD/1M output tokens`}; ${groups}${f.heldRequests > 0 ? `; ${f.heldRequests} requests held for a cold start` : ''}`],
  ];
  const c = f.carbon;
  if (c) rows.push(['carbon', `${formatShown(c.totalG)} g CO2 (requests ${formatShown(c.requestsG)}, idle ${formatShown(c.idleG)}), mean ${formatShown(c.perFinishedRequestG.mean)} g/request, ${formatShown(c.perMOutputTokensG)} g/1M output tokens`]);
  return rows;
}

function percent(fraction: number | null): string {
  return fraction === null ? '-' : `${formatShown(Number((fraction * 100).toPrecision(SHOWN_DIGITS)))}%`;
}

/** A prefix-cache line only when something was cached or evicted (runs without prefixes stay as they were). */
function prefixRow(s: Summary): [string, string][] {
  const c = s.prefixCache;
  if (c.cachedTokens === 0 && c.evictions === 0) return [];
  return [['prefix cache', `${percent(c.hitRate)} of prompt tokens cached (${c.cachedTokens} of ${c.promptTokens}), ${c.evictions} blocks evicted`]];
}

/** P/D runs only: the handoffs and each stage's utilization. */
function pdRow(s: Summary): [string, string][] {
  const pd = s.disaggregation;
  if (!pd) return [];
  const { prefill, decode } = pd.stages;
  return [
    [
      'P/D',
      `${pd.transfers} KV transfers, ${formatShown(pd.bytes / 1e9)} GB, transfer ${formatShown(pd.transferS.mean)} s mean, first token to KV landed ${formatShown(pd.handoffS.mean)} s mean / ${formatShown(pd.handoffS.p99)} s p99; ` +
        `utilization prefill ${percent(prefill.utilization)} (${prefill.replicas} replicas), decode ${percent(decode.utilization)} (${decode.replicas}); goodput ${formatShown(pd.goodputPerGpu)} req/s per GPU`,
    ],
  ];
}
