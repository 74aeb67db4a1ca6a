import { describe, expect, it } from 'vitest';
import { validate } from '../../src/util/validate.js';
import { buildWorkload, workloadSchema, type WorkloadInput } from '../../src/workload/index.js';
import { checkWorkloadYaml } from './check-yaml.js';

type SyntheticInput = NonNullable<WorkloadInput['synthetic']>;
const SHARED = { dist: 'shared-prefix', groups: 2, usersPerGroup: 3, systemTokens: 128, questionTokens: 64 } as const;

function synth(over: Partial<SyntheticInput> = {}, seed = 1) {
  const synthetic: SyntheticInput = { count: 12, arrival: { process: 'poisson', rateRps: 20 }, prompt: SHARED, output: { dist: 'fixed', tokens: 64 }, ...over };
  return buildWorkload(validate(workloadSchema, { synthetic }), { baseDir: '/', seed });
}
const ids = (r: { prefix?: readonly { id: number }[] }) => r.prefix!.map((s) => s.id);

describe('shared-prefix prompts (groups 2 x 3 users, 128 + 64 tokens)', () => {
  it('cycle: request i uses prompt i mod 6; system g has id g, question (g, u) id 2 + 3g + u', () => {
    const r = synth();
    // By hand: prompts 0..5 are (g, u) = (0,0) (0,1) (0,2) (1,0) (1,1) (1,2), then again.
    const expected = [[0, 2], [0, 3], [0, 4], [1, 5], [1, 6], [1, 7]];
    expect(r.map(ids)).toEqual([...expected, ...expected]);
    // Request 7: prompt 1 = group 0, user 1.
    expect(r[7]!.prefix).toEqual([{ id: 0, tokens: 128 }, { id: 3, tokens: 64 }]);
    expect(r.every((x) => x.promptTokens === 192 && x.outputTokens === 64)).toBe(true);
  });

  it('the default order is cycle; a repeat of a prompt is the whole prompt named again', () => {
    const r = synth();
    expect(r[6]!.prefix).toEqual(r[0]!.prefix);
    expect(r[6]!.prefix!.reduce((s, p) => s + p.tokens, 0)).toBe(r[6]!.promptTokens);
  });

  it('system and question ids never collide (10 x 10, as inference-perf KubeCon)', () => {
    const r = synth({ count: 300, prompt: { ...SHARED, groups: 10, usersPerGroup: 10 } });
    const system = new Set(r.map((x) => x.prefix![0]!.id));
    const question = new Set(r.map((x) => x.prefix![1]!.id));
    expect([...system].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(question.size).toBe(100);
    expect(Math.min(...question)).toBe(10);
    expect(Math.max(...question)).toBe(109);
    // Question id 10 + p belongs to system prompt floor(p / 10).
    expect(r.every((x) => x.prefix![0]!.id === Math.floor((x.prefix![1]!.id - 10) / 10))).toBe(true);
  });

  it('random: uniform over the 6 prompts, fixed by the seed, without touching arrivals or outputs', () => {
    const n = 6000;
    const output = { dist: 'uniform', min: 1, max: 100 } as const;
    const r = synth({ count: n, prompt: { ...SHARED, order: 'random' }, output });
    const counts = new Array<number>(6).fill(0);
    for (const x of r) counts[x.prefix![1]!.id - 2]!++;
    // Each prompt ~ Binomial(6000, 1/6): mean 1000, sd sqrt(6000 * 1/6 * 5/6) = 28.9.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(4.5 * 28.9);
    for (const x of r) expect(x.prefix![0]!.id).toBe(Math.floor((x.prefix![1]!.id - 2) / 3));
    expect(synth({ count: n, prompt: { ...SHARED, order: 'random' }, output }).map(ids)).toEqual(r.map(ids));
    expect(synth({ count: n, prompt: { ...SHARED, order: 'random' }, output }, 2).map(ids)).not.toEqual(r.map(ids));
    const cycle = synth({ count: n, output });
    expect(cycle.map((x) => [x.arrivalS, x.outputTokens])).toEqual(r.map((x) => [x.arrivalS, x.outputTokens]));
  });
});

describe('shared-prefix schema', () => {
  const check = (prompt: string) =>
    checkWorkloadYaml(`workload:\n  synthetic:\n    count: 3\n    arrival: { process: poisson, rateRps: 1 }\n    output: { dist: fixed, tokens: 1 }\n    prompt: ${prompt}\n`);

  it('accepts the documented form and fills order: cycle', () => {
    expect(check('{ dist: shared-prefix, groups: 10, usersPerGroup: 10, systemTokens: 128, questionTokens: 64 }')).toBe('');
    const spec = validate(workloadSchema, { synthetic: { count: 1, arrival: { process: 'poisson', rateRps: 1 }, prompt: SHARED, output: { dist: 'fixed', tokens: 1 } } });
    expect(spec.synthetic!.prompt).toEqual({ ...SHARED, order: 'cycle' });
  });

  it('names the bad field, at its line and column', () => {
    expect(check('{ dist: shared-prefix, groups: 0, usersPerGroup: 10, systemTokens: 128, questionTokens: 64 }')).toBe('s.yaml:6:44: workload.synthetic.prompt.groups: expected >= 1, found 0');
    expect(check('{ dist: shared-prefix, groups: 1, usersPerGroup: 10, systemTokens: 128 }')).toBe('s.yaml:6:13: workload.synthetic.prompt.questionTokens: missing required field (expected number, found nothing)');
    expect(check('{ dist: shared-prefix, groups: 1, usersPerGroup: 1, systemTokens: 1, questionTokens: 1, order: shuffle }')).toBe(
      's.yaml:6:108: workload.synthetic.prompt.order: expected one of "cycle", "random", found "shuffle"',
    );
    // 65,535 per axis keeps content ids below 2^32.
    expect(check('{ dist: shared-prefix, groups: 65536, usersPerGroup: 1, systemTokens: 1, questionTokens: 1 }')).toBe('s.yaml:6:44: workload.synthetic.prompt.groups: expected <= 65535, found 65536');
    expect(check('{ dist: shared, groups: 1 }')).toBe('s.yaml:6:21: workload.synthetic.prompt.dist: expected dist to be one of "fixed", "uniform", "lognormal", "empirical", "shared-prefix", found "shared"');
  });
});
