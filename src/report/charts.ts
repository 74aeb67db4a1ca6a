import type { TopLevelSpec } from 'vega-lite';
import { cdfPoints, paretoFront, timeline } from './derive.js';
import type { CapacityInput, RunInput, SweepInput } from './inputs.js';
import type { ChartSpec } from './render.js';

const WIDTH = 560;
const HEIGHT = 260;

/** Latency CDFs, one line per run (policy): E2E, and TTFT where the devices stream tokens. */
export function latencyCdfCharts(runs: readonly RunInput[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const metrics = [
    ['e2eS', 'E2E latency'],
    ['ttftS', 'Time to first token'],
  ] as const;
  for (const [key, name] of metrics) {
    const values = runs.flatMap((r) => (r.requests ? cdfPoints(r.requests[key]).map((c) => ({ run: r.label, latencyS: c.value, p: c.p })) : []));
    if (values.length === 0) continue;
    const positive = values.every((v) => v.latencyS > 0);
    charts.push({
      id: `cdf-${key}`,
      title: `${name}: CDF per policy`,
      caption: `Empirical CDF of ${name.toLowerCase()} over finished requests (first seed of each run)${positive ? '; log scale' : ''}.`,
      spec: {
        width: WIDTH,
        height: HEIGHT,
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x: { field: 'latencyS', type: 'quantitative', title: `${name} (s)`, scale: positive ? { type: 'log' } : {} },
          y: { field: 'p', type: 'quantitative', title: 'fraction of requests', scale: { domain: [0, 1] } },
          color: { field: 'run', type: 'nominal', title: 'run / policy' },
        },
      } as TopLevelSpec,
    });
  }
  return charts;
}

/** Queue length and utilization over time per replica, for each run with requests.csv. */
export function timelineCharts(runs: readonly RunInput[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  runs.forEach((r, i) => {
    if (!r.requests) return;
    const values = timeline(r.requests);
    if (values.length === 0) return;
    const chart = (field: 'queue' | 'busy', what: string, title: string): ChartSpec => ({
      id: `timeline-${field}-${i}`,
      title: `${r.label}: ${what} over time`,
      caption: `${title} per replica, averaged over ${Math.round(values.length / new Set(values.map((v) => v.replica)).size)} time bins; derived from requests.csv.`,
      spec: {
        width: WIDTH,
        height: 200,
        data: { values },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'tS', type: 'quantitative', title: 'simulated time (s)' },
          y: { field, type: 'quantitative', title: what, ...(field === 'busy' ? { scale: { domain: [0, 1] } } : {}) },
          color: { field: 'replica', type: 'nominal', title: 'replica' },
        },
      } as TopLevelSpec,
    });
    charts.push(chart('queue', 'queue length', 'Time-average number of waiting requests'), chart('busy', 'utilization', 'Fraction of time with at least one request in service'));
  });
  return charts;
}

/** How a sweep's points are laid out on a chart: x = the load-like parameter, a series per other combination. */
interface SweepLayout extends SweepAxis {
  readonly rows: readonly { x: number; series: string; cells: Readonly<Record<string, string>> }[];
}

/** The x axis of a sweep's charts: a swept numeric parameter, and whether it is a load (rate). */
export interface SweepAxis {
  readonly x: string | undefined;
  /** True when x is an arrival rate or load scale, so the charts may say "vs load". */
  readonly load: boolean;
}

/**
 * Picks the x axis: a swept rate or load parameter if there is one ("vs load" is the plot people
 * expect), else the first numeric swept parameter, named as such; none if no numeric one varies.
 */
export function sweepAxis(sweep: SweepInput): SweepAxis {
  const at = (name: string) => sweep.columns.indexOf(name);
  const numericVaried = sweep.params.filter((p) => {
    const vals = sweep.rows.map((r) => r[at(p)] ?? '');
    return vals.every((v) => v !== '' && Number.isFinite(Number(v))) && new Set(vals).size > 1;
  });
  const loadLike = numericVaried.find((p) => isLoadName(p.split('.').at(-1)!));
  return { x: loadLike ?? numericVaried[0], load: loadLike !== undefined };
}

// rateRps, rateScale, arrivalRate, load...: a rate or load word at the start or at a camel-case boundary.
function isLoadName(key: string): boolean {
  return /^(rate|load)/i.test(key) || /(Rate|Load|Rps)/.test(key);
}

/** A sweep section's heading: latency vs load, or vs the parameter on the x axis. */
export function sweepTitle(sweep: SweepInput): string {
  const { x, load } = sweepAxis(sweep);
  return `Sweep ${sweep.label}: latency vs ${load ? 'load' : x ?? 'grid point'}, energy vs latency`;
}

function layoutSweep(sweep: SweepInput): SweepLayout {
  const col = (row: readonly string[], name: string) => row[sweep.columns.indexOf(name)] ?? '';
  const { x, load } = sweepAxis(sweep);
  const rows = sweep.rows.map((r) => {
    const others = sweep.params.filter((p) => p !== x).map((p) => `${p.split('.').at(-1)}=${col(r, p)}`);
    const cells: Record<string, string> = {};
    sweep.columns.forEach((c, i) => (cells[c] = r[i] ?? ''));
    return { x: x === undefined ? Number(col(r, 'point')) : Number(col(r, x)), series: others.join(', ') || sweep.label, cells };
  });
  return { x, load, rows };
}

/** p99 and mean latency vs load with confidence bands, and energy vs p99 latency with its Pareto front. */
export function sweepCharts(sweep: SweepInput, index: number): ChartSpec[] {
  const { x, rows } = layoutSweep(sweep);
  const xTitle = x ?? 'grid point';
  // With one run per point there is no interval to draw: say so rather than promise a band.
  const band = rows.some((r) => Number(r.cells.runs) >= 2);
  const num = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));
  const charts: ChartSpec[] = [];
  const metrics = [
    ['latency.e2eS.p99', 'p99 E2E latency (s)'],
    ['latency.e2eS.mean', 'mean E2E latency (s)'],
    ['latency.ttftS.p99', 'p99 TTFT (s)'],
  ] as const;
  for (const [metric, title] of metrics) {
    const values = rows
      .map((r) => ({ x: r.x, series: r.series, mean: num(r.cells[`${metric}.mean`]), low: num(r.cells[`${metric}.low`]), high: num(r.cells[`${metric}.high`]) }))
      .filter((v) => Number.isFinite(v.mean))
      .map((v) => ({ ...v, low: Number.isFinite(v.low) ? v.low : v.mean, high: Number.isFinite(v.high) ? v.high : v.mean }));
    if (values.length === 0) continue;
    // The legend shows lines (the area layer would otherwise fade its symbols).
    const color = { field: 'series', type: 'nominal', title: 'series', legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2 } };
    // Interval bounds of a non-negative metric can dip below 0; the axis need not follow them.
    const y = values.every((v) => v.mean >= 0) ? { scale: { domainMin: 0 } } : {};
    charts.push({
      id: `sweep-${index}-${metric}`,
      title: `${sweep.label}: ${title} vs ${xTitle}`,
      caption: band ? `Mean over seeds per grid point; the band is the ${levelText(sweep)} confidence interval of the mean.` : 'One run (seed) per grid point, so no confidence band: sweep with seeds >= 2 for one.',
      spec: {
        width: WIDTH,
        height: HEIGHT,
        data: { values },
        encoding: { x: { field: 'x', type: 'quantitative', title: xTitle }, color },
        layer: [
          ...(band ? [{ mark: { type: 'area', opacity: 0.18, clip: true }, encoding: { y: { field: 'low', type: 'quantitative', title, ...y }, y2: { field: 'high' } } }] : []),
          { mark: { type: 'line', point: true, strokeWidth: 2, clip: true }, encoding: { y: { field: 'mean', type: 'quantitative', title, ...y } } },
        ],
      } as TopLevelSpec,
    });
  }
  const points = rows
    .map((r) => ({ x: num(r.cells['energy.perFinishedRequestJ.mean']), y: num(r.cells['latency.e2eS.p99.mean']), series: r.series, at: r.x }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (points.length > 0) charts.push(paretoChart(`pareto-sweep-${index}`, `${sweep.label}: energy vs p99 latency`, points, band ? 'grid points (mean over seeds)' : 'grid points'));
  return charts;
}

/** Energy per request vs p99 latency of whole runs (policies), with the Pareto front. */
export function runsParetoChart(runs: readonly RunInput[]): ChartSpec | undefined {
  const get = (s: Record<string, unknown>, path: string[]) => path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), s);
  const points = runs
    .map((r) => ({ x: Number(get(r.summary, ['energy', 'perFinishedRequestJ']) ?? NaN), y: Number(get(r.summary, ['latency', 'e2eS', 'p99']) ?? NaN), series: r.label, at: 0 }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  return points.length >= 2 ? paretoChart('pareto-runs', 'Runs: energy vs p99 latency', points, 'one point per run') : undefined;
}

function paretoChart(id: string, title: string, points: readonly { x: number; y: number; series: string; at: number }[], what: string): ChartSpec {
  const front = paretoFront(points).map((p) => ({ x: p.x, y: p.y }));
  return {
    id,
    title,
    caption: `Energy per finished request vs p99 E2E latency, ${what}. The black line joins the Pareto front: no other point is better on both.`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 50, opacity: 0.8 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: 'energy per finished request (J)', scale: { zero: false } },
            y: { field: 'y', type: 'quantitative', title: 'p99 E2E latency (s)', scale: { zero: false } },
            color: { field: 'series', type: 'nominal', title: 'series' },
          },
        },
        {
          data: { values: front },
          mark: { type: 'line', color: 'black', strokeWidth: 1.5, point: { color: 'black' } },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
        },
      ],
    } as TopLevelSpec,
  };
}

function levelText(sweep: SweepInput): string {
  return sweep.level === undefined ? 'sweep' : `${Number((sweep.level * 100).toPrecision(4))}%`;
}

/**
 * A capacity search per target: each probe's mean over seeds with its confidence interval, by
 * group, filled where every target held and hollow where one failed, and the target's bound as a
 * rule: the answer is where a group's points cross it.
 */
export function capacityCharts(c: CapacityInput, index: number): ChartSpec[] {
  const xTitle = c.knob === 'replicas' ? 'replicas' : 'arrival rate';
  return c.targets.flatMap((t, k) => {
    const values = c.probes
      .map((p) => ({ x: p.x, group: p.group, result: p.pass ? 'meets all targets' : 'misses', mean: p.cells[`${t.label}.mean`]!, low: p.cells[`${t.label}.low`]!, high: p.cells[`${t.label}.high`]! }))
      .filter((v) => Number.isFinite(v.mean))
      .map((v) => ({ ...v, low: Number.isFinite(v.low) ? v.low : v.mean, high: Number.isFinite(v.high) ? v.high : v.mean }));
    if (values.length === 0) return [];
    const positive = values.every((v) => v.low > 0) && t.bound > 0;
    const y = { field: 'mean', type: 'quantitative', title: t.label, scale: positive ? { type: 'log' } : {} };
    return [
      {
        id: `capacity-${index}-${k}`,
        title: `${c.label}: ${t.label} vs ${xTitle} (bound ${t.sense === 'max' ? '<=' : '>='} ${t.bound})`,
        caption: `Every probe of the capacity search: mean over seeds with its confidence interval, by group; filled points met every target. The rule is the bound${positive ? '; log scale' : ''}.`,
        spec: {
          width: WIDTH,
          height: HEIGHT,
          layer: [
            {
              data: { values },
              layer: [
                { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: { field: 'x', type: 'quantitative', title: xTitle }, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: { field: 'group', type: 'nominal', title: 'group' } } },
                {
                  mark: { type: 'point', size: 60, strokeWidth: 2 },
                  encoding: {
                    x: { field: 'x', type: 'quantitative', title: xTitle },
                    y,
                    color: { field: 'group', type: 'nominal', title: 'group' },
                    fill: { condition: { test: "datum.result === 'meets all targets'", field: 'group', type: 'nominal' }, value: 'transparent' },
                    shape: { field: 'result', type: 'nominal', title: 'probe' },
                  },
                },
              ],
            },
            { data: { values: [{ bound: t.bound }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { field: 'bound', type: 'quantitative' } } },
          ],
        } as TopLevelSpec,
      },
    ];
  });
}
