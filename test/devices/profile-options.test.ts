import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenario, prepareRun } from '../../src/scenario/load.js';
import { simulate } from '../../src/simulation/simulate.js';

const root = resolve(__dirname, '../..');

function scenario(noise: boolean, seed = 5, profile = 'profiles/splitwise/llama2-70b-h100-tp4.yaml') {
  return {
    name: 'noise',
    seed,
    workload: { synthetic: { count: 400, arrival: { process: 'poisson', rateRps: 0.5 }, prompt: { dist: 'fixed', tokens: 512 }, output: { dist: 'fixed', tokens: 64 } } },
    cluster: { devices: [{ name: 'h100', kind: 'continuous-batching', profile, replicas: 2, noise }] },
  };
}

const e2e = (noise: boolean, seed?: number) => {
  const result = simulate(prepareRun(checkScenario(scenario(noise, seed), { file: 'noise.yaml', baseDir: root })));
  return Array.from({ length: result.requests.length }, (_, i) => result.records.finishS[i]! - result.requests[i]!.arrivalS);
};

describe('device noise: resampled fit residuals', () => {
  it('is off by default: identical requests at low load take identical time', () => {
    const t = e2e(false);
    // Light load (0.5 req/s, ~2 s service on 2 replicas): most requests run alone and take the same time.
    const mode = t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
    expect(t.filter((x) => Math.abs(x - mode) < 1e-9).length).toBeGreaterThan(200);
  });

  it('with noise: true, times vary around the noiseless ones, reproducibly for a seed', () => {
    const plain = e2e(false);
    const a = e2e(true, 5);
    const b = e2e(true, 5);
    const c = e2e(true, 6);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const moved = a.filter((x, i) => Math.abs(x - plain[i]!) > 1e-9).length;
    expect(moved).toBeGreaterThan(0.9 * a.length);
    // The residuals are rescaled to mean 0, so mean latency stays close to the noiseless mean.
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean(a) / mean(plain) - 1)).toBeLessThan(0.05);
  });

  it('asking for noise from a profile without a noise block is an input error naming the field', () => {
    const data = scenario(true, 5, 'profiles/roofline/llama-2-70b-h100-sxm5-80gb-x4.yaml');
    expect(() => prepareRun(checkScenario(data, { file: 'noise.yaml', baseDir: root }))).toThrow(/cluster\.devices\[0\]\.noise: expected a profile with a noise block/);
  });
});

describe('profiles with gaps are run, but the results say what is missing', () => {
  it('warns about an unbounded KV cache and unknown energy', () => {
    // Argonne-derived profiles have neither memory nor (for this run) power: the data gives no model shape.
    const data = scenario(false, 5, 'profiles/argonne/aquila-7b-nvidia-gh200-x1-vllm.yaml');
    const result = simulate(prepareRun(checkScenario(data, { file: 'gaps.yaml', baseDir: root })));
    expect(result.warnings.some((w) => /h100: profile ".*" gives no memory, so the KV cache is unbounded/.test(w))).toBe(true);
    expect(result.warnings.some((w) => /h100: profile ".*" gives no power, so energy is unknown/.test(w))).toBe(true);
    const withCap = { ...data, cluster: { devices: [{ ...data.cluster.devices[0]!, kvCapacityTokens: 100000 }] } };
    const capped = simulate(prepareRun(checkScenario(withCap, { file: 'gaps.yaml', baseDir: root })));
    expect(capped.warnings.some((w) => /KV cache is unbounded/.test(w))).toBe(false);
  });
});
