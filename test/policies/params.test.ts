import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { policies } from '../../src/policies/registry.js';
import { checkScenario } from '../../src/scenario/load.js';
import { parseYaml } from '../../src/util/yaml-file.js';

/** A scenario whose policy block is `policyYaml` (indented under `policy:`), checked as if read from s.yaml. */
function check(policyYaml: string): void {
  const text = [
    'name: t',
    'workload:',
    '  synthetic:',
    '    count: 10',
    '    arrival: { process: poisson, rateRps: 1 }',
    '    prompt: { dist: fixed, tokens: 10 }',
    '    output: { dist: fixed, tokens: 10 }',
    'cluster:',
    '  devices:',
    '    - { name: gpu, kind: slots, profile: p.yaml }',
    'policy:',
    ...policyYaml.split('\n').map((l) => `  ${l}`),
  ].join('\n');
  const source = parseYaml(text, 's.yaml');
  checkScenario(source.data, { file: 's.yaml', baseDir: '.', source });
}

function message(policyYaml: string): string {
  try {
    check(policyYaml);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('policy parameters are checked with the exact field path and line', () => {
  it.each([
    ['name: uncertainty-priority\nparams:\n  agingWeight: -1', 's.yaml:14:18: policy.params.agingWeight: expected >= 0, found -1'],
    ['name: uncertainty-priority\nparams:\n  predictor: { refitEvery: 0 }', 's.yaml:14:30: policy.params.predictor.refitEvery: expected > 0, found 0'],
    ['name: uncertainty-priority\nparams:\n  prioritise: false', 's.yaml:14:5: policy.params.prioritise: unknown key (did you mean "prioritize"?)'],
    ['name: uncertainty-priority\nparams:\n  order: edf', 's.yaml:14:12: policy.params.order: expected one of "predicted-work", "least-slack", found "edf"'],
    ['name: uncertainty-priority\nparams:\n  bucketRatio: 1', 's.yaml:14:18: policy.params.bucketRatio: expected > 1, found 1'],
    ['name: wilkins-offline\nparams:\n  zeta: 1.5', 's.yaml:14:11: policy.params.zeta: expected <= 1, found 1.5'],
    ['name: wilkins-offline\nparams:\n  shares: { a: 2 }', 's.yaml:14:18: policy.params.shares.a: expected <= 1, found 2'],
    ['name: wilkins-online\nparams:\n  window: 2.5', 's.yaml:14:13: policy.params.window: expected int, found 2.5'],
    ['name: wilkins-threshold\nparams:\n  small: cpu\n  large: gpu', 'policy.params.threshold: missing required field (expected number, found nothing)'],
    ['name: random\nparams:\n  level: gpu', 's.yaml:14:12: policy.params.level: expected one of "replica", "model", found "gpu"'],
    ['name: least-loaded\nparams:\n  groups: []', 's.yaml:14:13: policy.params.groups: expected at least 1 item(s), found 0'],
    ['name: sjf-oracle\nparams:\n  key: tokens', 's.yaml:14:10: policy.params.key: expected one of "service-time", "output-tokens", found "tokens"'],
  ])('%s', (policy, expected) => {
    expect(message(policy)).toContain(expected);
  });

  it('accepts every policy with its defaults (except the threshold rule, which needs its threshold)', () => {
    for (const p of policies) {
      const params = p.name === 'wilkins-threshold' ? '\nparams: { threshold: 100, small: cpu, large: gpu }' : '';
      expect(() => check(`name: ${p.name}${params}`)).not.toThrow();
    }
  });

  it('every parameter of every policy carries a description', () => {
    for (const p of policies) {
      const shape = (p.params as unknown as { shape: Record<string, { description?: string }> }).shape;
      for (const [key, field] of Object.entries(shape)) expect(field.description, `${p.name}.${key}`).toBeTruthy();
    }
  });
});
