import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offeredRate, vllmBenchResult, weightedStats } from '../../src/metrics/vllm-bench.js';
import { repoFile, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';
import { buildResult, device } from './fixtures.js';

const dir = tempDir('vllm-bench');
const io = captureCli(dir);

// Request 0: arrives 0, first token 2, finishes 6, 5 tokens; request 1: arrives 1, first token 3,
// finishes 4, 3 tokens; request 2 arrives at 2 and is rejected.
const result = () =>
  buildResult(
    [
      { req: { arrivalS: 0, promptTokens: 10, outputTokens: 5 }, startS: 1, firstTokenS: 2, finishS: 6, device: 0 },
      { req: { arrivalS: 1, promptTokens: 12, outputTokens: 3 }, startS: 2, firstTokenS: 3, finishS: 4, device: 0 },
      { req: { arrivalS: 2, promptTokens: 10, outputTokens: 3 }, rejected: 'kv-capacity' },
    ],
    [device({ name: 'gpu/0' })],
  );

describe('weightedStats: numpy on the list with each value repeated weight times', () => {
  it('[1, 3, 3, 3]: mean 2.5, median 3, population std sqrt(0.75), p90 3', () => {
    const s = weightedStats([[3, 3], [1, 1]])!;
    expect(s.mean).toBe(2.5);
    expect(s.median).toBe(3);
    expect(s.std).toBeCloseTo(Math.sqrt(0.75), 12);
    expect(s.percentile(90)).toBe(3);
  });
  it('[1, 1, 2, 2]: median 1.5 (between ranks), p90 2, p0 1; empty is null', () => {
    const s = weightedStats([[1, 2], [2, 2]])!;
    expect(s.median).toBe(1.5);
    expect(s.percentile(90)).toBe(2);
    expect(s.percentile(0)).toBe(1);
    expect(s.percentile(25)).toBe(1); // h = 0.75, ranks 0 and 1 both 1
    expect(weightedStats([])).toBeNull();
  });
});

describe('vllmBenchResult: vllm bench serve names and units', () => {
  it('hand-computed: counts, ms latencies, token-weighted ITL, rates over the measured span', () => {
    const v = vllmBenchResult(result(), { slo: { ttftS: 1.5 } });
    // Span: first arrival 0 to the last end (request 0 finishes at 6; the rejection ends at its arrival, 2).
    expect(v).toMatchObject({ duration: 6, completed: 2, failed: 1, total_input_tokens: 22, total_output_tokens: 8, request_throughput: 0.333333, output_throughput: 1.33333, total_token_throughput: 5, request_goodput: 0, request_rate: 1, max_concurrency: null });
    expect(v).toMatchObject({ mean_ttft_ms: 2000, median_ttft_ms: 2000, std_ttft_ms: 0, p99_ttft_ms: 2000 });
    // TPOT: (6 - 2) / 4 = 1 s and (4 - 3) / 2 = 0.5 s; E2E 6 and 3 s.
    expect(v).toMatchObject({ mean_tpot_ms: 750, median_tpot_ms: 750, std_tpot_ms: 250, mean_e2el_ms: 4500, p90_e2el_ms: 5700 });
    // ITL: 4 gaps of 1000 ms and 2 of 500 ms: mean = 5 s of decoding over 6 gaps, median 1000.
    expect(v.mean_itl_ms).toBeCloseTo(833.333, 3);
    expect(v).toMatchObject({ median_itl_ms: 1000, p90_itl_ms: 1000 });
    expect(vllmBenchResult(result()).request_goodput).toBeNull(); // no SLO: as vLLM without --goodput
  });

  it('warm-up and cool-down leave out requests by arrival and measure the rest on their own span', () => {
    const v = vllmBenchResult(result(), { warmupS: 0.5 });
    // Requests 1 and 2: from arrival 1 to request 1's finish at 4.
    expect(v).toMatchObject({ completed: 1, failed: 1, duration: 3, request_throughput: 0.333333, mean_ttft_ms: 2000, mean_tpot_ms: 500, request_rate: 1 });
    expect(v.llmsim).toMatchObject({ measured: { requests: 2, warmupS: 0.5, cooldownS: 0, firstArrivalS: 1 } });
    const c = vllmBenchResult(result(), { cooldownS: 1.5 });
    expect(c).toMatchObject({ completed: 1, failed: 0, duration: 6, mean_e2el_ms: 6000, request_rate: null });
  });

  it('offered rate: arrivals after the first over their span', () => {
    expect(offeredRate(result())).toBe(1);
    expect(offeredRate(result(), 0, 1)).toBeNull();
  });
});

describe('llmsim run --format', () => {
  const scenario = repoFile('test/golden/cb-fifo-least-loaded.yaml');
  const out = join(dir, 'run');

  it('json prints summary.json as written; csv one metric,value row per leaf; stdout holds only the data', async () => {
    expect(await io.llmsim('run', scenario, '-o', out, '--format', 'json')).toBe(0);
    expect(`${io.out}`).toBe(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(io.err).toMatch(/^wrote /m);
    expect(await io.llmsim('run', scenario, '-o', out, '--format', 'csv')).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const lines = io.out.trimEnd().split('\n');
    expect(lines[0]).toBe('metric,value');
    expect(lines).toContain(`latency.ttftS.p99,${summary.latency.ttftS.p99}`);
    expect(lines).toContain(`requests.total,${summary.requests.total}`);
  });

  it('markdown prints tables; vllm prints vllm bench keys agreeing with the summary (ms = 1000 x s)', async () => {
    expect(await io.llmsim('run', scenario, '-o', out, '--format', 'markdown')).toBe(0);
    expect(io.out).toMatch(/^\|  \| golden-cb-fifo-least-loaded \|\n\| --- \| --- \|\n/);
    expect(await io.llmsim('run', scenario, '-o', out, '--format', 'vllm')).toBe(0);
    const v = JSON.parse(io.out);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(v.completed).toBe(s.requests.finished);
    expect(v.mean_ttft_ms).toBeCloseTo(s.latency.ttftS.mean * 1000, 1);
    expect(v.p99_e2el_ms).toBeCloseTo(s.latency.e2eS.p99 * 1000, 1);
    expect(v.median_tpot_ms).toBeCloseTo(s.latency.tpotS.p50 * 1000, 1);
    expect(v.request_throughput).toBeCloseTo(s.throughput.requestsPerS, 4);
    for (const k of ['mean_itl_ms', 'median_itl_ms', 'std_itl_ms', 'p99_itl_ms', 'output_throughput', 'request_goodput', 'duration']) expect(v).toHaveProperty(k);
    expect(await io.llmsim('run', scenario, '-o', out, '--format', 'vllm', '--warmup', '30', '--cooldown', '30')).toBe(0);
    const trimmed = JSON.parse(io.out);
    expect(trimmed.llmsim.measured).toMatchObject({ warmupS: 30, cooldownS: 30 });
    expect(trimmed.completed + trimmed.failed).toBe(trimmed.llmsim.measured.requests);
    expect(trimmed.llmsim.measured.requests).toBeLessThan(v.completed + v.failed);
  });

  it('a bad format or a negative warm-up is an input error (exit 2)', async () => {
    expect(await io.llmsim('run', scenario, '-o', out, '--format', 'yaml')).toBe(2);
    expect(io.err).toMatch(/^llmsim: --format: expected one of "table", "json", "csv", "markdown", "vllm", found "yaml"\n$/);
    expect(await io.llmsim('run', scenario, '-o', out, '--warmup', '-1')).toBe(2);
    expect(io.err).toMatch(/^llmsim: --warmup: expected a number >= 0, found "-1"\n$/);
  });
});
