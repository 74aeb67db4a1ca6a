/**
 * Reading a trace file a chunk at a time (for streamed runs, `llmsim run --stream`), so a trace of
 * any size is read in constant memory: bytes are read and checked as UTF-8 per 1 MiB chunk and
 * split into lines, CSV lines into cells. The same rules as reading the whole file (`readTextFile`,
 * `readCsvTable`): a UTF-8 BOM ignored, LF or CRLF line ends, empty lines skipped, quoted cells
 * (RFC 4180, also spanning lines) parsed by csv-parse, a row's cell count checked against the
 * header's, invalid UTF-8 reported at its line and column. One difference: a lone CR (not followed
 * by LF) is an error here, since whole-file reading guesses the file's record delimiter from it.
 */
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { firstInvalidUtf8, readTextFile } from '../util/yaml-file.js';

const CHUNK_BYTES = 1 << 20;

/**
 * The lines of a text file, read chunk by chunk. Lines stay bytes until asked for as text: `span`
 * finds the next line and leaves it at [start, stop) of `data`, so a reader of plain rows (the
 * native fast path) parses numbers from the bytes with no string made; `text` decodes it. Each
 * chunk is checked as UTF-8 when it is read (by a streaming decoder once a non-ASCII byte was
 * seen; an ASCII chunk needs no check), so an invalid byte is reported before any line of its chunk.
 */
export class LineReader {
  /** 1-based number of the line `next` or `span` returned last. */
  line = 0;
  /** Bytes of the file held now: the current line is data[start, stop), without its line end. */
  data = Buffer.allocUnsafe(2 * CHUNK_BYTES);
  start = 0;
  stop = 0;
  private readonly fd: number;
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** data[pos, len) is not yet returned. */
  private pos = 0;
  private len = 0;
  private eof = false;
  private begun = false;
  /** Whether a non-ASCII byte was read: from then on every chunk goes through the decoder. */
  private decoding = false;
  /** Whether data[pos, len) may hold a CR: only then are lines searched for a lone one. */
  private hasCr = false;
  /** Index of the last LF in data[0, len), or -1: every line that starts at or before it ends in data. */
  private lastLf = -1;

  constructor(
    readonly file: string,
    private readonly what = 'trace file',
  ) {
    try {
      this.fd = openSync(file, 'r');
    } catch {
      readTextFile(file, what); // throws the whole-file reader's error for this path
      throw new InputError({ file }, `expected a readable ${what}, found an error opening it`);
    }
  }

  /** The next line without its line end, or undefined at the end of the file. */
  next(): string | undefined {
    return this.span() ? this.text() : undefined;
  }

  /** Moves to the next line (data[start, stop)); false at the end of the file. */
  span(): boolean {
    let end = this.pos;
    for (;;) {
      const data = this.data;
      const len = this.len;
      while (end < len && data[end] !== 10) end++;
      if (end < len || this.eof) break;
      end -= this.pos;
      this.fill();
    }
    if (end >= this.len) {
      if (this.pos >= this.len) return false;
      end = this.len; // the last line, without a line end
    }
    const data = this.data;
    let stop = end;
    if (stop > this.pos && data[stop - 1] === 13) stop--;
    this.start = this.pos;
    this.stop = stop;
    this.pos = end + 1;
    this.line++;
    if (this.hasCr) {
      for (let i = this.start; i < stop; i++) {
        if (data[i] === 13) throw new InputError({ file: this.file, line: this.line }, 'expected LF or CRLF line ends in a streamed trace, found a lone CR (convert the line ends, or run without --stream)');
      }
    }
    return true;
  }

  /**
   * Where the next line starts when it is held whole with its LF (a parser may then read it
   * straight from `data` and call `took`), else -1 (call `span`, which reads more of the file).
   */
  heldLine(): number {
    return this.pos <= this.lastLf ? this.pos : -1;
  }

  /**
   * The line at `heldLine()` was read by the caller: it ends at `stop` (before its CR LF or LF) and
   * the next starts at `next`. It must hold no CR (`span` reports a lone one).
   */
  took(stop: number, next: number): void {
    this.start = this.pos;
    this.stop = stop;
    this.pos = next;
    this.line++;
  }

  /** The current line as text. */
  text(): string {
    return this.data.toString(this.decoding ? 'utf8' : 'latin1', this.start, this.stop);
  }

  close(): void {
    closeSync(this.fd);
  }

  private fill(): void {
    const n = readSync(this.fd, this.chunk, 0, CHUNK_BYTES, null);
    if (n === 0) this.eof = true;
    const got = this.chunk.subarray(0, n);
    if (this.decoding || !isAscii(got)) {
      this.decoding = true;
      try {
        this.decoder.decode(got, { stream: n > 0 });
      } catch {
        throw this.invalidUtf8();
      }
    }
    // Keep data[pos, len), then append the chunk (without a leading BOM, which decoding ignores).
    const keep = this.len - this.pos;
    const bom = !this.begun && n >= 3 && got[0] === 0xef && got[1] === 0xbb && got[2] === 0xbf ? 3 : 0;
    this.begun = true;
    if (keep + n > this.data.length) {
      const more = Buffer.allocUnsafe(Math.max(2 * this.data.length, keep + n));
      this.data.copy(more, 0, this.pos, this.len);
      this.data = more;
    } else if (this.pos > 0) this.data.copyWithin(0, this.pos, this.len);
    got.copy(this.data, keep, bom);
    this.pos = 0;
    this.len = keep + n - bom;
    this.hasCr = this.data.subarray(0, this.len).indexOf(13) !== -1;
    this.lastLf = this.len === 0 ? -1 : this.data.lastIndexOf(10, this.len - 1);
  }

  // Finds the first invalid byte from the start of the file, in pieces cut after a line feed
  // (a byte that no multi-byte UTF-8 sequence contains), so lines and columns count as in readTextFile.
  private invalidUtf8(): InputError {
    const fd = openSync(this.file, 'r');
    try {
      let line = 1;
      let carry = Buffer.alloc(0);
      for (;;) {
        const n = readSync(fd, this.chunk, 0, CHUNK_BYTES, null);
        const data = Buffer.concat([carry, this.chunk.subarray(0, n)]);
        const cut = n === 0 ? data.length : data.lastIndexOf(10) + 1;
        const piece = data.subarray(0, cut);
        const at = firstInvalidUtf8(piece);
        if (at < piece.length) {
          let lineStart = 0;
          for (let i = 0; i < at; i++) if (piece[i] === 10) (line++, (lineStart = i + 1));
          return new InputError({ file: this.file, line, column: at - lineStart + 1 }, `expected UTF-8 text, found the byte 0x${(piece[at] ?? 0).toString(16).padStart(2, '0')} (not UTF-8; re-save the file as UTF-8)`);
        }
        for (let i = 0; i < piece.length; i++) if (piece[i] === 10) line++;
        carry = Buffer.from(data.subarray(cut));
        if (n === 0) return new InputError({ file: this.file }, `expected UTF-8 text, found a truncated character at the end (not UTF-8; re-save the file as UTF-8)`);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** A CSV file's header and then its rows, one at a time. */
export class CsvRowReader {
  readonly header: string[];
  readonly headerLine: number;
  /** File line the row `next` returned last starts on. */
  line = 0;
  private rows = 0;

  constructor(private readonly lines: LineReader) {
    const first = this.record();
    if (first === undefined) throw new InputError({ file: lines.file, line: 1 }, 'expected a CSV header line, found an empty file');
    this.header = first.map((h) => h.trim());
    this.headerLine = this.line;
  }

  get file(): string {
    return this.lines.file;
  }

  /** The next row's cells (as many as the header's), or undefined after the last. */
  next(): string[] | undefined {
    const text = this.nextLine();
    return text === undefined ? undefined : this.cells(text);
  }

  /** The next non-empty line as written, or undefined after the last. */
  nextLine(): string | undefined {
    return this.nextSpan() ? this.lines.text() : undefined;
  }

  /**
   * Moves to the next non-empty line, left as bytes at `lines.data[lines.start, lines.stop)` (a
   * fast path may parse it there; `lines.text()` is its text); false after the last.
   */
  nextSpan(): boolean {
    const lines = this.lines;
    let more: boolean;
    do more = lines.span();
    while (more && lines.start === lines.stop);
    if (!more) {
      if (this.rows === 0) throw new InputError({ file: this.file, line: this.headerLine + 1 }, 'expected at least one data row after the header, found none');
      return false;
    }
    this.line = lines.line;
    this.rows++;
    return true;
  }

  /** Counts a row that a fast path read straight from the bytes (`LineReader.heldLine`, `took`). */
  tookRow(): void {
    this.line = this.lines.line;
    this.rows++;
  }

  /** The cells of the row that starts with line `text` (from `nextLine`), checked against the header. */
  cells(text: string): string[] {
    const row = this.split(text);
    if (row.length !== this.header.length) {
      throw new InputError({ file: this.file, line: this.line }, `expected ${this.header.length} cells like the header (${this.header.join(',')}), found ${row.length}`);
    }
    return row;
  }

  private record(): string[] | undefined {
    let text: string | undefined;
    do text = this.lines.next();
    while (text === '');
    if (text === undefined) return undefined;
    this.line = this.lines.line;
    return this.split(text);
  }

  private split(text: string): string[] {
    if (!text.includes('"')) return text.split(',');
    // Quoted cells may hold line breaks: take lines until the quotes balance.
    while (quotes(text) % 2 === 1) {
      const more = this.lines.next();
      if (more === undefined) break;
      text += `\n${more}`;
    }
    try {
      const records = parse(text) as string[][];
      return records[0] ?? [];
    } catch (err) {
      const e = err as { message?: string; lines?: number };
      throw new InputError({ file: this.file, line: this.line + (e.lines ?? 1) - 1 }, `expected valid CSV, found a syntax error (${e.message ?? String(err)})`);
    }
  }
}

function quotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}
