import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectTraceReader, parseTrace } from '../../src/workload/load-trace.js';
import { tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';

const FIX = join(__dirname, 'fixtures');
const read = (f: string) => readFileSync(join(FIX, f), 'utf8');
const shape = (ds: ReturnType<typeof parseTrace>) => ds.map((d) => [d.arrivalS, d.promptTokens, d.outputTokens, d.model, d.class]);
const dir = tempDir('foreign-readers');
const io = captureCli(dir);

// Expected values are read off the (synthetic) fixture files by hand; see fixtures/README.md.
describe('BurstGPT', () => {
  it('keeps model and log type, drops the failed request (0 response tokens), starts at 0', () => {
    const f = join(FIX, 'burstgpt-sample.csv');
    expect(detectTraceReader(read('burstgpt-sample.csv'), f)).toBe('burstgpt');
    expect(shape(parseTrace(read('burstgpt-sample.csv'), f))).toEqual([
      [0, 472, 18, 'ChatGPT', 'Conversation log'],
      [7, 630, 312, 'GPT-4', 'API log'],
      [14, 88, 211, 'ChatGPT', 'Conversation log'],
      [14, 2054, 97, 'GPT-4', 'API log'],
      [26, 305, 40, 'ChatGPT', 'Conversation log'],
    ]);
  });
});

describe('ShareGPT', () => {
  it('first human turn and its reply per conversation; token counts given, else the chars/4 estimate; all at 0', () => {
    const f = join(FIX, 'sharegpt-sample.json');
    expect(detectTraceReader(read('sharegpt-sample.json'), f)).toBe('sharegpt');
    // c1: 30 and 31 characters -> ceil(/4) = 8 and 8; c2: given 42 and 7; c3: no reply, left out;
    // c4: "Écris un poème" 14 characters (code points, not bytes) -> 4, "Les roses sont rouges" 21 -> 6.
    expect(shape(parseTrace(read('sharegpt-sample.json'), f))).toEqual([
      [0, 8, 8, undefined, undefined],
      [0, 42, 7, undefined, undefined],
      [0, 4, 6, undefined, undefined],
    ]);
  });
  it('uses per-conversation timestamps when every conversation has one', () => {
    const text = JSON.stringify([{ timestamp: 10, conversations: [{ from: 'human', value: 'abcd' }, { from: 'gpt', value: 'abcde' }] }, { timestamp: 12.5, conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }] }]);
    expect(shape(parseTrace(text, 'x.json', 'sharegpt'))).toEqual([
      [0, 1, 2, undefined, undefined],
      [2.5, 1, 1, undefined, undefined],
    ]);
  });
});

describe('vllm bench serve --save-detailed', () => {
  it('input_lens and output_lens per request; the failed one left out; arrivals 1/request_rate apart', () => {
    const f = join(FIX, 'vllm-bench-sample.json');
    expect(detectTraceReader(read('vllm-bench-sample.json'), f)).toBe('vllm-bench');
    // request_rate 2 -> 0.5 s apart by position; request 1 (output 0, "Bad Request") left out.
    expect(shape(parseTrace(read('vllm-bench-sample.json'), f))).toEqual([
      [0, 512, 200, undefined, undefined],
      [1, 290, 120, undefined, undefined],
      [1.5, 777, 90, undefined, undefined],
    ]);
  });
  it('start_times when present (sorted, relative to the first); request_rate inf puts all at 0', () => {
    const withStarts = JSON.stringify({ input_lens: [10, 20, 30], output_lens: [1, 2, 3], start_times: [1000.5, 1000.25, 1001] });
    expect(shape(parseTrace(withStarts, 'r.json'))).toEqual([
      [0, 20, 2, undefined, undefined],
      [0.25, 10, 1, undefined, undefined],
      [0.75, 30, 3, undefined, undefined],
    ]);
    expect(parseTrace(JSON.stringify({ request_rate: 'inf', input_lens: [1, 2], output_lens: [3, 4] }), 'r.json').map((d) => d.arrivalS)).toEqual([0, 0]);
  });
});

describe('OpenTelemetry GenAI spans (OTLP JSON)', () => {
  it('one request per span with gen_ai.usage tokens, in start order, exact nanosecond differences; other spans left out', () => {
    const f = join(FIX, 'otel-genai-sample.json');
    expect(detectTraceReader(read('otel-genai-sample.json'), f)).toBe('otel');
    expect(shape(parseTrace(read('otel-genai-sample.json'), f))).toEqual([
      [0, 512, 128, 'llama-3.1-8b', undefined],
      [1e-7, 33, 9, 'gpt-4o-2024-08-06', undefined],
      [2.75, 220, 64, 'llama-3.1-8b', undefined],
    ]);
  });
});

describe('trace.columns: any CSV or JSON lines', () => {
  const map = { arrival: 'request_time', promptTokens: 'input_tokens', outputTokens: 'completion_tokens', model: 'llm', class: 'tenant' };
  it('ISO 8601 times with offsets and 9 fractional digits, made relative to the first row exactly', () => {
    const ds = parseTrace(read('columns-sample.csv'), join(FIX, 'columns-sample.csv'), 'auto', { columns: map, time: { unit: 's', format: 'iso8601' } });
    // 12:00:00.250Z, 12:00:00.750Z, 14:00:01+02:00 = 12:00:01Z, 12:00:03.0000001Z.
    expect(shape(ds)).toEqual([
      [0, 812, 120, 'llama-3.1-8b', 'acme'],
      [0.5, 95, 33, 'llama-3.1-8b', 'globex'],
      [0.75, 2048, 256, 'llama-3.1-70b', 'acme'],
      [2.7500001, 300, 12, 'llama-3.1-8b', 'initech'],
    ]);
  });
  it('numeric units: relative ms kept from 0 as written, epoch us made relative; JSON lines by key', () => {
    const m = { arrival: 't', promptTokens: 'p', outputTokens: 'o' };
    expect(parseTrace('t,p,o\n500,1,1\n1500,1,1\n', 'a.csv', 'auto', { columns: m, time: { unit: 'ms', format: 'relative' } }).map((d) => d.arrivalS)).toEqual([0.5, 1.5]);
    expect(parseTrace('t,p,o\n1714564800000000,1,1\n1714564800250000,1,1\n', 'a.csv', 'auto', { columns: m, time: { unit: 'us', format: 'epoch' } }).map((d) => d.arrivalS)).toEqual([0, 0.25]);
    const jsonl = '{"t": 2, "p": 10, "o": 3, "extra": [1]}\n\n{"t": 3.5, "p": "11", "o": 4}\n';
    expect(shape(parseTrace(jsonl, 'a.jsonl', 'auto', { columns: m }))).toEqual([
      [2, 10, 3, undefined, undefined],
      [3.5, 11, 4, undefined, undefined],
    ]);
  });
  it('runs end to end from a scenario (trace.columns and trace.time in YAML)', async () => {
    writeFileSync(join(dir, 'c.csv'), read('columns-sample.csv'));
    const scenario = join(dir, 's.yaml');
    writeFileSync(
      scenario,
      [
        'name: cols',
        'workload:',
        '  trace:',
        '    path: c.csv',
        '    columns: { arrival: request_time, promptTokens: input_tokens, outputTokens: completion_tokens, class: tenant }',
        '    time: { format: iso8601 }',
        '    model: llama-3.1-8b',
        'cluster:',
        '  devices:',
        `    - { name: a100, kind: slots, replicas: 1, slots: 2, profile: ${join(__dirname, '../../profiles/wilkins/llama-2-7b-a100.yaml')} }`,
        'policy: { name: fifo }',
        '',
      ].join('\n'),
    );
    expect(await io.llmsim('run', scenario, '-o', join(dir, 'out'), '--format', 'json')).toBe(0);
    expect(JSON.parse(io.out).requests.total).toBe(4);
  });
});
