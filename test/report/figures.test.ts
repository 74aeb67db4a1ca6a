import { describe, expect, it } from 'vitest';
import { latencyCdfCharts, reportSeries, runsParetoChart, SeriesStyles, sweepCharts } from '../../src/report/charts.js';
import { uniqueLabels, type RunInput, type SweepInput } from '../../src/report/inputs.js';
import type { ChartSpec } from '../../src/report/render.js';

/**
 * The report's figure conventions (README "Report"): one colour and marker per series across the
 * page, legends of values (names in the title), log-y for p99, SLO lines, goodput vs load.
 */

const run = (label: string, e2e: number[], slo: Record<string, number | null>): RunInput => ({
  label,
  dir: `/somewhere/${label}`,
  summary: { name: label, goodput: { slo }, latency: { e2eS: { p99: Math.max(...e2e) } }, energy: { perFinishedRequestJ: e2e.length } },
  requests: {
    arrivalS: Float64Array.from(e2e.map((_, i) => i)),
    queueingDelayS: Float64Array.from(e2e.map(() => 0)),
    ttftS: Float64Array.from(e2e.map((v) => v / 10)),
    e2eS: Float64Array.from(e2e),
    device: e2e.map(() => 'a/0'),
  },
});

// Two grid points per series: p99 means 2 and 8 (low 0.1 and -3: the second dips below 0).
const sweep = (params: string[], rows: string[][]): SweepInput => {
  const stats = ['latency.e2eS.p99', 'goodput.requestsPerS', 'throughput.requestsPerS'];
  return {
    label: 'sw',
    file: 'points.csv',
    params,
    columns: ['point', ...params, 'runs', ...stats.flatMap((m) => [`${m}.mean`, `${m}.low`, `${m}.high`])],
    rows: rows.map((r, i) => [String(i), ...r, '3', ...(i % 2 === 0 ? ['2', '0.1', '3.9'] : ['8', '-3', '19']), '1', '0.5', '1.5', '1.2', '1', '1.4']),
  };
};

/** label -> colour and label -> shape from every fixed scale in a spec (walked recursively). */
function scales(spec: unknown, channel: 'color' | 'shape', into = new Map<string, string>()): Map<string, string> {
  if (spec && typeof spec === 'object') {
    for (const [k, v] of Object.entries(spec)) {
      const scale = k === channel ? (v as { scale?: { domain?: string[]; range?: string[] } }).scale : undefined;
      if (scale?.domain && scale.range) {
        scale.domain.forEach((d, i) => {
          if (into.has(d)) expect(into.get(d), `${channel} of ${d}`).toBe(scale.range![i]);
          into.set(d, scale.range![i]!);
        });
      } else scales(v, channel, into);
    }
  }
  return into;
}
const layers = (c: ChartSpec) => (c.spec as { layer: { mark: { type: string }; encoding?: Record<string, { field?: string; scale?: { type?: string; domainMin?: number } }>; data?: { values: Record<string, unknown>[] } }[] }).layer;

describe('report figures', () => {
  it('give the n-th series the n-th Tableau 10 colour and marker, the same in every chart', () => {
    const s = new SeriesStyles(['fifo', 'sjf']);
    expect([s.color('fifo'), s.shape('fifo'), s.color('sjf'), s.shape('sjf')]).toEqual(['#4c78a8', 'circle', '#f58518', 'square']);
    const many = new SeriesStyles(Array.from({ length: 40 }, (_, i) => `p${i}`));
    expect(new Set(Array.from({ length: 10 }, (_, i) => many.color(`p${i}`))).size).toBe(10);
    expect(new Set(Array.from({ length: 40 }, (_, i) => `${many.color(`p${i}`)} ${many.shape(`p${i}`)}`)).size).toBe(40);

    const runs = [run('fifo', [1, 2, 3, 4], { ttftS: 0.3, e2eS: null }), run('sjf-oracle', [1, 1, 2, 9], { ttftS: 0.3, e2eS: null })];
    const sw = sweep(['workload.rateScale', 'policy.params.routing'], [['1', 'round-robin'], ['2', 'round-robin'], ['1', 'least-loaded'], ['2', 'least-loaded']]);
    const styles = new SeriesStyles(reportSeries(runs, [sw]));
    // Charts drawn in another order than the page's still agree with it.
    const charts = [...sweepCharts(sw, 0, styles), runsParetoChart([...runs].reverse(), styles)!, ...latencyCdfCharts(runs, styles)];
    const colors = scales(charts, 'color');
    expect(Object.fromEntries(colors)).toEqual({ fifo: '#4c78a8', 'sjf-oracle': '#f58518', 'round-robin': '#e45756', 'least-loaded': '#72b7b2' });
    expect(Object.fromEntries(scales(charts, 'shape'))).toEqual({ fifo: 'circle', 'sjf-oracle': 'square', 'round-robin': 'triangle-up', 'least-loaded': 'diamond' });
  });

  it("label sweep series by values, the parameters' names in the legend title", () => {
    const sw = sweep(['workload.rateScale', 'policy.params.routing', 'cluster.devices[0].slots'], [['1', 'least-loaded', '2'], ['2', 'least-loaded', '2']]);
    const chart = sweepCharts(sw, 0)[0]!;
    const color = layers(chart)[1]!.encoding!.color as unknown as { title: string; scale: { domain: string[] } };
    expect(color.title).toBe('routing, slots');
    expect(color.scale.domain).toEqual(['least-loaded, 2']);
  });

  it('draw p99 on a log axis, cutting band bounds below a quarter of the smallest mean', () => {
    const [p99] = sweepCharts(sweep(['workload.rateScale'], [['1'], ['2']]), 0);
    const [, line] = layers(p99!);
    expect(line!.encoding!.y!.scale!.type).toBe('log');
    const values = (p99!.spec as { data: { values: { mean: number; low: number }[] } }).data.values;
    expect(values.map((v) => [v.mean, v.low])).toEqual([[2, 0.5], [8, 0.5]]); // floor 2 / 4; -3 cut to it
    expect(p99!.caption).toMatch(/Log scale.*bands are cut at the bottom of the axis/);
  });

  it('draw the SLO target on the CDF it applies to, as a dashed rule', () => {
    const [e2e, ttft] = latencyCdfCharts([run('fifo', [1, 2, 3, 4], { ttftS: 0.3, e2eS: null })]);
    expect(layers(e2e!).map((l) => l.mark.type)).toEqual(['line', 'point']);
    const rule = layers(ttft!).find((l) => l.mark.type === 'rule')!;
    expect(rule.data!.values).toEqual([{ slo: 0.3, text: 'SLO 0.3 s' }]);
    expect(ttft!.caption).toContain('Dashed line: the SLO target (0.3 s).');
    // Markers at p50, p90, p99 of 1..4: the 2nd, 4th and 4th order statistics.
    const marked = (layers(e2e!)[0]!.data!.values as { latencyS: number; marked: boolean }[]).filter((v) => v.marked).map((v) => v.latencyS);
    expect(marked).toEqual([2, 4]);
  });

  it('chart goodput vs load only when the x axis is a load', () => {
    const ids = (sw: SweepInput) => sweepCharts(sw, 0).map((c) => c.id);
    expect(ids(sweep(['workload.rateScale'], [['1'], ['2']]))).toContain('sweep-0-goodput');
    expect(ids(sweep(['cluster.devices[0].targetLatencyS'], [['1'], ['2']]))).not.toContain('sweep-0-goodput');
  });

  it('tell runs of the same name apart by the directory where their paths differ, not by paths', () => {
    const r = (dir: string) => ({ ...run('fifo', [1], {}), dir });
    const labels = uniqueLabels([r('/x/baseline/compare/fifo'), r('/x/candidate/compare/fifo'), run('sjf', [1], {})]).map((u) => u.label);
    expect(labels).toEqual(['fifo (baseline)', 'fifo (candidate)', 'sjf']);
  });
});
