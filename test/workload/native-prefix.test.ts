import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../src/workload/index.js';
import { errorOf } from '../support/errors.js';

const H = 'arrival_s,prompt_tokens,output_tokens,prefix\n';
const read = (text: string) => parseTrace(text, 'n.csv');

describe('native prefix column', () => {
  it('parses label:tokens segments in order and interns labels by first appearance', () => {
    const r = read(H + '0,200,5,sys3:128 user3-7:64\n1,300,5,sys1:128\n2,192,5,sys3:128  user3-8:64\n3,10,5,\n4,200,5,sys1:128 user3-7:64\n');
    // sys3 -> 0, user3-7 -> 1, sys1 -> 2, user3-8 -> 3.
    expect(r[0]!.prefix).toEqual([{ id: 0, tokens: 128 }, { id: 1, tokens: 64 }]);
    expect(r[1]!.prefix).toEqual([{ id: 2, tokens: 128 }]);
    expect(r[2]!.prefix).toEqual([{ id: 0, tokens: 128 }, { id: 3, tokens: 64 }]);
    expect(r[3]).toEqual({ id: 3, arrivalS: 3, promptTokens: 10, outputTokens: 5 });
    expect(r[4]!.prefix).toEqual([{ id: 2, tokens: 128 }, { id: 1, tokens: 64 }]);
  });

  it('labels may use letters, digits, _, - and .; segments may fill the whole prompt', () => {
    const r = read(H + '0,12,5,A.b_c-9:12\n');
    expect(r[0]!.prefix).toEqual([{ id: 0, tokens: 12 }]);
  });

  it('sits among the other optional columns in any order; quoted cells work', () => {
    const r = read('arrival_s,prompt_tokens,output_tokens,prefix,class\n0,100,5,"s:10 q:20",chat\n');
    expect(r[0]).toEqual({ id: 0, arrivalS: 0, promptTokens: 100, outputTokens: 5, class: 'chat', prefix: [{ id: 0, tokens: 10 }, { id: 1, tokens: 20 }] });
  });
});

describe('bad prefix cells are InputErrors naming the line', () => {
  it.each([
    ['no colon', '0,100,5,sys3\n', 'n.csv:2: prefix: expected segments label:tokens separated by spaces, found "sys3"'],
    ['other separator', '0,100,5,sys3=128\n', 'n.csv:2: prefix: expected segments label:tokens separated by spaces, found "sys3=128"'],
    ['bad label character', '0,100,5,sys/3:10\n', 'n.csv:2: prefix: expected a label of letters, digits, _, - and . before ":", found "sys/3"'],
    ['empty label', '0,100,5,:10\n', 'n.csv:2: prefix: expected a label of letters, digits, _, - and . before ":", found an empty string'],
    ['zero tokens', '0,100,5,s:0\n', 'n.csv:2: prefix: expected a whole number of tokens >= 1 after "s:", found "0"'],
    ['fractional tokens', '0,100,5,s:1.5\n', 'n.csv:2: prefix: expected a whole number of tokens >= 1 after "s:", found "1.5"'],
    ['negative tokens', '0,100,5,s:-4\n', 'n.csv:2: prefix: expected a whole number of tokens >= 1 after "s:", found "-4"'],
    ['missing tokens', '0,100,5,s:\n', 'n.csv:2: prefix: expected a whole number of tokens >= 1 after "s:", found an empty string'],
    ['past the prompt', '0,10,5,\n1,100,5,sys:64 q:37\n', 'n.csv:3: prefix: expected segments adding up to at most prompt_tokens (100), found 101 tokens'],
    ['one label, two sizes', '0,200,5,sys:128\n1,200,5,\n2,200,5,sys:64 q:1\n', 'n.csv:4: prefix: expected segment "sys" to have 128 tokens as on line 2, found 64'],
  ])('%s', (_name, rows, message) => {
    expect(errorOf(() => read(H + rows))).toBe(message);
  });
});
