import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLoadPoints } from '../../src/calibrate/points.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'llmsim-points-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serving data readers', () => {
  it('reads the shipped inference-perf stages: 6 configurations x 7 stages, summaries skipped', () => {
    const points = readLoadPoints(resolve(root, 'data/serving/inference-perf-kubecon/stages.csv'));
    expect(points).toHaveLength(42);
    expect(new Set(points.map((p) => p.config)).size).toBe(6);
    const p = points.find((x) => x.id === 'vllm/stage-3')!;
    // Measured row: ttft mean 50.549 ms, e2e mean 1021.272 ms, 64 tokens forced -> TPOT (1021.272 - 50.549) / 63 ms.
    expect(p.measured.tpotMeanS).toBeCloseTo((1.021272 - 0.050549) / 63, 12);
    expect(p.device).toMatchObject({ scheduler: 'vllm-v1', maxBatchSize: 128, chunkedPrefill: false, prefixCaching: false, maxModelLen: 512 });
    expect(points.find((x) => x.id === 'vllm+v0_engine/stage-0')!.device).toMatchObject({ scheduler: 'prefill-first', prefixCaching: false });
    expect(points.find((x) => x.id === 'vllm+eagle/stage-0')!.unmodelled).toMatch(/speculative/);
  });

  it('reads a vllm bench serve result JSON with the server flags given', () => {
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ completed: 200, request_rate: 8, burstiness: 1, max_concurrency: 64, total_input_tokens: 200 * 512, total_output_tokens: 200 * 128, mean_ttft_ms: 40, median_ttft_ms: 35, p99_ttft_ms: 90, mean_tpot_ms: 9, request_throughput: 7.9 }));
    const [p] = readLoadPoints(file, 'auto', { maxNumSeqs: 96, prefixCaching: false });
    expect(p!.device).toMatchObject({ maxBatchSize: 96, prefixCaching: false, chunkedPrefill: true });
    expect(p!.workload).toMatchObject({ maxConcurrency: 64, synthetic: { count: 200, prompt: { tokens: 512 }, output: { tokens: 128 }, arrival: { process: 'poisson', rateRps: 8 } } });
    expect(p!.measured.ttftMeanS).toBeCloseTo(0.04, 12);
    expect(p!.measured.tpotMeanS).toBeCloseTo(0.009, 12);
    expect(p!.measured.throughputRps).toBe(7.9);
  });

  it('names file, line and column of bad input', () => {
    const file = join(dir, 'table.csv');
    writeFileSync(file, 'id,config,rate_rps,requests,prompt_tokens,output_tokens\na,x,5,10,100,10\na,x,oops,10,100,10\n');
    expect(() => readLoadPoints(file)).toThrow(/table\.csv:3.*expected each point id once, found "a" again/);
    writeFileSync(file, 'id,config,rate_rps,requests,prompt_tokens,output_tokens\na,x,5,10,100,10\nb,x,oops,10,100,10\n');
    expect(() => readLoadPoints(file)).toThrow(/table\.csv:3.*rate_rps.*expected a finite number >= 0, found "oops"/);
    const json = join(dir, 'bad.json');
    writeFileSync(json, '{"completed": 3}');
    expect(() => readLoadPoints(json)).toThrow(/bad\.json: request_rate: expected a number, found nothing/);
  });
});
