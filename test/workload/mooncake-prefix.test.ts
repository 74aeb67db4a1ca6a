import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTrace, parseTrace } from '../../src/workload/index.js';
import { errorOf } from '../support/errors.js';

const TRACE = fileURLToPath(new URL('../../traces/mooncake-fast25-conversation-first3500.jsonl', import.meta.url));
const line = (input: number, hashIds?: unknown, ts = 0) => JSON.stringify({ timestamp: ts, input_length: input, output_length: 5, ...(hashIds === undefined ? {} : { hash_ids: hashIds }) });
const read = (...lines: string[]) => parseTrace(lines.join('\n'), 'm.jsonl', 'mooncake');

describe('Mooncake hash_ids become prefix segments of 512 tokens, the last one the rest', () => {
  it('1,100 tokens and 3 ids: 512 + 512 + 76', () => {
    expect(read(line(1100, [7, 8, 9]))[0]!.prefix).toEqual([
      { id: 7, tokens: 512 },
      { id: 8, tokens: 512 },
      { id: 9, tokens: 76 },
    ]);
  });

  it('a prompt of exactly 2 blocks: both full; a 1-token prompt: one 1-token block', () => {
    expect(read(line(1024, [1, 2]))[0]!.prefix).toEqual([{ id: 1, tokens: 512 }, { id: 2, tokens: 512 }]);
    expect(read(line(1, [3]))[0]!.prefix).toEqual([{ id: 3, tokens: 1 }]);
  });

  it('more tokens than the ids cover: the segments cover 512 per id, the rest is unique', () => {
    expect(read(line(2000, [1, 2]))[0]!.prefix).toEqual([{ id: 1, tokens: 512 }, { id: 2, tokens: 512 }]);
  });

  it('no hash_ids key, or an empty list: no prefix', () => {
    const r = read(line(100), line(100, []));
    expect(r[0]).toEqual({ id: 0, arrivalS: 0, promptTokens: 100, outputTokens: 5 });
    expect(r[1]!.prefix).toBeUndefined();
  });

  it('an id shared by two requests is one segment', () => {
    const r = read(line(600, [4, 5]), line(700, [4, 6]));
    expect(r[0]!.prefix).toEqual([{ id: 4, tokens: 512 }, { id: 5, tokens: 88 }]);
    expect(r[1]!.prefix).toEqual([{ id: 4, tokens: 512 }, { id: 6, tokens: 188 }]);
  });

  it('the shipped trace: lines 1, 2 and 4 by hand', () => {
    const r = loadTrace(TRACE);
    // Line 1: 6,758 tokens, ids 0..13: 13 full blocks (6,656 tokens) and 102 more.
    expect(r[0]!.prefix).toHaveLength(14);
    expect(r[0]!.prefix!.slice(0, 13).every((s) => s.tokens === 512)).toBe(true);
    expect(r[0]!.prefix!.map((s) => s.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(r[0]!.prefix![13]).toEqual({ id: 13, tokens: 102 });
    // Line 2: 7,322 tokens, ids 0, 14..27: shares block 0 with line 1; last 7,322 - 14 * 512 = 154.
    expect(r[1]!.prefix![0]).toEqual({ id: 0, tokens: 512 });
    expect(r[1]!.prefix!.at(-1)).toEqual({ id: 27, tokens: 154 });
    // Line 4: 2,290 tokens, ids 0, 42..45: last 2,290 - 4 * 512 = 242.
    expect(r[3]!.prefix).toEqual([{ id: 0, tokens: 512 }, { id: 42, tokens: 512 }, { id: 43, tokens: 512 }, { id: 44, tokens: 512 }, { id: 45, tokens: 242 }]);
    // len(hash_ids) == ceil(input_length / 512) on every line (traces/README.md), so the
    // segments cover each prompt exactly.
    expect(r.every((x) => x.prefix!.reduce((s, p) => s + p.tokens, 0) === x.promptTokens)).toBe(true);
  });
});

describe('bad hash_ids are InputErrors naming the line and field', () => {
  it.each([
    ['more ids than blocks', [line(100), line(1024, [1, 2, 3])], 'm.jsonl:2: hash_ids: expected at most ceil(input_length / 512) = 2 hash ids (512-token blocks) for input_length 1024, found 3'],
    ['a fraction', [line(1100, [1, 2.5])], 'm.jsonl:1: hash_ids: expected a list of hash ids (whole numbers >= 0), found 2.5 at index 1'],
    ['a string', [line(1100, ['1'])], 'm.jsonl:1: hash_ids: expected a list of hash ids (whole numbers >= 0), found "1" at index 0'],
    ['a negative id', [line(1100, [-1])], 'm.jsonl:1: hash_ids: expected a list of hash ids (whole numbers >= 0), found -1 at index 0'],
    ['not a list', [line(1100, { a: 1 })], 'm.jsonl:1: hash_ids: expected a list of hash ids (whole numbers >= 0), found a mapping'],
    ['null', [line(1100, null)], 'm.jsonl:1: hash_ids: expected a list of hash ids (whole numbers >= 0), found null'],
    ['one id, two sizes', [line(600, [5, 6]), line(1100, [5, 6, 7], 1)], 'm.jsonl:2: hash_ids: expected hash id 6 to have 88 tokens as on line 1, found 512'],
    ['one id, two last-block sizes', [line(600, [5, 6]), line(700, [5, 6], 1)], 'm.jsonl:2: hash_ids: expected hash id 6 to have 88 tokens as on line 1, found 188 (the last block of input_length 700)'],
  ])('%s', (_name, lines, message) => {
    expect(errorOf(() => read(...lines))).toBe(message);
  });

  it('the no-hash CSV stays without prefixes', () => {
    const r = parseTrace('timestamp,input_length,output_length,num_hash_blocks\n0,1100,5,3\n', 'm.csv');
    expect(r[0]!.prefix).toBeUndefined();
  });
});
