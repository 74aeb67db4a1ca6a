import type { RunInput, SweepInput } from './inputs.js';

/** A rendered chart ready for the page. */
export interface RenderedChart {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
  /** Relative link to the chart's own SVG file (report --figures), shown under the chart. */
  readonly file?: string;
}

/** A titled group of charts. */
export interface ReportSection {
  readonly title: string;
  readonly charts: readonly RenderedChart[];
  /** Shown when there are no charts: why (e.g. no requests.csv). */
  readonly note?: string;
}

// Inline styles only: the file must open anywhere with no network and no other file.
const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1280px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px;border-bottom:1px solid #d9dce1;padding-bottom:4px}
p.meta{color:#5b6270;margin:0 0 16px}
.grid{display:flex;flex-wrap:wrap;gap:16px}
figure.chart{background:#fff;border:1px solid #e2e5ea;border-radius:6px;padding:12px;margin:0}
figure.chart h3{font-size:14px;margin:0 0 6px}
figure.chart figcaption{color:#5b6270;font-size:12px;max-width:620px;margin-top:4px}
table{border-collapse:collapse;background:#fff;font-size:12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #e2e5ea;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#eef0f3}td.l,th.l{text-align:left}
.scroll{overflow-x:auto;max-width:100%}
p.note{color:#5b6270;font-style:italic}
`;

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The whole report as one self-contained HTML page: inline CSS, inline SVG, no scripts. */
export function reportHtml(title: string, sources: readonly string[], sections: readonly ReportSection[], tables: string): string {
  const body = sections
    .map((s) => {
      const figures = s.charts
        .map((c) => `<figure class="chart" id="${escapeHtml(c.id)}" data-chart="${escapeHtml(c.id)}"><h3>${escapeHtml(c.title)}</h3>${c.svg}<figcaption>${escapeHtml(c.caption)}${c.file ? ` <a class="export" href="${escapeHtml(c.file)}" download>SVG</a>` : ''}</figcaption></figure>`)
        .join('\n');
      return `<section><h2>${escapeHtml(s.title)}</h2>${s.charts.length > 0 ? `<div class="grid">\n${figures}\n</div>` : `<p class="note">${escapeHtml(s.note ?? 'Nothing to show.')}</p>`}</section>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="meta">From ${sources.map((s) => escapeHtml(s)).join(', ')}. Charts rendered with Vega-Lite; this file needs no network.</p>
${body}
<section><h2>Summary</h2>
${tables}
</section>
</main>
</body>
</html>
`;
}

const RUN_COLUMNS: readonly [string, string[]][] = [
  ['finished', ['requests', 'finished']],
  ['total', ['requests', 'total']],
  ['TTFT mean (s)', ['latency', 'ttftS', 'mean']],
  ['TTFT p99 (s)', ['latency', 'ttftS', 'p99']],
  ['E2E mean (s)', ['latency', 'e2eS', 'mean']],
  ['E2E p99 (s)', ['latency', 'e2eS', 'p99']],
  ['req/s', ['throughput', 'requestsPerS']],
  ['output tok/s', ['throughput', 'outputTokensPerS']],
  ['goodput', ['goodput', 'fraction']],
  ['J/request', ['energy', 'perFinishedRequestJ']],
  ['kWh', ['energy', 'kWh']],
];

/** One row per run: the key figures of its summary.json. */
export function runsTable(runs: readonly RunInput[]): string {
  if (runs.length === 0) return '';
  const get = (o: unknown, path: string[]) => path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
  const head = `<tr><th class="l">run</th>${RUN_COLUMNS.map(([h]) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = runs.map((r) => `<tr><td class="l">${escapeHtml(r.label)}</td>${RUN_COLUMNS.map(([, p]) => `<td>${cell(get(r.summary, p))}</td>`).join('')}</tr>`);
  return `<h3>Runs</h3><div class="scroll"><table id="runs-table">${head}\n${rows.join('\n')}</table></div>`;
}

const POINT_METRICS: readonly [string, string][] = [
  ['latency.e2eS.p99', 'E2E p99 (s)'],
  ['latency.e2eS.mean', 'E2E mean (s)'],
  ['latency.ttftS.p99', 'TTFT p99 (s)'],
  ['goodput.fraction', 'goodput'],
  ['energy.perFinishedRequestJ', 'J/request'],
];

/** One row per grid point: parameters, then mean [low, high] of the key metrics. */
export function pointsTable(sweep: SweepInput): string {
  const idx = (c: string) => sweep.columns.indexOf(c);
  const metrics = POINT_METRICS.filter(([m]) => idx(`${m}.mean`) >= 0);
  const head = `<tr><th>point</th>${sweep.params.map((p) => `<th class="l">${escapeHtml(p)}</th>`).join('')}<th>runs</th>${metrics.map(([, h]) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = sweep.rows.map((r) => {
    const stat = (m: string) => {
      const [mean, low, high] = ['mean', 'low', 'high'].map((s) => r[idx(`${m}.${s}`)] ?? '');
      return mean === '' ? '-' : `${cell(Number(mean))}${low !== '' ? ` [${cell(Number(low))}, ${cell(Number(high))}]` : ''}`;
    };
    return `<tr><td>${escapeHtml(r[0] ?? '')}</td>${sweep.params.map((p) => `<td class="l">${escapeHtml(r[idx(p)] ?? '')}</td>`).join('')}<td>${escapeHtml(r[idx('runs')] ?? '')}</td>${metrics.map(([m]) => `<td>${stat(m)}</td>`).join('')}</tr>`;
  });
  return `<h3>${escapeHtml(sweep.label)}: grid points</h3><div class="scroll"><table class="points-table">${head}\n${rows.join('\n')}</table></div>`;
}

function cell(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '-';
  return escapeHtml(Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));
}
