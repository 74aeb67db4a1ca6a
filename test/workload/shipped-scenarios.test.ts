import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, prepareRun } from '../../src/scenario/load.js';

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
});
