import { capacityCharts, latencyCdfCharts, runsParetoChart, sweepCharts, sweepTitle, timelineCharts } from './charts.js';
import { pointsTable, reportHtml, runsTable, type ReportSection } from './html.js';
import type { ReportInputs } from './inputs.js';
import { renderSvg, type ChartSpec } from './render.js';

/**
 * Builds the report page from what readReportInputs found: latency CDFs per run/policy, latency
 * vs load with confidence bands and the energy/latency Pareto front per sweep, queue length and
 * utilization over time per run, and the summary tables. Same inputs, same bytes.
 */
export async function buildReport(inputs: ReportInputs, title: string, sources: readonly string[]): Promise<string> {
  const noRequests = 'No requests.csv found: run without --no-requests (or use llmsim compare) to get per-request data.';
  const pareto = runsParetoChart(inputs.runs);
  const plan: { title: string; charts: ChartSpec[]; note?: string }[] = [
    { title: 'Latency distributions', charts: latencyCdfCharts(inputs.runs), note: noRequests },
    ...inputs.sweeps.map((s, i) => ({ title: sweepTitle(s), charts: sweepCharts(s, i), note: 'No latency or energy columns in points.csv.' })),
    ...(pareto ? [{ title: 'Energy vs latency of the runs', charts: [pareto] }] : []),
    ...(inputs.capacities ?? []).map((c, i) => ({ title: `Capacity search: ${c.label}`, charts: capacityCharts(c, i) })),
    { title: 'Queue length and utilization over time', charts: timelineCharts(inputs.runs), note: noRequests },
  ].filter((s) => s.charts.length > 0 || inputs.runs.length > 0);
  const sections: ReportSection[] = [];
  // One chart at a time: vega views are heavy, and the order of the page must not depend on timing.
  for (const s of plan) {
    const charts = [];
    for (const c of s.charts) charts.push({ id: c.id, title: c.title, caption: c.caption, svg: await renderSvg(c.spec, c.id) });
    sections.push({ title: s.title, charts, note: s.note });
  }
  const tables = [runsTable(inputs.runs), ...inputs.sweeps.map(pointsTable)].filter((t) => t !== '').join('\n');
  return reportHtml(title, sources, sections, tables);
}
