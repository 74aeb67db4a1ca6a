/**
 * A workload as a pull source for streamed runs (src/simulation/stream.ts): the same requests, in
 * the same order and with the same ids, as `buildWorkload` returns, handed out one at a time.
 * A native (llmsim CSV) trace is read a chunk at a time while the simulation runs, so its size is
 * not limited by memory; other sources (foreign trace formats, generators) are built whole by
 * `buildWorkload` and then handed out, so only the results are streamed.
 */
import { isAbsolute, join } from 'node:path';
import { InputError } from '../errors.js';
import { MAX_TIME_S, MAX_TOKENS } from '../limits.js';
import type { RequestSource } from '../simulation/stream.js';
import { detectTraceReader } from './load-trace.js';
import { nativeReader } from './read-native.js';
import type { Request } from './request.js';
import type { WorkloadSpec } from './schema.js';
import { CsvRowReader, LineReader } from './stream-trace.js';
import { buildWorkload, type BuildWorkloadOptions } from './index.js';
import type { TraceFormat } from './dist-schema.js';

/** A source and how it reads: `trace` = a file read as the run goes, `memory` = built whole first. */
export interface WorkloadStream extends RequestSource {
  readonly reads: 'trace' | 'memory';
  close(): void;
}

/** Why the workload cannot be streamed at all (it needs every request before the first one). */
export function workloadNotStreamable(spec: WorkloadSpec): string | undefined {
  if (spec.sessions) return 'sessions send turns in a closed loop';
  if (spec.timeoutS !== undefined) return 'client timeouts (workload.timeoutS) are not streamed';
  if (spec.maxConcurrency !== undefined) return 'a client concurrency limit (workload.maxConcurrency) is not streamed';
  if (spec.uncertainty) return 'uncertainty derived from output lengths (workload.uncertainty.rho) ranks the whole workload';
  return undefined;
}

/** Opens the workload of a validated `workload:` block as a source; see the module comment. */
export function openWorkloadStream(spec: WorkloadSpec, opts: BuildWorkloadOptions): WorkloadStream {
  const reason = workloadNotStreamable(spec);
  if (reason) throw new Error(`openWorkloadStream: ${reason}`);
  const file = spec.trace && (isAbsolute(spec.trace.path) ? spec.trace.path : join(opts.baseDir, spec.trace.path));
  if (!spec.trace || !file || !isNativeTrace(file, spec.trace.format)) {
    const requests = buildWorkload(spec, opts);
    let i = 0;
    return { reads: 'memory', next: () => requests[i++], close: () => {} };
  }
  return nativeStream(spec, file, opts);
}

// Whether `auto` (or `llmsim`) picks the native reader for this file: decided on its first line.
function isNativeTrace(file: string, format: TraceFormat | undefined): boolean {
  if (format === 'llmsim') return true;
  if (format !== undefined && format !== 'auto') return false;
  const lines = new LineReader(file);
  try {
    let first: string | undefined;
    do first = lines.next();
    while (first !== undefined && first.trim() === '');
    return detectTraceReader(first ?? '', file, 'auto') === 'llmsim';
  } catch {
    return false; // let the whole-file reader report the problem as it does
  } finally {
    lines.close();
  }
}

function nativeStream(spec: WorkloadSpec, file: string, opts: BuildWorkloadOptions): WorkloadStream {
  const where = (field: string) => ({ file: opts.specFile, field: `workload.${field}` });
  const lines = new LineReader(file);
  let rows: CsvRowReader;
  let read: ReturnType<typeof nativeReader>;
  try {
    rows = new CsvRowReader(lines);
    read = nativeReader(rows);
  } catch (err) {
    lines.close();
    throw err;
  }
  const { rateScale } = spec;
  const startS = spec.window?.startS ?? 0;
  const endS = spec.window?.endS ?? Infinity;
  const limit = spec.limit ?? Infinity;
  const deadline = spec.deadline;
  const model = spec.trace!.model;
  let emitted = 0;
  let done = false;
  const finish = () => {
    if (!done) lines.close();
    done = true;
  };
  const next = (): Request | undefined => {
    while (!done && emitted < limit) {
      const text = rows.nextLine();
      if (text === undefined) break;
      const d = read.fast(text, rows.line) ?? read.row(rows.cells(text), rows.line);
      if (rateScale !== 1) d.arrivalS /= rateScale;
      if (d.arrivalS > MAX_TIME_S) {
        throw new InputError(where(rateScale !== 1 ? 'rateScale' : 'trace.path'), `expected arrival times <= ${MAX_TIME_S} s, found request ${d.id} arriving at ${d.arrivalS} s${rateScale !== 1 ? ` after dividing by rateScale ${rateScale}` : ''}`);
      }
      if (d.promptTokens > MAX_TOKENS || d.outputTokens > MAX_TOKENS) {
        throw new InputError(where('trace.path'), `expected prompts and outputs of at most ${MAX_TOKENS} tokens, found request ${d.id} with ${d.promptTokens} + ${d.outputTokens}`);
      }
      if (d.arrivalS < startS) continue;
      if (d.arrivalS >= endS) break; // sorted: nothing later is inside
      if (spec.window) d.arrivalS -= startS;
      if (model !== undefined && d.model === undefined) d.model = model;
      if (deadline) d.deadlineS = deadline.fixedS ?? (deadline.baseS ?? 0) + (deadline.perOutputTokenS ?? 0) * d.outputTokens;
      d.id = emitted++;
      return d;
    }
    finish();
    if (emitted === 0 && spec.window) throw new InputError(where('window'), `expected the window [${startS}, ${spec.window.endS ?? 'end'}) s to contain a request, found none`);
    return undefined;
  };
  return { reads: 'trace', next, close: finish };
}
