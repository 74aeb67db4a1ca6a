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
export function formatSummaryTable(summary: Summary, opts: SummaryTableOptions = {}): string {
  const parts = [overview(summary, opts).toString(), latency(summary).toString()];
  if (summary.devices.length > 0) parts.push(devices(summary));
  if (summary.classes !== undefined) parts.push(classTable(summary).toString());
  // Warnings are only counted here: the caller prints them (to stderr, or not at all with --quiet).
  return `${parts.join('\n')}\n`;
}

/** Options of the summary table. */
export interface SummaryTableOptions {
  /** Requests sent per second (the workload's arrivals over their span), shown beside the achieved throughput. */
  readonly offeredRps?: number | null;
}

/** Screen width the tables are laid out for: a classic terminal. */
export const TABLE_COLUMNS = 80;
// Overview: key column 14 (+2 padding), value column wrapped to fit 80 with the 3 borders.
const KEY_WIDTH = 16;
const VALUE_WIDTH = TABLE_COLUMNS - KEY_WIDTH - 3 - 1;

function overview(s: Summary, opts: SummaryTableOptions): Table.Table {
  const t = new Table({ style: PLAIN, colWidths: [KEY_WIDTH, VALUE_WIDTH], wordWrap: true, wrapOnWordBoundary: true });
  for (const [k, v] of overviewRows(s, opts)) t.push({ [k]: v });
  return t;
}

/** The overview's rows (label, text) before layout: what `run` shows first, in every format. */
export function overviewRows(s: Summary, opts: SummaryTableOptions = {}): [string, string][] {
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
    ['throughput', `${formatShown(tp.requestsPerS)} req/s${opts.offeredRps !== undefined ? ` (offered ${formatShown(opts.offeredRps)} req/s)` : ''}, ${formatShown(tp.outputTokensPerS)} output tok/s, ${formatShown(tp.promptTokensPerS)} prompt tok/s over ${formatShown(tp.spanS)} s`],
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
  return rows;
}

/** Latency rows: label, count, mean, p50, p90, p99, max (seconds, as shown). */
export function latencyRows(s: Summary): string[][] {
  const row = (label: string, d: Distribution): string[] => [label, String(d.count), ...[d.mean, d.p50, d.p90, d.p99, d.max].map(formatShown)];
  const l = s.latency;
  return [row('queueing', l.queueingDelayS), row('TTFT', l.ttftS), row('TPOT', l.tpotS), row('E2E', l.e2eS)];
}
export const LATENCY_HEAD = ['latency (s)', 'count', 'mean', 'p50', 'p90', 'p99', 'max'];

// One row per request class (scenarios with `classes:`), then Jain's index over their attainment.
// 10 + 6 + 6 x 9 + 9 borders = 79 columns.
function classTable(s: Summary): Table.Table {
  const t = new Table({
    head: ['class', 'prio', 'finished', 'rejected', 'TTFT p99', 'TPOT p99', 'E2E p99', 'SLO met'],
    style: PLAIN,
    colWidths: [10, 6, 9, 9, 9, 9, 9, 9],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    wordWrap: true,
  });
  for (const c of s.classes!) {
    t.push([c.class, String(c.priority), `${c.requests.finished}/${c.requests.total}`, String(c.requests.admissionRejected), formatShown(c.latency.ttftS.p99), formatShown(c.latency.tpotS.p99), formatShown(c.latency.e2eS.p99), percent(c.goodput.attainment)]);
  }
  t.push([{ content: `Jain's fairness index over the classes' SLO attainment: ${formatShown(s.fairness?.jainAttainment ?? null)}`, colSpan: 8 }]);
  return t;
}

function latency(s: Summary): Table.Table {
  // 13 + 8 + 5 x 10 + 8 borders = 79: a 4-digit number is at most 9 characters ("0.0001234", "1.234e-7").
  const t = new Table({ head: LATENCY_HEAD, style: PLAIN, colWidths: [13, 8, 10, 10, 10, 10, 10], colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'] });
  t.push(...latencyRows(s));
  return t;
}

/** Device rows: device, util, finished, iterations, preempted, energy J, KV peak/capacity (the kind goes below). */
export function deviceRows(s: Summary): string[][] {
  return s.devices.map((d) => [d.name, percent(d.utilization), String(d.finished), String(d.iterations), String(d.preemptions), formatShown(d.energyJ), d.kvCapacityTokens > 0 ? `${d.peakKvTokens}/${d.kvCapacityTokens}` : '-']);
}
export const DEVICE_HEAD = ['device', 'util', 'finished', 'iters', 'preempt', 'energy J', 'KV peak/cap'];

/** A replica's kind and kind-specific figures: `continuous-batching; meanBatchSize 12.19, ...`. */
function deviceDetail(d: Summary['devices'][number]): string {
  const extra = Object.entries(d.extra ?? {}).map(([k, v]) => `${k} ${formatShown(v)}`);
  return [d.kind, ...(extra.length > 0 ? [extra.join(', ')] : [])].join('; ');
}

/** The per-replica table (79 columns; long names wrap), then each replica's kind and kind-specific figures on a line of its own. */
function devices(s: Summary): string {
  const t = new Table({
    head: DEVICE_HEAD,
    style: PLAIN,
    colWidths: [12, 7, 10, 9, 9, 10, 14],
    wordWrap: true,
    wrapOnWordBoundary: false,
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  t.push(...deviceRows(s));
  const lines = s.devices.map((d) => wrapLine(`${d.name}: ${deviceDetail(d)}`, TABLE_COLUMNS - 1));
  return [t.toString(), ...lines].join('\n');
}

/** Breaks a line at spaces to at most `width` characters, continuation lines indented by 2. */
export function wrapLine(text: string, width: number, indent = '  '): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) (out.push(line), (line = `${indent}${word}`));
    else line = line === '' ? word : `${line} ${word}`;
  }
  out.push(line);
  return out.join('\n');
}

/** The summary as Markdown tables (`run --format markdown`): overview, latency, devices. */
export function summaryMarkdown(s: Summary, opts: SummaryTableOptions = {}): string {
  const md = (head: readonly string[], rows: readonly (readonly string[])[], align: string[] = head.map(() => '---')) =>
    [`| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
  const parts = [md(['', s.name ?? 'run'], overviewRows(s, opts).slice(1)), md(LATENCY_HEAD, latencyRows(s), ['---', ...LATENCY_HEAD.slice(1).map(() => '---:')])];
  if (s.devices.length > 0) {
    const head = [...DEVICE_HEAD, 'kind and figures'];
    const rows = deviceRows(s).map((r, i) => [...r, deviceDetail(s.devices[i]!)]);
    parts.push(md(head, rows, ['---', ...head.slice(1, -1).map(() => '---:'), '---']));
  }
  return `${parts.join('\n\n')}\n`;
}

/** The fleet block's rows (src/fleet/), only when the scenario has one. */
function fleetRows(s: Summary): [string, string][] {
  const f = s.fleet;
  if (!f) return [];
  const groups = f.groups.map((g) => `${g.name}: mean ${formatShown(g.meanReplicas)}, peak ${g.peakReplicas} replicas${g.autoscaled ? `, ${g.scaleUps} up / ${g.scaleDowns} down` : ''}`).join('; ');
  const rows: [string, string][] = [
    ['fleet', `${formatShown(f.gpuHours)} GPU-hours, ${f.costUsd === null ? 'cost unknown (no price)' : `${formatShown(f.costUsd)} USD, ${formatShown(f.costPerMOutputTokensUsd)} USD/1M output tokens`}; ${groups}${f.heldRequests > 0 ? `; ${f.heldRequests} requests held for a cold start` : ''}`],
  ];
  const prices = f.groups.map((g) => `${g.name}: ${g.pricePerGpuHour === null ? 'none' : `${formatShown(g.pricePerGpuHour)} USD/GPU-h from ${g.priceSource ?? 'the scenario'}`}`).join('; ');
  rows.push(['price', prices]);
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
