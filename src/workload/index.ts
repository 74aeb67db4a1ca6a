import { isAbsolute, join } from 'node:path';
import { InputError } from '../errors.js';
import { createStream } from '../util/rng.js';
import { readTextFile } from '../util/yaml-file.js';
import { finalizeIds, type DraftRequest } from './draft.js';
import type { EmpiricalLoader } from './lengths.js';
import { parseTrace } from './load-trace.js';
import type { Request } from './request.js';
import type { WorkloadSpec } from './schema.js';
import { generateSynthetic } from './synthetic.js';
import { deriveUncertainty } from './uncertainty.js';

export { loadTrace, parseTrace, detectTraceReader, type TraceOptions, type TraceReader } from './load-trace.js';
export { workloadSchema, traceFormats, type WorkloadSpec, type WorkloadInput, type TraceFormat } from './schema.js';

/** Where a workload's files are and which seed drives its random streams. */
export interface BuildWorkloadOptions {
  /** Directory that relative trace paths are resolved against (the scenario file's directory). */
  baseDir: string;
  /** Scenario seed; streams `arrivals`, `prompt`, `output`, `uncertainty`, `uncertainty-signal`, `shared-prefix` derive from it. */
  seed: number;
  /** Scenario file, named in errors about the workload block itself. */
  specFile?: string;
}

/**
 * Builds the request stream of a validated `workload:` block: read the trace or generate, then
 * rateScale (times / k), window (keep [startS, endS) in scaled time, then subtract startS), limit
 * (first N), uncertainty (derived from output lengths when `rho` is given; otherwise a score the
 * trace or generator gave is kept), deadline (replaces trace deadlines). The result is sorted by
 * arrival, ties in file order, with ids 0..n-1; an empty result is an InputError.
 */
export function buildWorkload(spec: WorkloadSpec, opts: BuildWorkloadOptions): Request[] {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  const where = (field: string) => ({ file: opts.specFile, field: `workload.${field}` });
  let drafts: DraftRequest[];
  if (spec.trace) {
    const file = resolve(spec.trace.path);
    drafts = parseTrace(readTextFile(file, 'trace file'), file, spec.trace.format, { model: spec.trace.model, mooncakeArrivals: spec.trace.mooncakeArrivals });
  } else if (spec.synthetic) {
    drafts = generateSynthetic(spec.synthetic, opts.seed, empiricalLoader(resolve));
    if (drafts.length === 0) {
      throw new InputError(where('synthetic.durationS'), `expected a duration long enough for one arrival, found none in ${spec.synthetic.durationS} s at ${spec.synthetic.arrival.rateRps} req/s`);
    }
  } else throw new Error('workload has neither trace nor synthetic: validate it with workloadSchema first');

  if (spec.rateScale !== 1) for (const d of drafts) d.arrivalS /= spec.rateScale;
  if (spec.window) {
    const { startS, endS } = spec.window;
    drafts = drafts.filter((d) => d.arrivalS >= startS && (endS === undefined || d.arrivalS < endS));
    if (drafts.length === 0) throw new InputError(where('window'), `expected the window [${startS}, ${endS ?? 'end'}) s to contain a request, found none`);
    for (const d of drafts) d.arrivalS -= startS;
  }
  if (spec.limit !== undefined && drafts.length > spec.limit) drafts.length = spec.limit;
  if (spec.uncertainty) deriveUncertainty(drafts, spec.uncertainty.rho, createStream(opts.seed, 'uncertainty-signal'));
  if (spec.deadline) {
    const { fixedS, baseS = 0, perOutputTokenS = 0 } = spec.deadline;
    for (const d of drafts) d.deadlineS = fixedS ?? baseS + perOutputTokenS * d.outputTokens;
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

/** Loads empirical length columns, each file once per workload. */
function empiricalLoader(resolve: (p: string) => string): EmpiricalLoader {
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
