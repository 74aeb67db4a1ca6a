import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { REQUESTS_CSV_COLUMNS, csvField } from '../../src/metrics/requests-csv.js';
import { summarize } from '../../src/metrics/summary.js';
import { writeResults } from '../../src/metrics/write.js';
import { buildResult, device } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'llmsim-metrics-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Three requests: a streamed one meeting its deadline, a non-streamed one whose class needs CSV
// quoting, and a rejected one whose reason has a comma.
const result = () =>
  buildResult(
    [
      { req: { arrivalS: 0.5, promptTokens: 100, outputTokens: 5, model: 'llama-2-7b', deadlineS: 3 }, startS: 0.75, firstTokenS: 1, finishS: 2.5, energyJ: 12.5, device: 0, preemptions: 1 },
      { req: { arrivalS: 1, promptTokens: 7, outputTokens: 2, class: 'tenant "a", b' }, startS: 1, finishS: 4, energyJ: 1 / 3, device: 1 },
      { req: { arrivalS: 2, promptTokens: 9000, outputTokens: 3, deadlineS: 1 }, rejected: 'prompt, too long' },
    ],
    [device({ name: 'h100/0' }), device({ name: 'cpu/0', kind: 'slots' })],
  );

function write(dir: string, scenarioText?: string): string[] {
  const r = result();
  return writeResults(dir, { result: r, summary: summarize(r, { name: 'three' }), scenarioText });
}

describe('requests.csv', () => {
  it('has the documented header and one parseable row per request', () => {
    const dir = join(root, 'csv');
    write(dir);
    const rows = parse(readFileSync(join(dir, 'requests.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([...REQUESTS_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    // queue 0.25, ttft 0.5, tpot (2.5 - 1) / 4 = 0.375, e2e 2 <= deadline 3
    expect(rows[0]).toEqual({
      id: '0', arrival_s: '0.5', prompt_tokens: '100', output_tokens: '5', model: 'llama-2-7b', class: '', device: 'h100/0',
      status: 'finished', reject_reason: '', queueing_delay_s: '0.25', ttft_s: '0.5', tpot_s: '0.375', e2e_s: '2',
      energy_j: '12.5', preemptions: '1', cached_tokens: '0', timed_out_s: '', deadline_s: '3', deadline_met: 'true',
    });
    // non-streaming: no ttft/tpot; energy 1/3 with 9 significant digits
    expect(rows[1]).toEqual({
      id: '1', arrival_s: '1', prompt_tokens: '7', output_tokens: '2', model: '', class: 'tenant "a", b', device: 'cpu/0',
      status: 'finished', reject_reason: '', queueing_delay_s: '0', ttft_s: '', tpot_s: '', e2e_s: '3',
      energy_j: '0.333333333', preemptions: '0', cached_tokens: '0', timed_out_s: '', deadline_s: '', deadline_met: '',
    });
    expect(rows[2]).toEqual({
      id: '2', arrival_s: '2', prompt_tokens: '9000', output_tokens: '3', model: '', class: '', device: '',
      status: 'rejected', reject_reason: 'prompt, too long', queueing_delay_s: '', ttft_s: '', tpot_s: '', e2e_s: '',
      energy_j: '0', preemptions: '0', cached_tokens: '0', timed_out_s: '', deadline_s: '1', deadline_met: 'false',
    });
  });

  it('quotes only fields that need it (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes a row per request across chunk boundaries', () => {
    const n = 25_001; // > two 10,000-row chunks
    const rows = Array.from({ length: n }, (_, i) => ({ req: { arrivalS: i, promptTokens: 1, outputTokens: 1 }, startS: i, firstTokenS: i + 1, finishS: i + 1, device: 0 }));
    const r = buildResult(rows, [device({ name: 'gpu/0' })]);
    const dir = join(root, 'chunks');
    writeResults(dir, { result: r, summary: summarize(r) });
    const lines = readFileSync(join(dir, 'requests.csv'), 'utf8').split('\n');
    expect(lines).toHaveLength(n + 2); // header + rows + empty string after the final newline
    expect(lines[n].startsWith(`${n - 1},${n - 1},`)).toBe(true);
    expect(lines[n + 1]).toBe('');
  });
});

describe('writeResults', () => {
  it('creates the directory and writes exactly the three files, no temporary files left', () => {
    const dir = join(root, 'nested', 'run', 'a');
    const written = write(dir, 'name: three\nseed: 1');
    expect(written).toEqual(['requests.csv', 'summary.json', 'scenario.yaml'].map((f) => join(dir, f)));
    expect(readdirSync(dir).sort()).toEqual(['requests.csv', 'scenario.yaml', 'summary.json']);
    expect(readFileSync(join(dir, 'scenario.yaml'), 'utf8')).toBe('name: three\nseed: 1\n');
  });

  it('writes summary.json with 2-space indent and a trailing newline', () => {
    const dir = join(root, 'json');
    write(dir);
    const text = readFileSync(join(dir, 'summary.json'), 'utf8');
    expect(text.startsWith('{\n  "name": "three",\n  "requests": {\n    "total": 3,')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text).requests.rejectReasons).toEqual([{ reason: 'prompt, too long', count: 1 }]);
    expect(readdirSync(dir)).not.toContain('scenario.yaml');
  });

  it('gives byte-identical files for the same input', () => {
    write(join(root, 'same1'), 'x: 1\n');
    write(join(root, 'same2'), 'x: 1\n');
    for (const f of ['requests.csv', 'summary.json', 'scenario.yaml']) {
      expect(readFileSync(join(root, 'same2', f))).toEqual(readFileSync(join(root, 'same1', f)));
    }
  });

  it('skips requests.csv when asked, removing a stale one', () => {
    const dir = join(root, 'no-requests');
    mkdirSync(dir);
    writeFileSync(join(dir, 'requests.csv'), 'mine');
    const r = result();
    const written = writeResults(dir, { result: r, summary: summarize(r), requests: false });
    expect(written).toEqual([join(dir, 'summary.json')]);
    // A requests.csv of an earlier run would be mistaken for this run's: it goes.
    expect(existsSync(join(dir, 'requests.csv'))).toBe(false);
  });

  it('replaces existing files', () => {
    const dir = join(root, 'replace');
    mkdirSync(dir);
    writeFileSync(join(dir, 'summary.json'), 'old');
    write(dir);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toMatch(/^\{\n/);
  });

  it('a failed write throws an InputError naming the file and removes its temporary file', () => {
    const dir = join(root, 'blocked');
    mkdirSync(join(dir, 'summary.json'), { recursive: true }); // a directory where the file must go
    let error: unknown;
    try {
      write(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(join(dir, 'summary.json'));
    expect((error as Error).message).toMatch(/expected a writable file, found E[A-Z]+/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an output path that is a file is an InputError', () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, '');
    expect(() => write(join(file, 'sub'))).toThrow(InputError);
  });
});
