import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadTrace, parseTrace } from '../../src/workload/index.js';
import type { TraceFormat } from '../../src/workload/schema.js';

/** The single line the CLI would print for a trace, or a failure if the trace was accepted. */
function errorOf(text: string, file: string, format: TraceFormat = 'auto'): string {
  try {
    parseTrace(text, file, format);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error(`expected ${file} to be rejected`);
}

const NATIVE = 'arrival_s,prompt_tokens,output_tokens\n';

describe('native llmsim CSV errors name file, line and field', () => {
  it.each([
    ['empty file', '', 'n.csv:1: expected a trace with a header line, found an empty file'],
    ['header only', NATIVE, 'n.csv:2: expected at least one data row after the header, found none'],
    ['non-numeric cell', NATIVE + '0,10,5\n1,abc,5\n', 'n.csv:3: prompt_tokens: expected a finite number, found "abc"'],
    ['NaN', NATIVE + 'NaN,10,5\n', 'n.csv:2: arrival_s: expected a finite number, found "NaN"'],
    ['Infinity', NATIVE + '0,Infinity,5\n', 'n.csv:2: prompt_tokens: expected a finite number, found "Infinity"'],
    ['empty cell', NATIVE + '0,,5\n', 'n.csv:2: prompt_tokens: expected a finite number, found an empty string'],
    ['hex is not decimal', NATIVE + '0,0x10,5\n', 'n.csv:2: prompt_tokens: expected a finite number, found "0x10"'],
    ['zero output tokens', NATIVE + '0,10,0\n', 'n.csv:2: output_tokens: expected a whole number of tokens >= 1, found "0"'],
    ['negative prompt tokens', NATIVE + '0,-3,5\n', 'n.csv:2: prompt_tokens: expected a whole number of tokens >= 1, found "-3"'],
    ['fractional tokens', NATIVE + '0,10,2.5\n', 'n.csv:2: output_tokens: expected a whole number of tokens >= 1, found "2.5"'],
    ['negative time', NATIVE + '-1,10,5\n', 'n.csv:2: arrival_s: expected a time >= 0, found "-1"'],
    ['unsorted', NATIVE + '0,10,5\n5,10,5\n3,10,5\n', 'n.csv:4: arrival_s: expected arrival times in non-decreasing order: a time >= 5 (the previous row, line 3), found 3'],
    ['too few cells', NATIVE + '0,10,5\n1,10\n', 'n.csv:3: expected 3 cells like the header (arrival_s,prompt_tokens,output_tokens), found 2'],
    ['too many cells', NATIVE + '0,10,5,7\n', 'n.csv:2: expected 3 cells like the header (arrival_s,prompt_tokens,output_tokens), found 4'],
    ['uncertainty out of range', 'arrival_s,prompt_tokens,output_tokens,uncertainty\n0,1,1,1.5\n', 'n.csv:2: uncertainty: expected an uncertainty score in [0, 1], found "1.5"'],
    ['zero deadline', 'arrival_s,prompt_tokens,output_tokens,deadline_s\n0,1,1,0\n', 'n.csv:2: deadline_s: expected a relative deadline > 0 s, found "0"'],
  ])('%s', (_name, text, message) => {
    expect(errorOf(text, 'n.csv')).toBe(message);
  });

  it('bad headers: a typo, an unknown column, a wrong order', () => {
    expect(errorOf('arrival,prompt_tokens,output_tokens\n0,1,1\n', 'n.csv', 'llmsim')).toBe(
      'n.csv:1: expected a header with the llmsim columns arrival_s,prompt_tokens,output_tokens (arrival_s is missing; is arrival a typo?), found "arrival,prompt_tokens,output_tokens"',
    );
    expect(errorOf(NATIVE.trim() + ',modle\n0,1,1,x\n', 'n.csv')).toBe(
      'n.csv:1: modle: unknown column (did you mean "model"?); expected arrival_s,prompt_tokens,output_tokens then any of model, uncertainty, deadline_s, class, prefix, found "modle"',
    );
    expect(errorOf('arrival_s,output_tokens,prompt_tokens\n0,1,1\n', 'n.csv')).toBe(
      'n.csv:1: expected the header to start with arrival_s,prompt_tokens,output_tokens, found "arrival_s,output_tokens,prompt_tokens"',
    );
    expect(errorOf('arrival_s,prompt_tokens,output_tokens,model,model\n0,1,1,a,b\n', 'n.csv')).toBe('n.csv:1: model: expected each column once, found "model" twice');
  });

  it('counts lines across blank lines, CRLF and quoted fields spanning lines', () => {
    expect(errorOf(NATIVE + '0,1,1\n\n\n1,x,1\n', 'n.csv')).toBe('n.csv:5: prompt_tokens: expected a finite number, found "x"');
    expect(errorOf(NATIVE.replace('\n', '\r\n') + '0,1,1\r\n\r\n1,1,0', 'n.csv')).toBe('n.csv:4: output_tokens: expected a whole number of tokens >= 1, found "0"');
    const quoted = 'arrival_s,prompt_tokens,output_tokens,class\n0,1,1,"two\nlines"\n1,1,1,"a, b"\n2,0,1,c\n';
    expect(errorOf(quoted, 'n.csv')).toBe('n.csv:5: prompt_tokens: expected a whole number of tokens >= 1, found "0"');
    expect(errorOf(NATIVE + '0,1,1\n1,"x,1\n', 'n.csv')).toMatch(/^n\.csv:3: expected valid CSV, found a syntax error \(.*quote/i);
  });
});

describe('Azure errors', () => {
  const H = 'TIMESTAMP,ContextTokens,GeneratedTokens\r\n';
  it.each([
    ['bad header', 'TIMESTAMP,ContextToken,GeneratedTokens\r\n2023-11-16 18:15:46.6805900,1,1', 'azure', 'a.csv:1: expected a header with the azure columns TIMESTAMP,ContextTokens,GeneratedTokens (ContextTokens is missing; is ContextToken a typo?), found "TIMESTAMP,ContextToken,GeneratedTokens"'],
    ['bad timestamp', H + '2023-11-16 18:15:46.6805900,1,1\r\n2023-11-16 25:00:00.0000000,1,1', 'auto', 'a.csv:3: TIMESTAMP: expected a timestamp like 2023-11-16 18:15:46.6805900, found "2023-11-16 25:00:00.0000000"'],
    ['zero generated tokens', H + '2023-11-16 18:15:46.6805900,374,0', 'auto', 'a.csv:2: GeneratedTokens: expected a whole number of tokens >= 1, found "0"'],
    ['unsorted', H + '2023-11-16 18:15:46.6805900,1,1\r\n2023-11-16 18:15:46.6805899,1,1', 'auto', 'a.csv:3: TIMESTAMP: expected arrival times in non-decreasing order: a time >= 2023-11-16 18:15:46.6805900 (the previous row, line 2), found 2023-11-16 18:15:46.6805899'],
    ['wrong cell count', H + '2023-11-16 18:15:46.6805900,1', 'auto', 'a.csv:2: expected 3 cells like the header (TIMESTAMP,ContextTokens,GeneratedTokens), found 2'],
  ] as const)('%s', (_name, text, format, message) => {
    expect(errorOf(text, 'a.csv', format)).toBe(message);
  });
});

describe('Mooncake errors', () => {
  const line = (ts: unknown, i: unknown = 10, o: unknown = 5) => JSON.stringify({ timestamp: ts, input_length: i, output_length: o, hash_ids: [0] });
  it.each([
    ['empty file', '\n\n', 'm.jsonl:1: expected at least one JSON line, found an empty file'],
    ['invalid JSON', `${line(0)}\n{"timestamp": 1,\n`, /^m\.jsonl:2: expected a JSON object per line, found invalid JSON \(/],
    ['not an object', `${line(0)}\n[1, 2]\n`, 'm.jsonl:2: expected a JSON object per line, found a list'],
    ['missing key', `${line(0)}\n{"timestamp": 5, "input_length": 3}\n`, 'm.jsonl:2: output_length: expected a number, found no such key'],
    ['quoted number', `${line('0')}\n`, 'm.jsonl:1: timestamp: expected a number, found "0"'],
    ['zero output', `${line(0)}\n${line(3000, 10, 0)}\n`, 'm.jsonl:2: output_length: expected a whole number of tokens >= 1, found 0'],
    ['unsorted', `${line(0)}\n${line(6000)}\n\n${line(3000)}\n`, 'm.jsonl:4: timestamp: expected arrival times in non-decreasing order: a time >= 6000 (the previous row, line 2), found 3000'],
  ])('JSONL: %s', (_name, text, message) => {
    if (typeof message === 'string') expect(errorOf(text, 'm.jsonl')).toBe(message);
    else expect(errorOf(text, 'm.jsonl')).toMatch(message);
  });

  it('CSV: zero input length, non-numeric timestamp', () => {
    const H = 'timestamp,input_length,output_length,num_hash_blocks\n';
    expect(errorOf(H + '0,0,5,0\n', 'm.csv')).toBe('m.csv:2: input_length: expected a whole number of tokens >= 1, found "0"');
    expect(errorOf(H + '0,1,5,1\nsoon,1,5,1\n', 'm.csv')).toBe('m.csv:3: timestamp: expected a finite number, found "soon"');
  });
});

describe('Vidur errors', () => {
  const H = 'request_id,arrived_at,num_prefill_tokens,num_decode_tokens\r\n';
  it('rejects Infinity, zero decode tokens and unsorted times', () => {
    expect(errorOf(H + '0,Infinity,1,1\r\n', 'v.csv')).toBe('v.csv:2: arrived_at: expected a finite number, found "Infinity"');
    expect(errorOf(H + '0,0.5,1,0\r\n', 'v.csv')).toBe('v.csv:2: num_decode_tokens: expected a whole number of tokens >= 1, found "0"');
    expect(errorOf(H + '0,2.5,1,1\r\n1,1.5,1,1\r\n', 'v.csv')).toBe('v.csv:3: arrived_at: expected arrival times in non-decreasing order: a time >= 2.5 (the previous row, line 2), found 1.5');
  });
});

describe('format detection and files', () => {
  it('an unknown header lists the known formats', () => {
    expect(errorOf('time,in,out\n1,2,3\n', 'u.csv')).toMatch(/^u\.csv:1: expected the header of a known trace format \(llmsim: arrival_s,prompt_tokens,output_tokens; azure: .*\), found "time,in,out"$/);
  });

  it('a missing file is an InputError naming it', () => {
    expect(() => loadTrace('/nonexistent/trace.csv')).toThrow(new InputError({ file: '/nonexistent/trace.csv' }, 'expected a readable trace file, found no such file'));
  });
});
