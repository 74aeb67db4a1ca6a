/**
 * A workload as a pull source for streamed runs (src/simulation/stream.ts): the same requests, in
 * the same order and with the same ids, as `buildWorkload` returns, handed out one at a time.
 * Traces in the llmsim, Azure, Vidur and Mooncake (CSV and JSON lines) formats are read a chunk
 * at a time while the simulation runs, and the synthetic generator draws each request when it is
 * pulled, so their size is not limited by memory. Other trace formats (JSON documents, BurstGPT,
 * trace.columns) are built whole by `buildWorkload` and then handed out: only the results stream.
 */
import { isAbsolute, join } from 'node:path';
import { InputError } from '../errors.js';
import type { RequestSource } from '../simulation/stream.js';
import { createStream } from '../util/rng.js';
import type { DraftRequest } from './draft.js';
import { detectTraceReader, type TraceReader } from './load-trace.js';
import { azureRowReader } from './read-azure.js';
import { Gaps, MOONCAKE_EMPTY, mooncakeCsvRowReader, mooncakeJsonReader, spreadGroup } from './read-mooncake.js';
import { nativeReader } from './read-native.js';
import { vidurRowReader } from './read-vidur.js';
import type { Request } from './request.js';
import type { WorkloadSpec } from './schema.js';
import { CsvRowReader, LineReader } from './stream-trace.js';
import { streamSynthetic } from './synthetic.js';
import { buildWorkload, classAssigner, deadlineOf, draftLimits, emptyGenerator, emptyWindow, empiricalLoader, type BuildWorkloadOptions } from './index.js';
import type { TraceFormat } from './dist-schema.js';

/** A source and how it reads: `trace` = a file read as the run goes, `generator` = drawn as pulled, `memory` = built whole first. */
export interface WorkloadStream extends RequestSource {
  readonly reads: 'trace' | 'generator' | 'memory';
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

/** Drafts in file or generation order (undefined after the last), before the workload steps. */
interface Drafts {
  next(): DraftRequest | undefined;
  close(): void;
}

/** Opens the workload of a validated `workload:` block as a source; see the module comment. */
export function openWorkloadStream(spec: WorkloadSpec, opts: BuildWorkloadOptions): WorkloadStream {
  const reason = workloadNotStreamable(spec);
  if (reason) throw new Error(`openWorkloadStream: ${reason}`);
  const resolve = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  const where = (field: string) => ({ file: opts.specFile, field: `workload.${field}` });
  if (spec.synthetic) {
    const gen = spec.synthetic;
    const next = streamSynthetic(gen, opts.seed, empiricalLoader(resolve));
    let drawn = 0;
    const drafts: Drafts = {
      next: () => {
        const d = next();
        if (d === undefined && drawn === 0) throw emptyGenerator(where, 'synthetic', gen);
        drawn++;
        return d;
      },
      close: () => {},
    };
    return workloadSteps(spec, opts, 'synthetic', drafts, 'generator');
  }
  const trace = spec.trace && !spec.trace.columns ? spec.trace : undefined;
  const file = trace && resolve(trace.path);
  const reader = file && streamedReader(file, trace.format);
  if (!reader) {
    const requests = buildWorkload(spec, opts);
    let i = 0;
    return { reads: 'memory', next: () => requests[i++], close: () => {} };
  }
  let drafts = openTrace(file, reader);
  if (reader !== 'llmsim') {
    if ((reader === 'mooncake-csv' || reader === 'mooncake-jsonl') && (trace.mooncakeArrivals ?? 'spread') === 'spread') drafts = spreadArrivals(drafts, () => openTrace(file, reader));
    drafts = shiftedToZero(drafts);
  }
  if (trace.model !== undefined) drafts = withModel(drafts, trace.model);
  return workloadSteps(spec, opts, 'trace.path', drafts, 'trace');
}

/** Readers that read a file row by row. */
const STREAMED_READERS: ReadonlySet<TraceReader> = new Set(['llmsim', 'azure', 'vidur', 'mooncake-csv', 'mooncake-jsonl']);

// The reader `parseTrace` would pick, decided on the file's first line, when it reads row by row.
function streamedReader(file: string, format: TraceFormat | undefined): TraceReader | undefined {
  if ((format ?? 'auto') === 'auto' && /\.json$/i.test(file)) return undefined; // a JSON document
  const lines = new LineReader(file);
  try {
    let first: string | undefined;
    do first = lines.next();
    while (first !== undefined && first.trim() === '');
    const reader = detectTraceReader(first ?? '', file, format);
    return STREAMED_READERS.has(reader) ? reader : undefined;
  } catch {
    return undefined; // let the whole-file reader report the problem as it does
  } finally {
    lines.close();
  }
}

// A trace's drafts as its whole-file reader makes them (before the shift to 0), row by row.
function openTrace(file: string, reader: TraceReader): Drafts {
  const lines = new LineReader(file);
  try {
    if (reader === 'mooncake-jsonl') {
      const read = mooncakeJsonReader(file);
      let rows = 0;
      return {
        next: () => {
          for (let raw = lines.next(); raw !== undefined; raw = lines.next()) {
            const text = raw.trim();
            if (text !== '') return (rows++, read(text, lines.line));
          }
          if (rows === 0) throw new InputError({ file, line: 1 }, MOONCAKE_EMPTY);
          return undefined;
        },
        close: () => lines.close(),
      };
    }
    const rows = new CsvRowReader(lines);
    if (reader === 'llmsim') {
      const read = nativeReader(rows);
      return {
        next: () => {
          // Plain rows straight from the bytes; the first line of each chunk read, and any other row, as text.
          const pos = lines.heldLine();
          if (pos >= 0) {
            const d = read.lineAt(lines.data, pos, lines.line + 1);
            if (d !== undefined) {
              lines.took(read.lineStop, read.lineNext);
              rows.tookRow();
              return d;
            }
          }
          if (!rows.nextSpan()) return undefined;
          return read.row(rows.cells(lines.text()), rows.line);
        },
        close: () => lines.close(),
      };
    }
    const read = reader === 'azure' ? azureRowReader(rows) : reader === 'vidur' ? vidurRowReader(rows) : mooncakeCsvRowReader(rows);
    return {
      next: () => {
        const text = rows.nextLine();
        return text === undefined ? undefined : read(rows.cells(text), rows.line);
      },
      close: () => lines.close(),
    };
  } catch (err) {
    lines.close();
    throw err;
  }
}

/**
 * Mooncake's spread arrivals (`spreadQuantizedArrivals`) as the rows come: the step (the median
 * gap) is read from the whole file first (a second reader; it keeps one number per distinct
 * timestamp), then each group of equal timestamps is held until the next group's first row.
 */
function spreadArrivals(drafts: Drafts, reopen: () => Drafts): Drafts {
  const gaps = new Gaps();
  const pass = reopen();
  try {
    let prev: number | undefined;
    for (let d = pass.next(); d !== undefined; d = pass.next()) {
      if (prev !== undefined) gaps.add(d.arrivalS - prev);
      prev = d.arrivalS;
    }
  } finally {
    pass.close();
  }
  const step = gaps.median();
  if (step === undefined) return drafts;
  const group: DraftRequest[] = [];
  let at = 0;
  let ahead: DraftRequest | undefined = drafts.next();
  return {
    next: () => {
      if (at < group.length) return group[at++];
      if (ahead === undefined) return undefined;
      group.length = 0;
      at = 0;
      const t = ahead.arrivalS;
      while (ahead !== undefined && ahead.arrivalS === t) {
        group.push(ahead);
        ahead = drafts.next();
      }
      spreadGroup(group, 0, group.length, ahead?.arrivalS, step);
      return group[at++];
    },
    close: () => drafts.close(),
  };
}

/** Foreign clocks start anywhere: arrivals from the first one's (as `shiftToZero`). */
function shiftedToZero(drafts: Drafts): Drafts {
  let t0: number | undefined;
  return {
    next: () => {
      const d = drafts.next();
      if (d !== undefined) {
        t0 ??= d.arrivalS;
        if (t0 !== 0) d.arrivalS -= t0;
      }
      return d;
    },
    close: () => drafts.close(),
  };
}

function withModel(drafts: Drafts, model: string): Drafts {
  return {
    next: () => {
      const d = drafts.next();
      if (d !== undefined && d.model === undefined) d.model = model;
      return d;
    },
    close: () => drafts.close(),
  };
}

/**
 * `buildWorkload`'s steps, request by request: rateScale, the limits on times and tokens, window,
 * limit, deadline, classMix (its stream drawn in request order), ids 0, 1, ... in that order.
 */
function workloadSteps(spec: WorkloadSpec, opts: BuildWorkloadOptions, source: 'trace.path' | 'synthetic', drafts: Drafts, reads: WorkloadStream['reads']): WorkloadStream {
  const where = (field: string) => ({ file: opts.specFile, field: `workload.${field}` });
  const { rateScale } = spec;
  const startS = spec.window?.startS ?? 0;
  const endS = spec.window?.endS ?? Infinity;
  const limit = spec.limit ?? Infinity;
  const deadline = spec.deadline && deadlineOf(spec.deadline);
  const assignClass = spec.classMix && classAssigner(spec.classMix, createStream(opts.seed, 'class-mix'));
  const check = draftLimits(spec, source, where);
  let emitted = 0;
  let done = false;
  const finish = () => {
    if (!done) drafts.close();
    done = true;
  };
  const next = (): Request | undefined => {
    while (!done && emitted < limit) {
      const d = drafts.next();
      if (d === undefined) break;
      if (rateScale !== 1) d.arrivalS /= rateScale;
      check(d);
      if (d.arrivalS < startS) continue;
      if (d.arrivalS >= endS) break; // sorted: nothing later is inside
      if (spec.window) d.arrivalS -= startS;
      if (deadline) d.deadlineS = deadline(d);
      if (assignClass) assignClass(d);
      d.id = emitted++;
      return d;
    }
    finish();
    if (emitted === 0 && spec.window) throw emptyWindow(spec.window, where);
    return undefined;
  };
  // Without rateScale, window, limit, deadline or classMix (a plain trace or generator), the same
  // steps come down to the limit check and the id: a smaller function, called once per request.
  const plain = rateScale === 1 && !spec.window && limit === Infinity && !deadline && !assignClass;
  const nextPlain = (): Request | undefined => {
    if (!done) {
      const d = drafts.next();
      if (d !== undefined) {
        check(d);
        if (!(d.arrivalS < 0)) {
          d.id = emitted++;
          return d;
        }
        return next(); // before the (default) window's start at 0: skipped, as `next` does
      }
    }
    finish();
    return undefined;
  };
  return { reads, next: plain ? nextPlain : next, close: finish };
}
