import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STATUS_FINISHED } from '../../src/metrics/records.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';

const scenario = fileURLToPath(new URL('../../scenarios/mooncake-vllm-v1.yaml', import.meta.url));

describe('real traces served as a modern engine does', () => {
  it('Mooncake conversations (3,500 requests, prompts to ~120k tokens) on 70B TP8 H100: none refused for its prompt, at least 95% finished', () => {
    const loaded = loadScenario(scenario);
    const device = loaded.scenario.cluster.devices[0]!;
    expect(device).toMatchObject({ scheduler: 'vllm-v1', maxBatchedTokens: 2048, maxModelLen: 131072 });
    const { result, summary } = runScenario(loaded);
    expect(summary.requests.total).toBe(3500);
    const longest = Math.max(...result.requests.map((r) => r.promptTokens));
    expect(longest).toBeGreaterThan(50 * 2048); // prompts far beyond the token budget are in the trace
    for (const { reason } of summary.requests.rejectReasons) expect(reason).not.toMatch(/prompt/);
    expect(summary.requests.finished / summary.requests.total).toBeGreaterThanOrEqual(0.95);
    // The longest prompt was chunked, not refused.
    const longestId = result.requests.findIndex((r) => r.promptTokens === longest);
    expect(result.records.status[longestId]).toBe(STATUS_FINISHED);
  });
});

describe('prefix caching on the Mooncake trace, against an independent count', () => {
  it('with one unbounded cache and no overlap, cached tokens = the leading hash chains seen before, block by block', async () => {
    const { readFileSync } = await import('node:fs');
    const trace = fileURLToPath(new URL('../../traces/mooncake-fast25-conversation-first3500.jsonl', import.meta.url));
    // Independent count: a request reuses the longest run of leading 512-token hash blocks whose
    // whole chain an earlier request had, capped (as vLLM) to leave at least one token, in 16-token blocks.
    const seen = new Set<string>();
    let expected = 0;
    for (const line of readFileSync(trace, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const { input_length: len, hash_ids: ids } = JSON.parse(line) as { input_length: number; hash_ids: number[] };
      const chains = ids.map((_, i) => ids.slice(0, i + 1).join(','));
      let k = 0;
      while (k < chains.length && seen.has(chains[k]!)) k++;
      expected += Math.min(k * 512, Math.floor((len - 1) / 16) * 16);
      for (const c of chains) seen.add(c);
    }
    const loaded = loadScenario(scenario);
    const device = { ...loaded.scenario.cluster.devices[0]!, replicas: 1, kvCapacityTokens: 2e9, prefixCaching: true };
    // 10,000 times slower: every request ends before the next arrives, so nothing is in flight.
    const workload = { ...loaded.scenario.workload, rateScale: 1e-4 };
    const { summary } = runScenario({ ...loaded, scenario: { ...loaded.scenario, workload, cluster: { devices: [device] } } });
    expect(summary.prefixCache.cachedTokens).toBe(expected);
    expect(expected).toBe(15_362_784); // 32.5% of the 47,332,226 prompt tokens
    expect(summary.prefixCache.evictions).toBe(0);
  });
});
