import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, prepareRun } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';

const file = (name: string) => resolve(import.meta.dirname, '../../scenarios', name);

describe('shipped workload scenarios', () => {
  it('shared-prefix.yaml: ~20 req/s for 60 s over 10 x 10 named prompts of 128 + 64 tokens', () => {
    const { requests } = prepareRun(loadScenario(file('shared-prefix.yaml')));
    // Poisson(1,200): within 4.5 sd (34.6) of the mean.
    expect(Math.abs(requests.length - 1200)).toBeLessThan(4.5 * Math.sqrt(1200));
    expect(requests.every((r) => r.promptTokens === 192 && r.outputTokens === 64 && r.arrivalS < 60)).toBe(true);
    // Cycle order: request 123 uses prompt 23 = group 2, user 3: ids 2 and 10 + 23.
    expect(requests[123]!.prefix).toEqual([{ id: 2, tokens: 128 }, { id: 33, tokens: 64 }]);
  });

  it('multi-turn-chat.yaml: ~600 sessions of 1-8 turns sharing one 256-token system prompt, chained by follow-ups', () => {
    const { requests } = prepareRun(loadScenario(file('multi-turn-chat.yaml')));
    const first = requests.filter((r) => !r.followUp);
    // Poisson(600) sessions in 600 s at 1/s: within 4.5 sd (24.5).
    expect(Math.abs(first.length - 600)).toBeLessThan(4.5 * Math.sqrt(600));
    expect(first.every((r, i) => r.arrivalS < 600 && (i === 0 || r.arrivalS >= first[i - 1]!.arrivalS))).toBe(true);
    expect(requests.every((r) => r.prefix![0]!.id === 0 && r.prefix![0]!.tokens === 256)).toBe(true);
    expect(requests.every((r, i) => (r.followUp ? r.followUp.after === i - 1 && Number.isNaN(r.arrivalS) : Number.isFinite(r.arrivalS)))).toBe(true);
    // Turns per session uniform on 1..8: mean 4.5 (sd of the mean 2.29 / sqrt(600) = 0.094).
    expect(Math.abs(requests.length / first.length - 4.5)).toBeLessThan(4.5 * 0.094);
    let turn = 0;
    for (const r of requests) {
      turn = r.followUp ? turn + 1 : 1;
      expect(turn).toBeLessThanOrEqual(8);
    }
  });

  it('both run: every request finishes, and the prefix cache serves part of the prompts', () => {
    for (const name of ['shared-prefix.yaml', 'multi-turn-chat.yaml']) {
      const { summary } = runScenario(loadScenario(file(name)));
      expect(summary.requests.finished, name).toBe(summary.requests.total);
      expect(summary.prefixCache.hitRate, name).toBeGreaterThan(0);
    }
  });
});
