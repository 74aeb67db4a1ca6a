import { isAbsolute, join } from 'node:path';
import { InputError, type InputLocation } from '../errors.js';
import { MAX_REQUESTS, MAX_TIME_S, MAX_TOKENS } from '../limits.js';
import { createStream, type RandomStream } from '../util/rng.js';
import { readTextFile } from '../util/yaml-file.js';
import { finalizeIds, inWindow, type DraftRequest } from './draft.js';
import type { EmpiricalLoader } from './lengths.js';
import { parseTrace } from './load-trace.js';
import type { Request } from './request.js';
import type { WorkloadSpec } from './schema.js';
import { generateSessions } from './sessions.js';
import { generateSynthetic } from './synthetic.js';
import { deriveUncertainty } from './uncertainty.js';

export { loadTrace, parseTrace, detectTraceReader, type TraceOptions, type TraceReader } from './load-trace.js';
export { workloadSchema, traceFormats, type WorkloadSpec, type WorkloadInput, type TraceFormat } from './schema.js';

/** Where a workload's files are and which seed drives its random streams. */
export interface BuildWorkloadOptions {
  /** Directory that relative trace paths are resolved against (the scenario file's directory). */
  baseDir: string;
  /**
   * Scenario seed; the streams derive from it: `arrivals`, `prompt`, `output`, `uncertainty`,
   * `uncertainty-signal`, `shared-prefix`, and for sessions `turns`, `user`, `think` (agents: `tool`, `tool-result`).
   */
  seed: number;
  /** Scenario file, named in errors about the workload block itself. */
  specFile?: string;
}

/**
 * Builds the request stream of a validated `workload:` block: read the trace or generate, then
 * rateScale (times / k), window (keep [startS, endS) in scaled time, then subtract startS), limit
 * (first N), uncertainty (derived from output lengths when `rho` is given; otherwise a score the
 * trace or generator gave is kept), deadline (replaces trace deadlines). The result is sorted by
 * arrival, ties in file order, with ids 0..n-1; an empty result is an InputError. Sessions are
 * listed session by session: their first turns sorted by arrival, each follow-up (arrival NaN)
 * after the turn it waits for. rateScale and window act on session starts: a session is kept or
 * dropped whole, and think times are not scaled (they are the users' time, not the load's).
 */
export function buildWorkload(spec: WorkloadSpec, opts: BuildWorkloadOptions): Request[] {
  const where = (field: string) => ({ file: opts.specFile, field: `workload.${field}` });
  let drafts = readOrGenerate(spec, opts, where);
  const source = spec.trace ? 'trace.path' : spec.synthetic ? 'synthetic' : 'sessions';
  if (drafts.length > MAX_REQUESTS) throw new InputError(where(source), `expected at most ${MAX_REQUESTS} requests in a workload, found ${drafts.length}`);
  if (spec.rateScale !== 1) for (const d of drafts) d.arrivalS /= spec.rateScale;
  // Readers and generators keep to these; rateScale and generators can still cross them.
  const check = draftLimits(spec, source, where);
  for (const d of drafts) check(d);
  if (spec.window) {
    const { startS, endS } = spec.window;
    drafts = inWindow(drafts, startS, endS);
    if (drafts.length === 0) throw emptyWindow(spec.window, where);
    for (const d of drafts) d.arrivalS -= startS;
  }
  if (spec.limit !== undefined && drafts.length > spec.limit) drafts.length = spec.limit;
  if (spec.uncertainty) deriveUncertainty(drafts, spec.uncertainty.rho, createStream(opts.seed, 'uncertainty-signal'));
  if (spec.deadline) {
    const deadline = deadlineOf(spec.deadline);
    for (const d of drafts) d.deadlineS = deadline(d);
  }
  if (spec.classMix !== undefined) {
    const assign = classAssigner(spec.classMix, createStream(opts.seed, 'class-mix'));
    for (const d of drafts) assign(d);
  }
  const timeout = spec.timeoutS;
  if (timeout !== undefined) {
    for (const d of drafts) {
      const s = typeof timeout === 'number' ? timeout : (timeout[d.class ?? 'default'] ?? timeout.default);
      if (s !== undefined) d.timeoutS = s;
    }
  }
  return finalizeIds(drafts);
}

type Where = (field: string) => { file: string | undefined; field: string };

/**
 * The limits every request must keep after rateScale (readers and generators keep to them, but
 * rateScale and generators can cross them): a checker of one draft, throwing an InputError that
 * names the field to change. Shared by buildWorkload and the streamed workload.
 */
export function draftLimits(spec: WorkloadSpec, source: 'trace.path' | 'synthetic' | 'sessions', where: Where): (d: DraftRequest) => void {
  const scaled = spec.rateScale !== 1;
  const timeField = scaled ? 'rateScale' : source === 'trace.path' ? source : `${source}.arrival.rateRps`;
  return (d) => {
    if (d.arrivalS > MAX_TIME_S) {
      throw new InputError(where(timeField), `expected arrival times <= ${MAX_TIME_S} s, found request ${d.id} arriving at ${d.arrivalS} s${scaled ? ` after dividing by rateScale ${spec.rateScale}` : ''}`);
    }
    if (d.promptTokens > MAX_TOKENS || d.outputTokens > MAX_TOKENS) {
      throw new InputError(where(source), `expected prompts and outputs of at most ${MAX_TOKENS} tokens, found request ${d.id} with ${d.promptTokens} + ${d.outputTokens}`);
    }
  };
}

/** The error of a window that keeps no request. */
export function emptyWindow(window: NonNullable<WorkloadSpec['window']>, where: Where): InputError {
  return new InputError(where('window'), `expected the window [${window.startS}, ${window.endS ?? 'end'}) s to contain a request, found none`);
}

/** A request's relative deadline under `workload.deadline`. */
export function deadlineOf(spec: NonNullable<WorkloadSpec['deadline']>): (d: DraftRequest) => number {
  const { fixedS, baseS = 0, perOutputTokenS = 0 } = spec;
  return (d) => fixedS ?? baseS + perOutputTokenS * d.outputTokens;
}

/**
 * Gives each request without a class one drawn from `mix` (weights, normalized); called in request
 * order, it draws from its own stream: the other streams, and so arrivals and lengths, do not change.
 */
export function classAssigner(mix: Readonly<Record<string, number>>, rng: RandomStream): (d: DraftRequest) => void {
  const names = Object.keys(mix);
  const total = names.reduce((a, k) => a + mix[k]!, 0);
  return (d) => {
    const u = rng.next() * total;
    if (d.class !== undefined) return;
    let acc = 0;
    let pick = names[names.length - 1]!;
    for (const k of names) {
      acc += mix[k]!;
      if (u < acc) {
        pick = k;
        break;
      }
    }
    d.class = pick;
  };
}

/** A generator that made nothing was given too short a duration: say so at that field. */
export function emptyGenerator(where: (field: string) => InputLocation, kind: string, gen: { durationS?: number; arrival: { rateRps: number } }): InputError {
  return new InputError(where(`${kind}.durationS`), `expected a duration long enough for one arrival, found none in ${gen.durationS} s at ${gen.arrival.rateRps} req/s`);
}

/** The drafts of the workload's one source: a trace, a synthetic generator or sessions. */
function readOrGenerate(spec: WorkloadSpec, opts: BuildWorkloadOptions, where: (field: string) => InputLocation): DraftRequest[] {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  if (spec.trace) {
    const file = resolve(spec.trace.path);
    return parseTrace(readTextFile(file, 'trace file'), file, spec.trace.format, { model: spec.trace.model, mooncakeArrivals: spec.trace.mooncakeArrivals, columns: spec.trace.columns, time: spec.trace.time });
  }
  const nonEmpty = (drafts: DraftRequest[], kind: string, gen: { durationS?: number; arrival: { rateRps: number } }) => {
    if (drafts.length > 0) return drafts;
    throw emptyGenerator(where, kind, gen);
  };
  if (spec.synthetic) return nonEmpty(generateSynthetic(spec.synthetic, opts.seed, empiricalLoader(resolve)), 'synthetic', spec.synthetic);
  if (spec.sessions) return nonEmpty(generateSessions(spec.sessions, opts.seed, where('sessions')), 'sessions', spec.sessions);
  throw new Error('workload has no trace, synthetic or sessions: validate it with workloadSchema first');
}

/** Loads empirical length columns, each file once per workload (`resolve`: a path as written to the file). */
export function empiricalLoader(resolve: (p: string) => string): EmpiricalLoader {
  const cache = new Map<string, DraftRequest[]>();
  return (path, format, column) => {
    const file = resolve(path);
    const key = `${format}:${file}`;
    let drafts = cache.get(key);
    if (!drafts) {
      drafts = parseTrace(readTextFile(file, 'trace file'), file, format);
      cache.set(key, drafts);
    }
    const values = new Int32Array(drafts.length);
    for (let i = 0; i < drafts.length; i++) values[i] = column === 'prompt' ? drafts[i]!.promptTokens : drafts[i]!.outputTokens;
    return values;
  };
}
