import { classOf, classSettings, type ClassesSpec } from '../simulation/admission.js';
import type { SimResult } from '../simulation/result.js';
import { distribution, type Distribution } from './distribution.js';
import { countGoodput, type Slo } from './goodput.js';
import { STATUS_FINISHED, STATUS_REJECTED, STATUS_TIMED_OUT } from './records.js';
import type { LatencyColumns } from './request-metrics.js';
import { roundOrNull } from './round.js';

/** One request class's figures in summary.json (`classes`, when the scenario defines classes). */
export interface ClassSummary {
  readonly class: string;
  readonly priority: number;
  readonly requests: { readonly total: number; readonly finished: number; readonly rejected: number; readonly admissionRejected: number; readonly timedOut: number };
  readonly latency: { readonly ttftS: Distribution; readonly tpotS: Distribution; readonly e2eS: Distribution };
  /** Requests meeting the class's SLO (else the scenario's) and their deadline; `attainment` = good / total. */
  readonly goodput: { readonly slo: { readonly ttftS: number | null; readonly tpotS: number | null; readonly e2eS: number | null }; readonly requests: number; readonly attainment: number | null };
}

/** Jain's fairness index over the classes' SLO attainment: (sum x)^2 / (n sum x^2), 1 = equal. */
export interface FairnessSummary {
  readonly jainAttainment: number | null;
}

/**
 * Figures per class, in order of the class names (sorted; every class that has requests or a
 * `classes` entry, `default` included when used). Attainment is the class's goodput fraction.
 */
export function summarizeClasses(result: SimResult, latency: LatencyColumns, classes: ClassesSpec, slo: Slo): { classes: ClassSummary[]; fairness: FairnessSummary } {
  const { requests, records } = result;
  const members = new Map<string, number[]>();
  for (const name of Object.keys(classes)) members.set(name, []);
  for (let i = 0; i < requests.length; i++) {
    const c = classOf(requests[i]!);
    let list = members.get(c);
    if (list === undefined) members.set(c, (list = []));
    list.push(i);
  }
  const names = [...members.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: ClassSummary[] = [];
  for (const name of names) {
    const ids = members.get(name)!;
    const settings = classSettings(classes, name);
    const classSlo = settings?.slo ?? slo;
    const pick = (col: Float64Array) => Float64Array.from(ids, (i) => col[i]!);
    let finished = 0, rejected = 0, admissionRejected = 0, timedOut = 0;
    for (const i of ids) {
      const s = records.status[i];
      if (s === STATUS_FINISHED) finished++;
      else if (s === STATUS_TIMED_OUT) timedOut++;
      else if (s === STATUS_REJECTED) {
        rejected++;
        if (records.rejectReason.get(i)?.startsWith('admission:')) admissionRejected++;
      }
    }
    const good = countGoodput(result, latency, classSlo, ids).good;
    out.push({
      class: name,
      priority: settings?.priority ?? 0,
      requests: { total: ids.length, finished, rejected, admissionRejected, timedOut },
      latency: { ttftS: distribution(pick(latency.ttftS)), tpotS: distribution(pick(latency.tpotS)), e2eS: distribution(pick(latency.e2eS)) },
      goodput: {
        slo: { ttftS: classSlo.ttftS ?? null, tpotS: classSlo.tpotS ?? null, e2eS: classSlo.e2eS ?? null },
        requests: good,
        attainment: ids.length > 0 ? roundOrNull(good / ids.length) : null,
      },
    });
  }
  return { classes: out, fairness: { jainAttainment: roundOrNull(jain(out.filter((c) => c.requests.total > 0).map((c) => c.goodput.attainment!))) } };
}

/** Jain's index of `xs`: (sum x)^2 / (n sum x^2); NaN for no values or all zero. */
export function jain(xs: readonly number[]): number {
  let sum = 0, sq = 0;
  for (const x of xs) {
    sum += x;
    sq += x * x;
  }
  return xs.length > 0 && sq > 0 ? (sum * sum) / (xs.length * sq) : NaN;
}
