import { closeSync, existsSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { syncDir, withPath, writeFully } from '../output/fs.js';
import { checkFault, stopPoint } from '../output/hooks.js';
import type { FlatMetrics } from './metrics.js';

/**
 * The sweep journal (journal.jsonl): a header line, then one JSON line per finished run, each
 * written with a single write and synced before the next run is recorded. A run is either
 * wholly in the file or not at all (a crash mid-write leaves a line without its newline, which
 * is dropped on reading), so a rerun skips exactly the finished runs: no duplicates, none lost.
 */

/** The first line: which sweep (and which slice of it) the journal belongs to. */
export interface JournalHeader {
  readonly fingerprint: string;
  readonly runs: number;
  readonly shard: { readonly index: number; readonly count: number };
}

/** A journal's content. */
export interface JournalContent {
  readonly header: JournalHeader;
  /** Finished runs: run index -> metrics. */
  readonly done: Map<number, FlatMetrics>;
  /** Bytes of complete lines (a torn last line is beyond this). */
  readonly validBytes: number;
}

/** An open journal that finished runs are appended to. */
export interface Journal {
  readonly done: ReadonlyMap<number, FlatMetrics>;
  /** Appends one run durably (write + fdatasync). */
  append(run: number, metrics: FlatMetrics): void;
  close(): void;
}

const MAGIC = 'llmsimSweepJournal';

/** Reads a journal, ignoring a torn last line; any other damage is an InputError naming the line. */
export function readJournal(file: string): JournalContent | undefined {
  const text = readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1; // everything after the last newline is a torn write
  const lines = text.slice(0, end).split('\n');
  lines.pop();
  if (lines.length === 0) return undefined;
  const bad = (line: number, expected: string, found: string) => new InputError({ file, line }, `expected ${expected}, found ${found}`);
  let header: JournalHeader;
  try {
    const h = JSON.parse(lines[0]!) as Record<string, unknown>;
    if (h[MAGIC] !== 1) throw new Error('no magic');
    header = { fingerprint: String(h.fingerprint), runs: Number(h.runs), shard: h.shard as JournalHeader['shard'] };
  } catch {
    throw bad(1, 'an llmsim sweep journal header', JSON.stringify(lines[0]!.slice(0, 40)));
  }
  const done = new Map<number, FlatMetrics>();
  for (let i = 1; i < lines.length; i++) {
    let entry: { run?: unknown; metrics?: unknown };
    try {
      entry = JSON.parse(lines[i]!) as typeof entry;
    } catch {
      throw bad(i + 1, 'one JSON record per line', JSON.stringify(lines[i]!.slice(0, 40)));
    }
    const run = entry.run;
    if (typeof run !== 'number' || !Number.isInteger(run) || run < 0 || run >= header.runs || run % header.shard.count !== header.shard.index) {
      throw bad(i + 1, `a run of shard ${header.shard.index}/${header.shard.count} below ${header.runs}`, String(run));
    }
    if (!done.has(run)) done.set(run, entry.metrics as FlatMetrics);
  }
  return { header, done, validBytes: Buffer.byteLength(text.slice(0, end), 'utf8') };
}

/**
 * Opens (or creates) the journal at `file` for the sweep described by `header`: finished runs are
 * read back, a torn last line is cut off, and new runs are appended after it. A journal of a
 * different sweep or shard is an InputError rather than silently mixed results - unless it holds
 * no finished run, when there is nothing to lose (a sweep that failed at once, then was fixed)
 * and it is started afresh.
 */
export function openJournal(file: string, header: JournalHeader): Journal {
  let existing = existsSync(file) ? readJournal(file) : undefined;
  if (existing && existing.done.size === 0) existing = undefined;
  if (existing) {
    const h = existing.header;
    const same = h.fingerprint === header.fingerprint && h.runs === header.runs && h.shard.index === header.shard.index && h.shard.count === header.shard.count;
    if (!same) {
      throw new InputError(
        { file },
        `expected the journal of this sweep (fingerprint ${header.fingerprint}, shard ${header.shard.index}/${header.shard.count}), ` +
          `found one of another (fingerprint ${h.fingerprint}, shard ${h.shard.index}/${h.shard.count}): the scenario changed; delete the directory or use another --out`,
      );
    }
    truncateSync(file, existing.validBytes);
  }
  checkFault('open', file);
  const fd = openSync(file, existing ? 'a' : 'w');
  let size = existing?.validBytes ?? 0;
  // One write per line, then fdatasync. A failed write (a full disk) is cut off again, so the
  // journal keeps only whole lines even when the process goes on to report the error.
  const write = (line: string) => {
    const bytes = Buffer.from(line, 'utf8');
    try {
      writeFully(fd, file, bytes);
      fdatasyncSync(fd);
    } catch (err) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // the next reader drops a torn last line anyway
      }
      throw withPath(err, file);
    }
    size += bytes.length;
  };
  try {
    if (!existing) {
      write(`${JSON.stringify({ [MAGIC]: 1, fingerprint: header.fingerprint, runs: header.runs, shard: header.shard })}\n`);
      syncDir(dirname(file)); // the new file's directory entry must survive a crash too
    }
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const done = new Map(existing?.done ?? []);
  return {
    done,
    append(run, metrics) {
      if (done.has(run)) throw new Error(`journal: run ${run} recorded twice`);
      // The newline is the last byte written: a crash leaves the whole line or a torn tail without it.
      write(`${JSON.stringify({ run, metrics })}\n`);
      done.set(run, metrics);
      stopPoint(`run ${run} journaled`);
    },
    close: () => closeSync(fd),
  };
}
