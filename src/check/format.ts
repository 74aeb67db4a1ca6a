import Table from 'cli-table3';
import type { Leaf } from './flatten.js';
import type { CheckReport } from './check.js';
import type { LimitResult } from './limits.js';

const PLAIN = { head: [] as string[], border: [] as string[], compact: true };

/** The drifted values as a plain table (metric, baseline, result, diff, relative diff, tolerance). */
export function formatDriftTable(report: CheckReport): string {
  const t = new Table({
    head: ['metric', 'baseline', 'result', 'diff', 'rel diff', 'tolerance (abs | rel)'],
    style: PLAIN,
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const d of report.drifts) {
    t.push([
      d.metric,
      d.kind === 'new' ? '(absent)' : show(d.baseline),
      d.kind === 'missing' ? '(absent)' : show(d.result),
      d.diff === null ? d.kind : signed(d.diff),
      d.relDiff === null ? '-' : `${signed(d.relDiff * 100)}%`,
      `${d.tolerance.abs} | ${d.tolerance.rel}${d.tolerance.better ? ` (${d.tolerance.better} better)` : ''}`,
    ]);
  }
  return `${t.toString()}\n`;
}

function show(v: Leaf | undefined): string {
  return v === undefined ? '' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function signed(x: number): string {
  const s = String(Number(x.toPrecision(4)));
  return x > 0 ? `+${s}` : s;
}

/** The limits a result broke: limit, result. */
export function formatLimitTable(limits: readonly LimitResult[]): string {
  const t = new Table({ head: ['limit broken', 'result'], style: PLAIN, colAligns: ['left', 'right'] });
  for (const l of limits) if (!l.ok) t.push([l.limit.text, l.result === undefined ? '(absent)' : String(l.result)]);
  return `${t.toString()}\n`;
}
