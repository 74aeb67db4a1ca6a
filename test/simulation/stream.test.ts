import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKETCH_RELATIVE_ERROR } from '../../src/metrics/quantiles.js';
import { writeRequestsCsv } from '../../src/metrics/requests-csv.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { scenarioNotStreamable, streamScenario } from '../../src/scenario/stream-run.js';

/**
 * A streamed run (requests pulled as the clock reaches them, slots reused, results accumulated
 * request by request) must give the in-memory run's summary.json and requests.csv byte for byte.
 * The oracle is the in-memory pipeline (`runScenario`), which the golden summaries pin.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
// Every golden scenario (scenarios/ runs the same code paths on larger, slower workloads).
const dirs = ['test/golden'];

function inMemory(file: string): { summary: string; csv: string } {
  const run = runScenario(loadScenario(file));
  let csv = '';
  writeRequestsCsv(run.result, (t) => (csv += t));
  return { summary: JSON.stringify(run.summary, null, 2), csv };
}

function streamed(file: string): { summary: string; csv: string; reads: string } {
  let csv = '';
  const run = streamScenario(loadScenario(file), { requestsCsv: (t) => (csv += t) });
  return { summary: JSON.stringify(run.summary, null, 2), csv, reads: run.reads };
}

describe('streamed runs equal in-memory runs', () => {
  const files = dirs.flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith('.yaml') && f !== 'tolerances.yaml')
      .sort()
      .map((f) => join(root, d, f)),
  );
  const streamable = files.filter((f) => scenarioNotStreamable(loadScenario(f)) === undefined);

  it('streams most shipped and golden scenarios', () => {
    expect(streamable.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of streamable) {
    it(file.slice(root.length), () => {
      const a = inMemory(file);
      const b = streamed(file);
      expect(b.summary).toBe(a.summary);
      expect(b.csv).toBe(a.csv);
    });
  }

  it('says why a scenario needs the whole workload', () => {
    const why = files.map((f) => scenarioNotStreamable(loadScenario(f))).filter((r) => r !== undefined);
    expect(why.some((r) => /policy wilkins-offline reads the whole workload/.test(r!))).toBe(true);
  });
});

describe('a native trace is read as the run goes', () => {
  // Many requests queue on one replica and preempt: slots are reused while others still wait.
  const rows = ['arrival_s,prompt_tokens,output_tokens,model,uncertainty,deadline_s,class'];
  for (let i = 0; i < 3000; i++) rows.push(`${(i * 0.05).toFixed(3)},${100 + ((i * 37) % 900)},${1 + ((i * 53) % 300)},,,${i % 3 === 0 ? 20 : ''},${i % 5 === 0 ? '"a,b"' : 'c'}`);
  // Made before the tests, removed after them (not at collection: a filtered run then leaves nothing).
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'llmsim-stream-'));
    // BOM and CRLF line ends, as users' spreadsheets write them.
    writeFileSync(join(dir, 'trace.csv'), `\ufeff${rows.join('\r\n')}\r\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const [kind, extra] of [
    ['continuous-batching', `profile: ${join(root, 'profiles/splitwise/llama2-70b-h100-tp4.yaml')}\n      kvCapacityTokens: 20000`],
    ['slots', `profile: ${join(root, 'profiles/wilkins/llama-2-7b-a100.yaml')}\n      slots: 4`],
  ] as const) {
    it(`${kind}: same summary and requests.csv as reading it whole`, () => {
      const file = join(dir, `${kind}.yaml`);
      writeFileSync(
        file,
        `name: s\nseed: 1\nworkload:\n  trace:\n    path: trace.csv\n  window:\n    startS: 1\n    endS: 140\n  rateScale: 1.5\n` +
          `cluster:\n  devices:\n    - name: g\n      kind: ${kind}\n      replicas: 2\n      ${extra}\npolicy:\n  name: least-loaded\nslo:\n  ttftS: 2\n`,
      );
      const a = inMemory(file);
      const b = streamed(file);
      expect(b.reads).toBe('trace');
      expect(b.summary).toBe(a.summary);
      expect(b.csv).toBe(a.csv);
      expect(JSON.parse(a.summary).requests.total).toBeGreaterThan(1000);
    });
  }
});

describe('past the exact limit, the summary takes percentiles from the sketch', () => {
  it('counts and means stay exact; percentiles within the documented error of the in-memory ones', () => {
    const file = join(root, 'test/golden/cb-vllm-v1.yaml');
    const exact = JSON.parse(inMemory(file).summary);
    const run = streamScenario(loadScenario(file), { exactLimit: 50 });
    expect(run.sketched).toBe(true);
    const got = JSON.parse(JSON.stringify(run.summary));
    expect(got.requests).toEqual(exact.requests);
    expect(got.throughput).toEqual(exact.throughput);
    expect(got.energy).toEqual(exact.energy);
    for (const metric of ['queueingDelayS', 'ttftS', 'tpotS', 'e2eS']) {
      const [a, b] = [exact.latency[metric], got.latency[metric]];
      expect(b.count).toBe(a.count);
      expect(b.mean).toBe(a.mean);
      expect(b.max).toBe(a.max);
      for (const p of ['p50', 'p90', 'p95', 'p99']) {
        if (a[p] === 0) expect(b[p]).toBe(0);
        else expect(Math.abs(b[p] - a[p]) / a[p]).toBeLessThanOrEqual(SKETCH_RELATIVE_ERROR);
      }
    }
  });
});

describe('foreign traces and the generator are pulled as the run goes', () => {
  // Each: a workload block (paths absolute), what the stream reads, the same results as building it whole.
  const t = (name: string) => join(root, 'traces', name);
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'llmsim-stream-'));
    // Mooncake CSV with quantized steps, a short gap (width = next - t) and a group at the very end.
    const mooncake = ['timestamp,input_length,output_length,num_hash_blocks'];
    for (let i = 0; i < 400; i++) mooncake.push(`${Math.floor(i / 7) * 3000},${200 + ((i * 31) % 900)},${1 + ((i * 17) % 120)},1`);
    mooncake.push('1200000,100,10,1', '1200500,100,10,1', '1200500,120,12,1', '1200500,130,13,1');
    writeFileSync(join(dir, 'mooncake.csv'), `${mooncake.join('\n')}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const synthetic = (extra: string) => `  synthetic:\n    arrival: { process: poisson, rateRps: 4 }\n    prompt: { dist: lognormal, median: 300, sigma: 0.8, max: 4000 }\n    output: { dist: lognormal, median: 80, sigma: 0.7, max: 800 }\n${extra}`;
  const cases: [string, () => string, 'trace' | 'generator'][] = [
    ['azure (window, rateScale, limit, deadline)', () => `  trace: { path: ${t('azure-llm-2023-conv.csv')}, format: azure, model: m }\n  window: { startS: 60, endS: 3000 }\n  rateScale: 1.5\n  limit: 1500\n  deadline: { baseS: 2, perOutputTokenS: 0.05 }\n`, 'trace'],
    ['azure auto-detected, classMix', () => `  trace: { path: ${t('azure-llm-2023-code.csv')} }\n  limit: 800\n  classMix: { a: 1, b: 3 }\n`, 'trace'],
    ['vidur', () => `  trace: { path: ${t('vidur-conv-poisson1-n10000.csv')}, format: vidur }\n  limit: 1200\n  rateScale: 0.7\n`, 'trace'],
    ['mooncake JSON lines, spread, with prefixes', () => `  trace: { path: ${t('mooncake-fast25-conversation-first3500.jsonl')}, format: mooncake }\n  limit: 300\n`, 'trace'],
    ['mooncake CSV, spread (groups, short gaps, a last group)', () => `  trace: { path: ${join(dir, 'mooncake.csv')} }\n`, 'trace'],
    ['mooncake CSV, burst', () => `  trace: { path: ${join(dir, 'mooncake.csv')}, mooncakeArrivals: burst }\n  window: { startS: 30 }\n`, 'trace'],
    ['mooncake CSV (real), spread', () => `  trace: { path: ${t('mooncake-fast25-conversation-nohash.csv')} }\n  limit: 1000\n`, 'trace'],
    ['synthetic, count', () => synthetic('    count: 1500\n'), 'generator'],
    ['synthetic, duration', () => synthetic('    durationS: 300\n'), 'generator'],
    ['synthetic, count and duration, uncertainty, deadline, classMix', () => `${synthetic('    count: 900\n    durationS: 240\n    uncertainty: { dist: beta, a: 2, b: 5 }\n')}  deadline: { fixedS: 30 }\n  classMix: { x: 2, y: 1 }\n`, 'generator'],
    ['synthetic, shared prefixes in random order', () => `  synthetic:\n    count: 800\n    arrival: { process: gamma, rateRps: 3, cv: 2 }\n    prompt: { dist: shared-prefix, groups: 4, usersPerGroup: 20, systemTokens: 600, questionTokens: 90, order: random }\n    output: { dist: uniform, min: 10, max: 200 }\n  window: { startS: 10, endS: 200 }\n`, 'generator'],
  ];
  for (const [name, workload, reads] of cases) {
    it(`${name}: same summary and requests.csv as building it whole`, () => {
      const file = join(dir, 'scenario.yaml');
      writeFileSync(
        file,
        `name: s\nseed: 3\nworkload:\n${workload()}cluster:\n  devices:\n    - name: g\n      kind: continuous-batching\n      replicas: 2\n` +
          `      profile: ${join(root, 'profiles/splitwise/llama2-70b-h100-tp4.yaml')}\n      kvCapacityTokens: 60000\n      maxModelLen: 131072\npolicy:\n  name: least-loaded\nslo:\n  ttftS: 2\n`,
      );
      const a = inMemory(file);
      const b = streamed(file);
      expect(b.reads).toBe(reads);
      expect(b.summary).toBe(a.summary);
      expect(b.csv).toBe(a.csv);
      expect(JSON.parse(a.summary).requests.total).toBeGreaterThan(50);
    });
  }

  it('reports a bad row late in a streamed trace as reading it whole does', () => {
    const bad = join(dir, 'vidur-bad.csv');
    writeFileSync(bad, 'request_id,arrived_at,num_prefill_tokens,num_decode_tokens\n0,1,10,5\n1,2,10,5\n2,3,10,5\n1,4,10,5\n');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `name: s\nseed: 1\nworkload:\n  trace: { path: ${bad} }\ncluster:\n  devices:\n    - { name: g, kind: slots, slots: 2, profile: ${join(root, 'profiles/wilkins/llama-2-7b-a100.yaml')} }\n`);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    const whole = message(() => inMemory(file));
    expect(whole).toMatch(/vidur-bad.csv:5: request_id: expected each request id once, found 1 again \(first at line 3\)/);
    expect(message(() => streamed(file))).toBe(whole);
  });
});
