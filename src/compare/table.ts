import Table from 'cli-table3';
import { TABLE_COLUMNS, formatShown, wrapLine } from '../metrics/table.js';
import { meanConfidenceInterval, pairedDifferences, type MeanInterval } from '../metrics/stats.js';
import { csvValue } from '../sweep/outputs.js';
import { roundOrNull } from '../metrics/round.js';
import type { FlatMetrics } from '../sweep/metrics.js';

/** Metrics `llmsim compare` shows by default: latency, throughput, goodput, deadlines, energy, load. */
export const KEY_METRICS: readonly string[] = [
  'latency.ttftS.mean',
  'latency.ttftS.p99',
  'latency.tpotS.mean',
  'latency.e2eS.mean',
  'latency.e2eS.p99',
  'latency.queueingDelayS.mean',
  'throughput.requestsPerS',
  'throughput.outputTokensPerS',
  'goodput.fraction',
  'deadlines.missRatio',
  'energy.perFinishedRequestJ',
  'energy.perOutputTokenJ',
  'requests.rejected',
  'devices.utilizationMean',
];

/** One policy's figures for one metric over the seeds. */
export interface ComparisonCell {
  readonly metric: string;
  readonly label: string;
  /** Mean over seeds with its confidence interval. */
  readonly value: MeanInterval;
  /** This policy minus the first, paired by seed (common random numbers); null for the first policy. */
  readonly diff: MeanInterval | null;
}

/**
 * Side-by-side statistics: `runs[p][s]` are policy p's metrics on seed s (the same seeds, hence
 * the same workload, for every policy). Metrics undefined for every run are left out; a seed where
 * either side of a pair is undefined is left out of that pair. A value (or paired difference) that
 * is the same on every seed gets an interval of width exactly 0 (see `intervalOf`).
 */
export function comparePolicies(labels: readonly string[], runs: readonly (readonly FlatMetrics[])[], metrics: readonly string[], level: number): ComparisonCell[] {
  const cells: ComparisonCell[] = [];
  for (const metric of metrics) {
    const column = runs.map((seeds) => seeds.map((m) => m[metric] ?? null));
    if (column.every((vs) => vs.every((v) => v === null))) continue;
    labels.forEach((label, p) => {
      const value = intervalOf(column[p]!.filter((v): v is number => v !== null), level);
      let diff: MeanInterval | null = null;
      if (p > 0) {
        const pairs = column[p]!.map((v, s) => [v, column[0]![s]] as const).filter((x): x is readonly [number, number] => x[0] !== null && x[1] !== null);
        diff = intervalOf(pairedDifferences(pairs.map((x) => x[0]), pairs.map((x) => x[1])), level);
      }
      cells.push({ metric, label, value, diff });
    });
  }
  return cells;
}

/**
 * Mean and interval of replications; when every value is identical (a workload that does not
 * depend on the seed, or a count that never moves) the mean is that value and the interval has
 * width exactly 0, rather than the rounding noise of summing n equal floats (`± 3.9e-17`), so
 * that callers can tell "no variation" from "a little".
 */
export function intervalOf(values: ArrayLike<number>, level: number): MeanInterval {
  const n = values.length;
  const v = values[0]!;
  for (let i = 1; i < n; i++) if (values[i] !== v) return meanConfidenceInterval(values, level);
  return n < 2 ? meanConfidenceInterval(values, level) : { n, mean: v, std: 0, level, halfWidth: 0, low: v, high: v };
}

/** True when every one of several replications gave the same value (see `intervalOf`). */
export function isConstant(m: MeanInterval): boolean {
  return m.n >= 2 && m.halfWidth === 0;
}

/**
 * The comparison side by side: one row per metric, one column per policy. Each cell holds the
 * mean over seeds with the half-width of its interval; the cells of the second and later policies
 * add the paired difference to the first policy with its interval (`*`: the interval excludes 0).
 * A value the same on every seed is shown bare, and a difference with no variation over seeds is
 * never starred: a zero-width interval is no evidence, only the absence of noise.
 */
export function formatComparison(cells: readonly ComparisonCell[], labels: readonly string[], level: number): string {
  const pct = `${Math.round(level * 100)}%`;
  const wide = wideTable(cells, labels).toString();
  // Side by side when it fits a classic terminal, else one row per metric and policy (any number of policies fits).
  const fits = wide.split('\n').every((l) => l.length < TABLE_COLUMNS);
  const bare = cells.some((c) => isConstant(c.value) || (c.diff !== null && isConstant(c.diff)));
  return (
    `${fits ? wide : longTable(cells, labels).toString()}\n` +
    `${wrapLine(`mean ± half-width of the ${pct} confidence interval over seeds; diff = this policy minus ${labels[0]} on the same seeds (paired), with its ${pct} interval; * = the interval excludes 0 (a significant difference)`, TABLE_COLUMNS - 1, '')}\n` +
    (bare ? `${wrapLine('a value or diff without an interval was the same on every seed (no variation to test)', TABLE_COLUMNS - 1, '')}\n` : '')
  );
}

function valueText(c: ComparisonCell): string {
  return `${shown(c.value.mean)}${Number.isFinite(c.value.halfWidth) && !isConstant(c.value) ? ` ± ${shown(c.value.halfWidth)}` : ''}`;
}

function diffText(c: ComparisonCell): string {
  if (!c.diff) return '';
  const ci = Number.isFinite(c.diff.halfWidth) && !isConstant(c.diff) ? ` [${shown(c.diff.low)}, ${shown(c.diff.high)}]` : '';
  return `${signed(c.diff.mean)}${ci}${significant(c.diff) ? ' *' : ''}`;
}

function byMetric(cells: readonly ComparisonCell[]): Map<string, ComparisonCell[]> {
  const out = new Map<string, ComparisonCell[]>();
  for (const c of cells) out.set(c.metric, [...(out.get(c.metric) ?? []), c]);
  return out;
}

/** A row per metric (its name across the table), then a row per policy: mean ± half-width, diff to the baseline [interval]; 79 columns. */
function longTable(cells: readonly ComparisonCell[], labels: readonly string[]): Table.Table {
  const t = new Table({
    head: ['metric / policy', 'mean ± hw', `diff to ${labels[0]}`],
    style: { head: [], border: [], compact: true },
    colWidths: [30, 19, 26],
    wordWrap: true,
    colAligns: ['left', 'right', 'right'],
  });
  for (const [metric, row] of byMetric(cells)) {
    t.push([{ content: metric, colSpan: 3 }]);
    for (const c of row) t.push([`  ${c.label}`, valueText(c), c.diff ? diffText(c) : '(baseline)']);
  }
  return t;
}

function wideTable(cells: readonly ComparisonCell[], labels: readonly string[]): Table.Table {
  const t = new Table({
    head: ['metric', `${labels[0]} (baseline)`, ...labels.slice(1)],
    style: { head: [], border: [], compact: false },
    colAligns: ['left', ...labels.map(() => 'right' as const)],
  });
  for (const [metric, row] of byMetric(cells)) t.push([metric, ...row.map((c) => (c.diff ? `${valueText(c)}\ndiff ${diffText(c)}` : valueText(c)))]);
  return t;
}

/** The comparison as one Markdown table (`compare --format markdown`): metric, policy, mean ± hw, diff [interval]. */
export function comparisonMarkdown(cells: readonly ComparisonCell[], labels: readonly string[]): string {
  const rows = [...byMetric(cells)].flatMap(([metric, row]) => row.map((c) => `| ${metric} | ${c.label.replace(/\|/g, '\\|')} | ${valueText(c)} | ${c.diff ? diffText(c) : '(baseline)'} |`));
  return `| metric | policy | mean ± hw | diff to ${labels[0]} |\n| --- | --- | ---: | ---: |\n${rows.join('\n')}\n`;
}

/** The comparison as JSON (`compare --format json`): one object per metric and policy, intervals included. */
export function comparisonJson(cells: readonly ComparisonCell[], labels: readonly string[], level: number): string {
  const interval = (m: MeanInterval | null) => (m === null ? null : { n: m.n, mean: roundOrNull(m.mean), low: roundOrNull(m.low), high: roundOrNull(m.high), halfWidth: roundOrNull(m.halfWidth) });
  return `${JSON.stringify({ baseline: labels[0], policies: labels, level, cells: cells.map((c) => ({ metric: c.metric, policy: c.label, value: interval(c.value), diff: interval(c.diff) })) }, null, 2)}\n`;
}

/** comparison.csv: metric, policy, n, mean, low, high, diff_mean, diff_low, diff_high. */
export function comparisonCsv(cells: readonly ComparisonCell[]): string {
  const num = (x: number | undefined) => csvValue(x === undefined ? null : roundOrNull(x));
  const rows = cells.map((c) =>
    [csvValue(c.metric), csvValue(c.label), String(c.value.n), num(c.value.mean), num(c.value.low), num(c.value.high), num(c.diff?.mean), num(c.diff?.low), num(c.diff?.high)].join(','),
  );
  return `metric,policy,n,mean,low,high,diff_mean,diff_low,diff_high\n${rows.map((r) => `${r}\n`).join('')}`;
}

function shown(x: number): string {
  return Number.isFinite(x) ? formatShown(x) : '-';
}

function signed(x: number): string {
  return Number.isFinite(x) ? `${x > 0 ? '+' : ''}${formatShown(x)}` : '-';
}

function significant(m: MeanInterval): boolean {
  return Number.isFinite(m.halfWidth) && m.halfWidth > 0 && (m.low > 0 || m.high < 0);
}
