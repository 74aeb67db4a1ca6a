/**
 * Fuzz test: a few hundred random valid scenarios (scripts/fuzz/generate.ts), each run three times
 * and checked against the invariants of scripts/fuzz/check.ts (conservation, causality, KV within
 * capacity, energy, utilization, identical reruns, fastForward on and off). Seeded: the same
 * scenarios every run. A failure prints each failing scenario as YAML with how to replay it; long
 * runs from other seeds: `npm run fuzz -- 10000`.
 */
import { describe, expect, it } from 'vitest';
import { caseYaml, runCase } from '../../scripts/fuzz/check.js';
import { generateCase } from '../../scripts/fuzz/generate.js';
import { deviceKinds } from '../../src/devices/registry.js';
import { SCHEDULER_NAMES } from '../../src/devices/batching/modes.js';
import { policies } from '../../src/policies/registry.js';

const SEED = 1;
const CASES = 300;
const CHUNK = 30;

const features = new Map<string, number>();
const outcomes = new Map<string, number>();
const count = (map: Map<string, number>, keys: Iterable<string>) => {
  for (const k of new Set(keys)) map.set(k, (map.get(k) ?? 0) + 1);
};

describe(`fuzz: ${CASES} random valid scenarios (seed ${SEED}) keep every invariant`, () => {
  for (let from = 0; from < CASES; from += CHUNK) {
    const to = Math.min(CASES, from + CHUNK);
    it(`scenarios ${from}-${to - 1}`, () => {
      const failures: string[] = [];
      for (let i = from; i < to; i++) {
        const c = generateCase(SEED, i);
        count(features, c.features);
        const r = runCase(c);
        count(outcomes, r.outcomes ?? []);
        if (r.status !== 'ok') failures.push(`--- case ${i}: ${r.status}${r.inputError ? ' (an input error: the generator made an invalid scenario)' : ''}\n${r.messages.join('\n')}\n${caseYaml(c)}`);
      }
      if (failures.length > 0) expect.fail(`${failures.length} of scenarios ${from}-${to - 1} failed:\n${failures.join('\n')}`);
    });
  }

  it('covered every device kind, scheduler mode, policy, profile form and workload form', () => {
    const missing = (labels: readonly string[]) => labels.filter((l) => !features.has(l));
    expect(missing(deviceKinds.map((k) => `kind:${k.kind}`))).toEqual([]);
    expect(missing(SCHEDULER_NAMES.map((m) => `scheduler:${m}`))).toEqual([]);
    expect(missing(policies.map((p) => `policy:${p.name}`))).toEqual([]);
    expect(
      missing([
        'profile:shipped:bilinear', 'profile:shipped:iteration', 'profile:shipped:roofline', 'profile:shipped:transformer', 'profile:model+hardware', 'profile:edge',
        'profile:fixture:bilinear', 'profile:fixture:iteration',
        'noise:slots:on', 'noise:continuous-batching:on', 'noise:static-batching:on',
        'prefixCaching:on', 'prefixCaching:off', 'chunkedPrefill:on', 'chunkedPrefill:off', 'fastForward:on', 'fastForward:off', 'kvCapacityTokens',
        'strategy:sti', 'strategy:hold-in-memory', 'strategy:load-then-execute', 'strategy:layerwise', 'mixed-cluster',
        'workload:synthetic', 'workload:sessions', 'workload:trace',
        'synthetic:count', 'synthetic:duration', 'synthetic:both',
        'arrival:poisson', 'arrival:gamma', 'arrival:deterministic',
        'length:fixed', 'length:uniform', 'length:lognormal', 'length:empirical', 'length:shared-prefix', 'length:uncertainty-lognormal',
        'think:fixed', 'think:exponential', 'think:lognormal', 'sessions:systemTokens',
        'trace-format:azure', 'trace-format:mooncake', 'trace-format:mooncake-jsonl', 'trace-format:vidur', 'trace-format:llmsim',
        'rateScale', 'window', 'limit', 'uncertainty-rho', 'deadline', 'timeout', 'maxConcurrency',
        'classes', 'admission:maxQueue', 'priorityPreemption', 'kvTiers:swap', 'kvTiers:recompute', 'kvTiers:prefixOffload',
        'requests:1-10', 'requests:11-100', 'requests:100+', 'disaggregation',
      ]),
    ).toEqual([]);
    // And what the runs did: every way a request can end, and the mechanisms that lead there.
    expect(
      ['finished', 'rejected', 'aborted', 'timed-out-queued', 'timed-out-in-service', 'preempted', 'prefix-cache-hit', 'clamped', 'energy-unknown', 'goodput'].filter((o) => !outcomes.has(o)),
    ).toEqual([]);
  });
});
