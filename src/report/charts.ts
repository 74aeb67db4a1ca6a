import type { TopLevelSpec } from 'vega-lite';
import { cdfPoints, paretoFront, timeline } from './derive.js';
import type { CapacityInput, RunInput, SweepInput } from './inputs.js';
import type { ChartSpec } from './render.js';

const WIDTH = 560;
const HEIGHT = 260;

/**
 * One colour and one marker per series (a run/policy, or a sweep's combination of the other
 * parameters) for the whole report: the n-th series named anywhere in the report gets the n-th
 * colour of Tableau 10 and the n-th marker, so the same policy looks the same in every chart.
 */
export class SeriesStyles {
  static readonly COLORS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'] as const;
  static readonly SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left'] as const;
  private readonly index = new Map<string, number>();

  /** Styles for these series labels, in the order given (duplicates count once). */
  constructor(labels: Iterable<string> = []) {
    for (const l of labels) this.add(l);
  }

  private add(label: string): number {
    let i = this.index.get(label);
    if (i === undefined) this.index.set(label, (i = this.index.size));
    return i;
  }

  color(label: string): string {
    return SeriesStyles.COLORS[this.add(label) % SeriesStyles.COLORS.length]!;
  }

  shape(label: string): string {
    return SeriesStyles.SHAPES[this.add(label) % SeriesStyles.SHAPES.length]!;
  }

  /**
   * Color and shape encodings of `field` with a fixed scale: the chart's own labels (so its legend
   * lists only them), each with the report-wide colour and marker.
   */
  encode(field: string, title: string, labels: readonly string[]): { color: Record<string, unknown>; shape: Record<string, unknown> } {
    const domain = [...new Set(labels)];
    return {
      // Full-strength legend symbols, whatever the opacity of the marks (bands are faint).
      color: { field, type: 'nominal', title, scale: { domain, range: domain.map((l) => this.color(l)) }, legend: { symbolOpacity: 1, symbolFillColor: null } },
      shape: { field, type: 'nominal', title, scale: { domain, range: domain.map((l) => this.shape(l)) }, legend: { symbolOpacity: 1 } },
    };
  }
}

/** Every series label the report's charts use, in the order the charts name them. */
export function reportSeries(runs: readonly RunInput[], sweeps: readonly SweepInput[]): string[] {
  return [...runs.map((r) => r.label), ...sweeps.flatMap((s) => layoutSweep(s).rows.map((r) => r.series))];
}

/** SLO targets (s) of the runs, from their summaries (goodput.slo), one per distinct value. */
function sloTargets(runs: readonly RunInput[], key: 'e2eS' | 'ttftS'): number[] {
  const values = runs.map((r) => {
    const slo = (r.summary.goodput as { slo?: Record<string, unknown> } | undefined)?.slo;
    return typeof slo?.[key] === 'number' ? (slo[key] as number) : NaN;
  });
  return [...new Set(values.filter((v) => Number.isFinite(v) && v > 0))].sort((a, b) => a - b);
}

/** A dashed rule with a label at each SLO target: vertical (x) or horizontal (y). */
function sloLayer(targets: readonly number[], axis: 'x' | 'y'): object[] {
  if (targets.length === 0) return [];
  const values = targets.map((t) => ({ slo: t, text: `SLO ${t} s` }));
  const enc = { [axis]: { field: 'slo', type: 'quantitative' } };
  return [
    { data: { values }, mark: { type: 'rule', color: '#333', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: enc },
    {
      data: { values },
      mark: axis === 'x' ? { type: 'text', color: '#333', angle: 0, align: 'left', dx: 4, y: 8, fontSize: 11 } : { type: 'text', color: '#333', align: 'left', x: 4, dy: -6, fontSize: 11 },
      encoding: { ...enc, text: { field: 'text' } },
    },
  ];
}

const sloCaption = (targets: readonly number[]) => (targets.length === 0 ? '' : ` Dashed line: the SLO target${targets.length > 1 ? 's' : ''} (${targets.map((t) => `${t} s`).join(', ')}).`);

/** The quantiles marked on CDF lines with the run's marker. */
const MARKED_P = [0.5, 0.9, 0.99] as const;

/**
 * Latency CDFs, one line per run (policy): E2E, and TTFT where the devices stream tokens. Each
 * line carries its run's marker at the p50, p90 and p99 steps; the SLO target is a dashed line.
 */
export function latencyCdfCharts(runs: readonly RunInput[], styles = new SeriesStyles(runs.map((r) => r.label))): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const metrics = [
    ['e2eS', 'E2E latency'],
    ['ttftS', 'Time to first token'],
  ] as const;
  for (const [key, name] of metrics) {
    const values = runs.flatMap((r) => {
      if (!r.requests) return [];
      const points = cdfPoints(r.requests[key]);
      // The first step at or above each marked quantile.
      const marked = new Set(MARKED_P.map((q) => points.findIndex((c) => c.p >= q - 1e-12)));
      return points.map((c, i) => ({ run: r.label, latencyS: c.value, p: c.p, marked: marked.has(i) }));
    });
    if (values.length === 0) continue;
    const positive = values.every((v) => v.latencyS > 0);
    const slo = sloTargets(runs.filter((r) => r.requests), key);
    const series = styles.encode('run', 'run / policy', values.map((v) => v.run));
    const x = { field: 'latencyS', type: 'quantitative', title: `${name} (s)`, scale: positive ? { type: 'log', nice: false } : {} };
    charts.push({
      id: `cdf-${key}`,
      title: `${name}: CDF per policy`,
      caption: `Empirical CDF of ${name.toLowerCase()} over finished requests (first seed of each run)${positive ? '; log scale' : ''}. Markers at p50, p90 and p99.${sloCaption(slo)}`,
      spec: {
        width: WIDTH,
        height: HEIGHT,
        layer: [
          {
            data: { values },
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
            encoding: { x, y: { field: 'p', type: 'quantitative', title: 'fraction of requests', scale: { domain: [0, 1] } }, color: series.color },
          },
          {
            data: { values },
            transform: [{ filter: 'datum.marked' }],
            mark: { type: 'point', filled: true, size: 60, opacity: 1 },
            encoding: { x, y: { field: 'p', type: 'quantitative' }, color: series.color, shape: series.shape },
          },
          ...sloLayer(slo, 'x'),
        ],
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
          // Replicas are not policies: another palette, so no replica is mistaken for a policy.
          color: { field: 'replica', type: 'nominal', title: 'replica', scale: { scheme: 'dark2' } },
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
  /** The legend's title: the names of the parameters whose values label the series. */
  readonly seriesTitle: string;
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

/**
 * Lays a sweep out: x is the load-like parameter, and each combination of the other parameters is
 * a series, labelled by its values only ("least-loaded, 2"), the parameter names going to the
 * legend's title ("routing, slots"); a sweep with no other parameter is one series, its name.
 */
function layoutSweep(sweep: SweepInput): SweepLayout {
  const col = (row: readonly string[], name: string) => row[sweep.columns.indexOf(name)] ?? '';
  const { x, load } = sweepAxis(sweep);
  const others = sweep.params.filter((p) => p !== x);
  const rows = sweep.rows.map((r) => {
    const cells: Record<string, string> = {};
    sweep.columns.forEach((c, i) => (cells[c] = r[i] ?? ''));
    return { x: x === undefined ? Number(col(r, 'point')) : Number(col(r, x)), series: others.map((p) => col(r, p)).join(', ') || sweep.label, cells };
  });
  return { x, load, rows, seriesTitle: others.map((p) => p.split('.').at(-1)!.replace(/\[\d+\]$/, '')).join(', ') || 'sweep' };
}

const num = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));

/** The mean of `metric` per grid point, with its interval (the mean itself where there is none). */
function meanBand(rows: SweepLayout['rows'], metric: string) {
  return rows
    .map((r) => ({ x: r.x, series: r.series, mean: num(r.cells[`${metric}.mean`]), low: num(r.cells[`${metric}.low`]), high: num(r.cells[`${metric}.high`]) }))
    .filter((v) => Number.isFinite(v.mean))
    .map((v) => ({ ...v, low: Number.isFinite(v.low) ? v.low : v.mean, high: Number.isFinite(v.high) ? v.high : v.mean }));
}

/**
 * p99 and mean latency vs load with confidence bands (p99 on a log axis when every mean and band
 * bound is > 0: the tail spans orders of magnitude as load nears capacity), goodput vs load when
 * the x axis is a load, and energy vs p99 latency with its Pareto front.
 */
export function sweepCharts(sweep: SweepInput, index: number, styles = new SeriesStyles(layoutSweep(sweep).rows.map((r) => r.series))): ChartSpec[] {
  const { x, load, rows, seriesTitle } = layoutSweep(sweep);
  const xTitle = x ?? 'grid point';
  // With one run per point there is no interval to draw: say so rather than promise a band.
  const band = rows.some((r) => Number(r.cells.runs) >= 2);
  const bandCaption = band ? `Mean over seeds per grid point; the band is the ${levelText(sweep)} confidence interval of the mean.` : 'One run (seed) per grid point, so no confidence band: sweep with seeds >= 2 for one.';
  const charts: ChartSpec[] = [];
  const metrics = [
    ['latency.e2eS.p99', 'p99 E2E latency (s)'],
    ['latency.e2eS.mean', 'mean E2E latency (s)'],
    ['latency.ttftS.p99', 'p99 TTFT (s)'],
  ] as const;
  const lines = (values: ReturnType<typeof meanBand>, title: string, y: Record<string, unknown>, extra: object[] = []) => {
    const series = styles.encode('series', seriesTitle, values.map((v) => v.series));
    return {
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      encoding: { x: { field: 'x', type: 'quantitative', title: xTitle } },
      layer: [
        ...(band ? [{ mark: { type: 'area', opacity: 0.15, clip: true }, encoding: { y: { field: 'low', type: 'quantitative', title, ...y }, y2: { field: 'high' }, color: series.color } }] : []),
        { mark: { type: 'line', strokeWidth: 2, clip: true }, encoding: { y: { field: 'mean', type: 'quantitative', title, ...y }, color: series.color } },
        { mark: { type: 'point', filled: true, size: 80, opacity: 1, clip: true }, encoding: { y: { field: 'mean', type: 'quantitative', title, ...y }, color: series.color, shape: series.shape } },
        ...extra,
      ],
    } as TopLevelSpec;
  };
  for (const [metric, title] of metrics) {
    let values = meanBand(rows, metric);
    if (values.length === 0) continue;
    const tail = metric.endsWith('.p99');
    const log = tail && values.every((v) => v.mean > 0);
    let y: Record<string, unknown> = values.every((v) => v.mean >= 0) ? { scale: { domainMin: 0 } } : {}; // bounds can dip below 0; the axis need not
    let note = '';
    if (log) {
      // A log axis has no 0: a band bound below a quarter of the smallest mean is cut there (and said).
      const floor = Math.min(...values.map((v) => v.mean)) / 4;
      const cut = values.some((v) => v.low < floor);
      values = values.map((v) => ({ ...v, low: Math.max(v.low, floor) }));
      y = { scale: { type: 'log', domainMin: Math.min(...values.map((v) => v.low)) } };
      note = ` Log scale: the tail grows by orders of magnitude near capacity${cut ? '; bands are cut at the bottom of the axis' : ''}.`;
    }
    charts.push({ id: `sweep-${index}-${metric}`, title: `${sweep.label}: ${title} vs ${xTitle}`, caption: bandCaption + note, spec: lines(values, title, y) });
  }
  const goodput = meanBand(rows, 'goodput.requestsPerS');
  if (load && goodput.length > 0) {
    const throughput = meanBand(rows, 'throughput.requestsPerS').map((v) => ({ x: v.x, series: v.series, thr: v.mean }));
    const series = styles.encode('series', seriesTitle, throughput.map((v) => v.series));
    const dashed = throughput.length === 0 ? [] : [{ data: { values: throughput }, mark: { type: 'line', strokeWidth: 1.5, strokeDash: [5, 4], clip: true }, encoding: { y: { field: 'thr', type: 'quantitative' }, color: series.color } }];
    charts.push({
      id: `sweep-${index}-goodput`,
      title: `${sweep.label}: goodput vs ${xTitle}`,
      caption: `Goodput: finished requests per second that met every SLO (solid, with markers); dashed: throughput, all finished requests per second. Where they part, load is turning into SLO misses. ${bandCaption}`,
      spec: lines(goodput, 'requests/s', { scale: { domainMin: 0 } }, dashed),
    });
  }
  const points = rows
    .map((r) => ({ x: num(r.cells['energy.perFinishedRequestJ.mean']), y: num(r.cells['latency.e2eS.p99.mean']), series: r.series, at: r.x }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (points.length > 0) charts.push(paretoChart(`pareto-sweep-${index}`, `${sweep.label}: energy vs p99 latency`, points, band ? 'grid points (mean over seeds)' : 'grid points', styles, seriesTitle));
  return charts;
}

/** Energy per request vs p99 latency of whole runs (policies), with the Pareto front. */
export function runsParetoChart(runs: readonly RunInput[], styles = new SeriesStyles(runs.map((r) => r.label))): ChartSpec | undefined {
  const get = (s: Record<string, unknown>, path: string[]) => path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), s);
  const points = runs
    .map((r) => ({ x: Number(get(r.summary, ['energy', 'perFinishedRequestJ']) ?? NaN), y: Number(get(r.summary, ['latency', 'e2eS', 'p99']) ?? NaN), series: r.label, at: 0 }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  return points.length >= 2 ? paretoChart('pareto-runs', 'Runs: energy vs p99 latency', points, 'one point per run', styles, 'run / policy') : undefined;
}

function paretoChart(id: string, title: string, points: readonly { x: number; y: number; series: string; at: number }[], what: string, styles: SeriesStyles, seriesTitle: string): ChartSpec {
  const front = paretoFront(points).map((p) => ({ x: p.x, y: p.y }));
  const series = styles.encode('series', seriesTitle, points.map((p) => p.series));
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
          mark: { type: 'point', filled: true, size: 60, opacity: 0.85 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: 'energy per finished request (J)', scale: { zero: false } },
            y: { field: 'y', type: 'quantitative', title: 'p99 E2E latency (s)', scale: { zero: false } },
            ...series,
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
