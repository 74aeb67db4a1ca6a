/**
 * Reading a trace file a chunk at a time (for streamed runs, `llmsim run --stream`), so a trace of
 * any size is read in constant memory: bytes are decoded as UTF-8 per 1 MiB chunk and split into
 * lines, CSV lines into cells. The same rules as reading the whole file (`readTextFile`,
 * `readCsvTable`): a UTF-8 BOM ignored, LF or CRLF line ends, empty lines skipped, quoted cells
 * (RFC 4180, also spanning lines) parsed by csv-parse, a row's cell count checked against the
 * header's, invalid UTF-8 reported at its line and column. One difference: a lone CR (not followed
 * by LF) is an error here, since whole-file reading guesses the file's record delimiter from it.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { firstInvalidUtf8, readTextFile } from '../util/yaml-file.js';

const CHUNK_BYTES = 1 << 20;

/** The lines of a text file, read chunk by chunk. */
export class LineReader {
  /** 1-based number of the line `next` returned last. */
  line = 0;
  private readonly fd: number;
  private readonly bytes = Buffer.allocUnsafe(CHUNK_BYTES);
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private buf = '';
  private pos = 0;
  private eof = false;
  /** Whether `buf` holds a CR anywhere: only then are lines searched for a lone one. */
  private hasCr = false;

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
    let end = this.buf.indexOf('\n', this.pos);
    while (end === -1 && !this.eof) {
      this.fill();
      end = this.buf.indexOf('\n', this.pos);
    }
    if (end === -1) {
      if (this.pos >= this.buf.length) return undefined;
      end = this.buf.length;
    }
    let stop = end;
    if (stop > this.pos && this.buf.charCodeAt(stop - 1) === 13) stop--;
    const text = this.buf.slice(this.pos, stop);
    this.pos = end + 1;
    this.line++;
    if (this.hasCr && text.includes('\r')) throw new InputError({ file: this.file, line: this.line }, 'expected LF or CRLF line ends in a streamed trace, found a lone CR (convert the line ends, or run without --stream)');
    return text;
  }

  close(): void {
    closeSync(this.fd);
  }

  private fill(): void {
    const n = readSync(this.fd, this.bytes, 0, CHUNK_BYTES, null);
    if (n === 0) this.eof = true;
    let text: string;
    try {
      text = this.decoder.decode(this.bytes.subarray(0, n), { stream: n > 0 });
    } catch {
      throw this.invalidUtf8();
    }
    if (this.pos === 0 && this.line === 0 && this.buf === '' && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // decode ignores a BOM; this is belt and braces
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + text : text;
    this.pos = 0;
    this.hasCr = this.buf.includes('\r');
  }

  // Finds the first invalid byte from the start of the file, in pieces cut after a line feed
  // (a byte that no multi-byte UTF-8 sequence contains), so lines and columns count as in readTextFile.
  private invalidUtf8(): InputError {
    const fd = openSync(this.file, 'r');
    try {
      let line = 1;
      let carry = Buffer.alloc(0);
      for (;;) {
        const n = readSync(fd, this.bytes, 0, CHUNK_BYTES, null);
        const data = Buffer.concat([carry, this.bytes.subarray(0, n)]);
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

  /** The next non-empty line as written (a fast path may parse it), or undefined after the last. */
  nextLine(): string | undefined {
    let text: string | undefined;
    do text = this.lines.next();
    while (text === '');
    if (text === undefined) {
      if (this.rows === 0) throw new InputError({ file: this.file, line: this.headerLine + 1 }, 'expected at least one data row after the header, found none');
      return undefined;
    }
    this.line = this.lines.line;
    this.rows++;
    return text;
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
