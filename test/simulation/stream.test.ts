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
