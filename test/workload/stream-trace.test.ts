import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorkload } from '../../src/workload/index.js';
import { nativeReader } from '../../src/workload/read-native.js';
import { workloadSchema } from '../../src/workload/schema.js';
import { openWorkloadStream } from '../../src/workload/stream.js';
import { LineReader } from '../../src/workload/stream-trace.js';
import { tempDir } from '../support/tmp.js';

// The streamed trace reader reads 1 MiB at a time and keeps lines as bytes until asked for text:
// lines that cross a chunk, characters split by a chunk, lines longer than its buffer, and bad bytes
// in a later chunk must come out as the file's text says (the oracle: the lines the test wrote).
const dir = tempDir('stream-trace');
const MiB = 1 << 20;

function readAll(file: string): string[] {
  const r = new LineReader(file);
  const out: string[] = [];
  try {
    for (let line = r.next(); line !== undefined; line = r.next()) out.push(line);
  } finally {
    r.close();
  }
  return out;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

/** ASCII lines of `width` bytes each (with their LF), `bytes` in all at most. */
function fill(bytes: number, width: number): string[] {
  const lines: string[] = [];
  for (let total = 0; total + width <= bytes; total += width) lines.push(String(lines.length).padStart(width - 1, '7'));
  return lines;
}

describe('LineReader across chunks', () => {
  it('gives back the lines as written: BOM dropped, CRLF and LF, chunk-crossing lines and characters, a line longer than its buffer', () => {
    // CRLF after the first two lines, LF after the others, no final line end; the padding puts the
    // 4-byte emoji one byte before the end of the first 1 MiB chunk.
    const head = fill(MiB - 1000, 50);
    const before = `\ufeff${head.slice(0, 2).join('\r\n')}\r\n${head.slice(2).join('\n')}\n`;
    const pad = 'x'.repeat(MiB - 1 - Buffer.byteLength(before));
    const lines = [...head, `${pad}😀é,tail`, '', 'ümlaut,ö', 'y'.repeat(3 * MiB), 'last'];
    const text = `${before.slice(1)}${lines.slice(head.length).join('\n')}`;
    const file = join(dir, 'lines.csv');
    writeFileSync(file, `\ufeff${text}`);
    // The emoji straddles the first chunk's end (checked from the bytes written).
    const bytes = Buffer.from(`\ufeff${text}`);
    expect(bytes.indexOf(Buffer.from('😀'))).toBeLessThan(MiB);
    expect(bytes.indexOf(Buffer.from('😀')) + 4).toBeGreaterThan(MiB);
    expect(readAll(file)).toEqual(lines);
  });

  it('reports a bad byte in a later chunk at its line and column, before any line of that chunk', () => {
    const lines = fill(MiB + 100000, 25);
    const file = join(dir, 'bad-utf8.csv');
    const bad = 42000; // 0-based line index: 42000 * 25 bytes = 1,050,000, in the second chunk (from 1,048,576)
    const text = Buffer.from(`${lines.join('\n')}\n`);
    text[bad * 25 + 7] = 0xff;
    writeFileSync(file, text);
    const r = new LineReader(file);
    let seen = 0;
    const message = errorOf(() => {
      while (r.next() !== undefined) seen++;
    });
    r.close();
    expect(message).toBe(`${file}:42001:8: expected UTF-8 text, found the byte 0xff (not UTF-8; re-save the file as UTF-8)`);
    // Every line ending in the first chunk came out (line k ends at byte 25k + 24); none of the second.
    expect(seen).toBe(Math.floor(MiB / 25));
    expect(errorOf(() => readAll(file))).toBe(message);
  });

  it('reports a character cut off at the end of the file at its first byte', () => {
    const file = join(dir, 'truncated.csv');
    const lines = fill(MiB + 10, 20);
    writeFileSync(file, Buffer.concat([Buffer.from(`${lines.join('\n')}\na,`), Buffer.from('😀').subarray(0, 2)]));
    expect(errorOf(() => readAll(file))).toBe(`${file}:${lines.length + 1}:3: expected UTF-8 text, found the byte 0xf0 (not UTF-8; re-save the file as UTF-8)`);
  });

  it('reports a lone CR at its line, also in a later chunk; a CR before the end of the file is a line end', () => {
    const lines = fill(MiB + 40000, 40);
    const file = join(dir, 'cr.csv');
    lines[27000] = `ab\rcd${lines[27000]!.slice(5)}`; // 27000 * 40 bytes = 1,080,000: second chunk
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(errorOf(() => readAll(file))).toMatch(/lone CR/);
    const r = new LineReader(file);
    errorOf(() => {
      while (r.next() !== undefined);
    });
    r.close();
    expect(r.line).toBe(27001);
    const end = join(dir, 'cr-end.csv');
    writeFileSync(end, 'a\r\nb\r');
    expect(readAll(end)).toEqual(['a', 'b']);
  });
});

describe('native rows parsed from bytes', () => {
  const reader = () => nativeReader({ file: 't.csv', header: ['arrival_s', 'prompt_tokens', 'output_tokens'], headerLine: 1 });
  // The line as a file holds it: after other bytes, with its line end, before more bytes.
  const at = (line: string, end = '\n') => {
    const b = Buffer.from(`junk${line}${end}junk`);
    return reader().lineAt(b, 4, 2);
  };

  it('equal Number() of each cell for plain decimals (random, seeded)', () => {
    let x = 987654321;
    const rand = (n: number) => ((x = (x * 1103515245 + 12345) >>> 0) % n);
    for (let k = 0; k < 20000; k++) {
      const digits = 1 + rand(15);
      let s = '';
      for (let j = 0; j < digits; j++) s += String(rand(10));
      const point = rand(digits + 1);
      const t = rand(3) === 0 ? s : `${s.slice(0, point)}.${s.slice(point)}`;
      const p = 1 + rand(100000);
      const o = 1 + rand(5000);
      const d = at(`${t},${p},${o}`);
      if (Number(t) > 1e9) continue; // beyond the time limit: the full reader reports it
      expect(d).toEqual({ id: 0, arrivalS: Number(t), promptTokens: p, outputTokens: o });
    }
  });

  it('leaves every other row to the full reader', () => {
    for (const line of ['', '1,2', '1,2,3,4', '1,2,', ',2,3', '1e3,2,3', '-1,2,3', '1,2.5,3', '1,0,3', '1,2,0', ' 1,2,3', '1,2,3 ', '1..2,3,4', '1234567890123456,2,3', '1,2,3\r\r', '1,2\r,3', '１,2,3']) {
      expect(at(line), JSON.stringify(line)).toBeUndefined();
    }
    const r = reader();
    const row = (s: string) => r.lineAt(Buffer.from(s), 0, 2);
    expect(row('5,2,3\n')).toEqual({ id: 0, arrivalS: 5, promptTokens: 2, outputTokens: 3 });
    expect(row('4,2,3\n')).toBeUndefined(); // out of order: the full reader says where
  });

  it('finds the line end: LF or CR LF, the next line after it', () => {
    const r = reader();
    const b = Buffer.from('x0.5,20,7\r\n1.25,3,4\n\n');
    expect(r.lineAt(b, 1, 2)).toEqual({ id: 0, arrivalS: 0.5, promptTokens: 20, outputTokens: 7 });
    expect([r.lineStop, r.lineNext]).toEqual([9, 11]); // the CR at 9, the LF at 10
    expect(r.lineAt(b, 11, 3)).toEqual({ id: 1, arrivalS: 1.25, promptTokens: 3, outputTokens: 4 });
    expect([r.lineStop, r.lineNext]).toEqual([19, 20]);
    expect(r.lineAt(b, 20, 4)).toBeUndefined(); // an empty line: the line reader skips it
    expect([r.lineStop, r.lineNext]).toEqual([19, 20]); // unchanged
  });
});

describe('a streamed native trace gives the requests of reading it whole', () => {
  // Rows the byte path reads (plain, CR LF) mixed with rows it leaves to the full reader (an empty
  // line, a token cell `2.0`, spaces, an exponent, a 16-digit time), over three 1 MiB chunks.
  // Oracle: buildWorkload, which reads the file whole with the CSV reader.
  function trace(bad?: { at: number; row: string }): string {
    const rows = ['arrival_s,prompt_tokens,output_tokens'];
    let ticks = 0; // of 0.1 ms: times written with 0 to 4 decimals, never out of order
    for (let k = 0; rows.length < 170_000; k++) {
      ticks += k % 7;
      const t = ticks / 10_000;
      const time = String(t);
      const kind = k % 1000;
      if (bad && k === bad.at) rows.push(bad.row);
      else if (kind === 1) rows.push('');
      else if (kind === 2) rows.push(`${time},${1 + (k % 300)}.0,${1 + (k % 50)}`);
      else if (kind === 3) rows.push(` ${time} , ${1 + (k % 300)},${1 + (k % 50)} `);
      else if (kind === 4) rows.push(`${Number(time).toExponential()},${1 + (k % 300)},${1 + (k % 50)}`);
      else if (kind === 5) rows.push(`${t.toFixed(12).padStart(17, '0')},${1 + (k % 300)},${1 + (k % 50)}`);
      else rows.push(`${time},${1 + (k % 300)},${1 + (k % 50)}${k % 3 === 0 ? '\r' : ''}`);
    }
    return `${rows.join('\n')}\n`;
  }
  const spec = (file: string) => workloadSchema.parse({ trace: { path: file } });
  const streamedRequests = (file: string) => {
    const s = openWorkloadStream(spec(file), { baseDir: dir, seed: 1 });
    const out = [];
    try {
      for (let r = s.next(); r !== undefined; r = s.next()) out.push(r);
    } finally {
      s.close();
    }
    expect(s.reads).toBe('trace');
    return out;
  };

  it('same requests, in the same order', () => {
    const file = join(dir, 'mixed.csv');
    const text = trace();
    writeFileSync(file, text);
    expect(text.length).toBeGreaterThan(2 * MiB + 100_000);
    const whole = buildWorkload(spec(file), { baseDir: dir, seed: 1 });
    expect(whole.length).toBeGreaterThan(160_000);
    expect(streamedRequests(file)).toEqual(whole);
  });

  it.each([
    ['out of order', '0.001,5,5'],
    ['a bad token cell', '99999,0,5'],
    ['a missing cell', '99999,5'],
  ])('reports %s after many plain rows at the same line as reading it whole', (_name, row) => {
    const file = join(dir, 'late-error.csv');
    writeFileSync(file, trace({ at: 120_000, row }));
    const whole = errorOf(() => buildWorkload(spec(file), { baseDir: dir, seed: 1 }));
    expect(whole).toMatch(/late-error\.csv:\d{6}/);
    expect(errorOf(() => streamedRequests(file))).toBe(whole);
  });
});
