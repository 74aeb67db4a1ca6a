import { capacityCharts, latencyCdfCharts, reportSeries, runsParetoChart, SeriesStyles, sweepCharts, sweepTitle, timelineCharts } from './charts.js';
import { pointsTable, reportHtml, runsTable, type ReportSection } from './html.js';
import type { ReportInputs } from './inputs.js';
import { renderSvg, type ChartSpec } from './render.js';

/** Where `--figures` puts one SVG file per chart, and the page's relative link to that folder. */
export interface ReportFigures {
  readonly href: string;
  write(name: string, svg: string): void;
}

/**
 * Builds the report page from what readReportInputs found: latency CDFs per run/policy, latency
 * vs load with confidence bands and the energy/latency Pareto front per sweep, queue length and
 * utilization over time per run, and the summary tables. Same inputs, same bytes.
 */
export async function buildReport(inputs: ReportInputs, title: string, sources: readonly string[], figures?: ReportFigures): Promise<string> {
  // One colour and marker per series (policy) across every chart of the page.
  const styles = new SeriesStyles(reportSeries(inputs.runs, inputs.sweeps));
  const noRequests = 'No requests.csv found: run without --no-requests (or use llmsim compare) to get per-request data.';
  const pareto = runsParetoChart(inputs.runs, styles);
  const plan: { title: string; charts: ChartSpec[]; note?: string }[] = [
    { title: 'Latency distributions', charts: latencyCdfCharts(inputs.runs, styles), note: noRequests },
    ...inputs.sweeps.map((s, i) => ({ title: sweepTitle(s), charts: sweepCharts(s, i, styles), note: 'No latency or energy columns in points.csv.' })),
    ...(pareto ? [{ title: 'Energy vs latency of the runs', charts: [pareto] }] : []),
    ...(inputs.capacities ?? []).map((c, i) => ({ title: `Capacity search: ${c.label}`, charts: capacityCharts(c, i) })),
    { title: 'Queue length and utilization over time', charts: timelineCharts(inputs.runs), note: noRequests },
  ].filter((s) => s.charts.length > 0 || inputs.runs.length > 0);
  const sections: ReportSection[] = [];
  // One chart at a time: vega views are heavy, and the order of the page must not depend on timing.
  for (const s of plan) {
    const charts = [];
    for (const c of s.charts) {
      const svg = await renderSvg(c.spec, c.id);
      figures?.write(`${c.id}.svg`, svg);
      charts.push({ id: c.id, title: c.title, caption: c.caption, svg, file: figures ? `${figures.href}/${c.id}.svg` : undefined });
    }
    sections.push({ title: s.title, charts, note: s.note });
  }
  const tables = [runsTable(inputs.runs), ...inputs.sweeps.map(pointsTable)].filter((t) => t !== '').join('\n');
  return reportHtml(title, sources, sections, tables);
}
