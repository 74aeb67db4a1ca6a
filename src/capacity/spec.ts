import { InputError } from '../errors.js';
import type { FlatMetrics } from '../sweep/metrics.js';

/**
 * One SLO target of `llmsim capacity`, from `--target`: a latency percentile at most a bound
 * (`ttft.p99=2`), or a fraction at least one (`goodput=0.9`, `finished=1`).
 */
export interface Target {
  /** As written: `ttft.p99`. */
  readonly label: string;
  /** The summary field it reads, flat (`latency.ttftS.p99`), or `requests.finishedFraction`. */
  readonly metric: string;
  readonly bound: number;
  /** `max`: the metric must be at most bound; `min`: at least. */
  readonly sense: 'max' | 'min';
}

const LATENCIES: Record<string, string> = { ttft: 'ttftS', tpot: 'tpotS', e2e: 'e2eS', queue: 'queueingDelayS' };
const STATS = ['mean', 'p50', 'p90', 'p95', 'p99', 'max'];
const DECIMAL = /^[+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Parses `--target` values; every problem names the flag. */
export function parseTargets(texts: readonly string[]): Target[] {
  const out: Target[] = [];
  for (const text of texts) {
    const bad = (expected: string) => new InputError({ field: '--target' }, `expected ${expected}, found "${text}"`);
    const m = /^([a-z0-9.]+)=(.*)$/.exec(text.trim());
    if (!m) throw bad('<metric>=<number>, e.g. ttft.p99=2, tpot.p99=0.1, e2e.p90=30, goodput=0.9, finished=1');
    const [, label, num] = m as unknown as [string, string, string];
    if (!DECIMAL.test(num)) throw bad('a number after "=" (seconds for a latency, a fraction for goodput and finished)');
    const bound = Number(num);
    let target: Target;
    if (label === 'goodput' || label === 'finished') {
      if (!(bound >= 0 && bound <= 1)) throw bad(`a fraction in [0, 1] for ${label}`);
      target = { label, metric: label === 'goodput' ? 'goodput.fraction' : 'requests.finishedFraction', bound, sense: 'min' };
    } else {
      const [kind, stat] = label.split('.');
      if (kind === undefined || stat === undefined || LATENCIES[kind] === undefined || !STATS.includes(stat) || label.split('.').length !== 2) {
        throw bad(`a metric ${Object.keys(LATENCIES).join('|')}.${STATS.join('|')}, goodput or finished`);
      }
      if (!(bound > 0)) throw bad('a latency bound > 0 s');
      target = { label, metric: `latency.${LATENCIES[kind]}.${stat}`, bound, sense: 'max' };
    }
    if (out.some((t) => t.label === label)) throw bad(`each metric once (${label} is given twice)`);
    out.push(target);
  }
  return out;
}

/** A metric of one run, including `requests.finishedFraction` (finished / total). */
export function metricOf(m: FlatMetrics, metric: string): number | null {
  if (metric === 'requests.finishedFraction') {
    const total = m['requests.total'], finished = m['requests.finished'];
    return typeof total === 'number' && typeof finished === 'number' && total > 0 ? finished / total : null;
  }
  const v = m[metric];
  return typeof v === 'number' ? v : null;
}

/** A candidate device group from `--group`: fields set on the scenario's first device entry. */
export interface Candidate {
  /** As written. */
  readonly label: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** Fields that choose a profile one way; setting one of a way drops the other way's fields. */
const BY_NAME = ['profile'];
const BY_MODEL = ['model', 'hardware', 'tensorParallel', 'pipelineParallel', 'coefficientsFrom'];

/** Parses `--group key=value,key=value` values (none: the scenario's own group). */
export function parseCandidates(texts: readonly string[]): Candidate[] {
  if (texts.length === 0) return [{ label: 'scenario', fields: {} }];
  const seen = new Set<string>();
  return texts.map((text) => {
    const fields: Record<string, string | number | boolean> = {};
    for (const part of text.split(',')) {
      const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(\S.*?)\s*$/.exec(part);
      if (!m) throw new InputError({ field: '--group' }, `expected key=value pairs separated by ",", e.g. hardware=h100-sxm5-80gb,tensorParallel=4, found "${text}"`);
      const [, key, raw] = m as unknown as [string, string, string];
      if (key === 'replicas' || key === 'name' || key === 'kind') throw new InputError({ field: '--group' }, `expected device fields other than ${key} (capacity sets replicas itself; kind and name stay the scenario's), found "${text}"`);
      fields[key] = DECIMAL.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
    }
    const label = text.trim();
    if (seen.has(label)) throw new InputError({ field: '--group' }, `expected each group once, found "${label}" twice`);
    seen.add(label);
    return { label, fields };
  });
}

/** The device entry of a candidate: the scenario's entry with the candidate's fields set. */
export function candidateEntry(base: Readonly<Record<string, unknown>>, c: Candidate): Record<string, unknown> {
  const entry: Record<string, unknown> = { ...base };
  const keys = Object.keys(c.fields);
  if (keys.some((k) => BY_NAME.includes(k))) for (const k of BY_MODEL) delete entry[k];
  if (keys.some((k) => BY_MODEL.includes(k))) for (const k of BY_NAME) delete entry[k];
  return { ...entry, ...c.fields };
}
