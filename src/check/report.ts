import type { CheckReport, Drift } from './check.js';
import type { LimitResult } from './limits.js';

/** Everything one `llmsim check` found: drift against a baseline (if given) and limits broken. */
export interface CheckVerdict {
  readonly summary: string;
  readonly baseline: string | null;
  /** Against the baseline; null when only limits were checked. */
  readonly report: CheckReport | null;
  readonly limits: readonly LimitResult[];
}

/** True when nothing drifted and every limit holds. */
export function passed(v: CheckVerdict): boolean {
  return (v.report?.drifts.length ?? 0) === 0 && v.limits.every((l) => l.ok);
}

/** The verdict as JSON (`--format json`): stable keys, one object. */
export function checkJson(v: CheckVerdict): string {
  const drift = (d: Drift) => ({
    metric: d.metric,
    kind: d.kind,
    baseline: d.baseline ?? null,
    result: d.result ?? null,
    diff: d.diff,
    relDiff: d.relDiff,
    tolerance: { abs: d.tolerance.abs, rel: d.tolerance.rel, better: d.tolerance.better ?? null },
  });
  const out = {
    ok: passed(v),
    summary: v.summary,
    baseline: v.baseline,
    compared: v.report?.compared ?? 0,
    ignored: v.report?.ignored ?? 0,
    drifts: (v.report?.drifts ?? []).map(drift),
    limits: v.limits.map((l) => ({ limit: l.limit.text, metric: l.limit.metric, op: l.limit.op, value: l.limit.value, result: l.result ?? null, ok: l.ok })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * The verdict as JUnit XML (`--format junit`), which CI systems (GitLab, Jenkins, GitHub test
 * reporters) show per test: one test case per drifted value and per limit, plus one case
 * "baseline" standing for every value within tolerance, so a passing check is not an empty suite.
 */
export function checkJunit(v: CheckVerdict): string {
  const cases: string[] = [];
  const suite = 'llmsim check';
  if (v.report) {
    const ok = v.report.compared - v.report.drifts.length;
    cases.push(`    <testcase classname="${xml(suite)}" name="${xml(`${ok} of ${v.report.compared} value(s) within tolerance of ${v.baseline}`)}"/>`);
    for (const d of v.report.drifts) {
      const message = `${d.metric}: ${d.kind}: baseline ${show(d.baseline)}, result ${show(d.result)}${d.diff !== null ? `, diff ${d.diff}` : ''} (tolerance abs ${d.tolerance.abs} | rel ${d.tolerance.rel}${d.tolerance.better ? `, ${d.tolerance.better} is better` : ''})`;
      cases.push(`    <testcase classname="${xml(`${suite}.drift`)}" name="${xml(d.metric)}">\n      <failure message="${xml(message)}" type="drift"/>\n    </testcase>`);
    }
  }
  for (const l of v.limits) {
    const head = `    <testcase classname="${xml(`${suite}.limit`)}" name="${xml(l.limit.text)}"`;
    cases.push(l.ok ? `${head}/>` : `${head}>\n      <failure message="${xml(`${l.limit.text}: found ${show(l.result)}`)}" type="limit"/>\n    </testcase>`);
  }
  const failures = (v.report?.drifts.length ?? 0) + v.limits.filter((l) => !l.ok).length;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(suite)}" tests="${cases.length}" failures="${failures}">\n` +
    `  <testsuite name="${xml(`${suite} ${v.summary}`)}" tests="${cases.length}" failures="${failures}" errors="0">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`
  );
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Escapes text for XML attribute values. */
export function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
