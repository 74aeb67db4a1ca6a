import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A chart for the report: a Vega-Lite spec with its data inline, and a caption. */
export interface ChartSpec {
  /** Stable id (used in the page and by tests). */
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

/** Look shared by every chart: system fonts (nothing to download), quiet axes. */
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/**
 * Compiles the Vega-Lite spec to Vega and renders it headless to SVG text (no browser, no canvas:
 * the 'none' renderer builds the scenegraph, toSVG serializes it). Data must be inline: the
 * loader is never asked to fetch anything, so the report opens with no network.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const vega = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new View(parse(vega), { renderer: 'none', logLevel: 0 });
  try {
    return scopeIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * Vega numbers clip paths from a process-wide counter (clip1, clip2, ...), so the same chart
 * would get other ids in a longer-lived process. Renumber them per chart under `prefix`: the page
 * stays byte-identical for the same inputs, and ids stay unique across its charts.
 */
export function scopeIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (all, lead: string, id: string) => (ids.has(id) ? `${lead}${ids.get(id)}` : all));
}
