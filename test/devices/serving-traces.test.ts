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
