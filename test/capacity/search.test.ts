import { describe, expect, it } from 'vitest';
import { searchMaxRate, searchMinReplicas, violation } from '../../src/capacity/search.js';
import { judge } from '../../src/capacity/plan.js';
import { parseTargets, parseCandidates, candidateEntry } from '../../src/capacity/spec.js';
import { InputError } from '../../src/errors.js';

const threshold = (n: number) => async (v: number) => v >= n;

describe('searchMinReplicas', () => {
  it.each([1, 2, 3, 5, 8, 13, 37, 64])('finds threshold %i exactly, with a failing neighbour and a check above', async (n) => {
    const r = await searchMinReplicas(threshold(n), 64);
    expect(r.answer).toBe(n);
    expect(r.failedNeighbour).toBe(n === 1 ? null : n - 1);
    expect(r.monotoneViolation).toBeNull();
    if (n < 64) expect(r.probes.map((p) => p.value)).toContain(n + 1);
    // doubling then bisection: at most 2 log2(64) + 2 probes
    expect(r.probes.length).toBeLessThanOrEqual(14);
  });

  it('reports none when even the maximum fails', async () => {
    const r = await searchMinReplicas(threshold(100), 64);
    expect(r.answer).toBeNull();
    expect(r.probes.map((p) => p.value)).toEqual([1, 2, 4, 8, 16, 32, 64]);
  });

  it('flags a non-monotone response instead of trusting it', async () => {
    // passes at 4 but fails at 5 (the bracket check above the answer)
    const r = await searchMinReplicas(async (v) => v === 4 || v >= 8, 16);
    expect(r.answer).toBe(4);
    expect(r.monotoneViolation).toEqual({ passed: 4, failed: 5 });
  });
});

describe('searchMaxRate', () => {
  it('brackets from above and bisects to the tolerance', async () => {
    const r = await searchMaxRate(async (x) => x <= 7.3, { start: 1, tolerance: 0.01, min: 1e-6, max: 4096 });
    expect(r.answer!).toBeLessThanOrEqual(7.3);
    expect(r.failedNeighbour!).toBeGreaterThan(7.3);
    expect((r.failedNeighbour! - r.answer!) / r.answer!).toBeLessThanOrEqual(0.01);
    expect(r.monotoneViolation).toBeNull();
    expect(r.probes.map((p) => p.value).slice(0, 5)).toEqual([1, 2, 4, 8, 6]);
  });

  it('brackets from below when the start fails', async () => {
    const r = await searchMaxRate(async (x) => x <= 0.3, { start: 1, tolerance: 0.05, min: 1e-6, max: 4096 });
    expect(r.probes.slice(0, 3).map((p) => p.value)).toEqual([1, 0.5, 0.25]);
    expect(r.answer!).toBeLessThanOrEqual(0.3);
    expect(r.failedNeighbour!).toBeGreaterThan(0.3);
  });

  it('says unbounded at the upper limit and none at the lower', async () => {
    const up = await searchMaxRate(async () => true, { start: 1, tolerance: 0.05, min: 0.25, max: 8 });
    expect(up).toMatchObject({ answer: 8, unbounded: true, failedNeighbour: null });
    const down = await searchMaxRate(async () => false, { start: 1, tolerance: 0.05, min: 0.25, max: 8 });
    expect(down).toMatchObject({ answer: null, unbounded: false, failedNeighbour: 0.25 });
  });

  it('checks half the answer and reports a contradiction', async () => {
    // fails at 2.5 (half of 5) though 5 passes
    const r = await searchMaxRate(async (x) => x === 4 || x === 5, { start: 4, tolerance: 0.3, min: 1, max: 64 });
    expect(r.probes.map((p) => p.value)).toContain(r.answer! / 2);
    expect(r.monotoneViolation).not.toBeNull();
  });
});

describe('violation', () => {
  it('finds the first contradiction in value order', () => {
    expect(violation([{ value: 3, pass: true }, { value: 1, pass: false }, { value: 2, pass: true }], 'increasing')).toBeNull();
    expect(violation([{ value: 3, pass: false }, { value: 2, pass: true }], 'increasing')).toEqual({ passed: 2, failed: 3 });
    expect(violation([{ value: 1, pass: false }, { value: 2, pass: true }], 'decreasing')).toEqual({ passed: 2, failed: 1 });
  });
});

describe('judge', () => {
  const [ttft, goodput] = parseTargets(['ttft.p99=2', 'goodput=0.9']);
  const run = (p99: number, g: number) => ({ 'latency.ttftS.p99': p99, 'goodput.fraction': g });
  it('decides on the mean over seeds, with a Student t interval (hand-computed)', () => {
    // TTFT p99 1, 2, 3: mean 2 <= 2 passes; s = 1, t(0.975, 2) = 4.302653, half-width 4.302653 / sqrt(3) = 2.484138
    const v = judge([ttft!], [run(1, 1), run(2, 1), run(3, 1)], 0.95);
    expect(v.pass).toBe(true);
    expect(v.targets[0]!.mean).toBe(2);
    expect(v.targets[0]!.high).toBeCloseTo(4.484138, 5);
    expect(v.sure).toBe(false);
    const tight = judge([ttft!], [run(1, 1), run(1.1, 1), run(1.2, 1)], 0.95);
    expect(tight).toMatchObject({ pass: true, sure: true });
  });

  it('fails a target at least bound (goodput) below it, and a run without the metric', () => {
    expect(judge([goodput!], [run(1, 0.8), run(1, 0.85)], 0.95).pass).toBe(false);
    expect(judge([ttft!], [run(1, 1), { 'latency.ttftS.p99': null }], 0.95)).toMatchObject({ pass: false, sure: true });
  });

  it('finished is finished / total', () => {
    const [finished] = parseTargets(['finished=1']);
    expect(judge([finished!], [{ 'requests.total': 10, 'requests.finished': 10 }], 0.95).pass).toBe(true);
    expect(judge([finished!], [{ 'requests.total': 10, 'requests.finished': 9 }], 0.95).pass).toBe(false);
  });
});

describe('parsing', () => {
  it('reads targets', () => {
    expect(parseTargets(['tpot.p99=0.1', 'e2e.mean=30'])).toEqual([
      { label: 'tpot.p99', metric: 'latency.tpotS.p99', bound: 0.1, sense: 'max' },
      { label: 'e2e.mean', metric: 'latency.e2eS.mean', bound: 30, sense: 'max' },
    ]);
  });
  it.each([['ttft.p98=2'], ['ttft=2'], ['ttft.p99=abc'], ['goodput=1.5'], ['ttft.p99=0'], ['x']])('refuses --target %s', (t) => {
    expect(() => parseTargets([t])).toThrow(InputError);
  });
  it('a profile name replaces model + hardware, and the other way round', () => {
    const base = { name: 'g', kind: 'continuous-batching', model: 'llama-2-70b', hardware: 'h100-sxm5-80gb', tensorParallel: 4, replicas: 1 };
    const [byName, byTp] = parseCandidates(['profile=splitwise-llama2-70b-h100-tp4', 'tensorParallel=8']);
    expect(candidateEntry(base, byName!)).toEqual({ name: 'g', kind: 'continuous-batching', replicas: 1, profile: 'splitwise-llama2-70b-h100-tp4' });
    expect(candidateEntry({ ...base, profile: 'x' }, byTp!)).toEqual({ ...base, tensorParallel: 8 });
    expect(() => parseCandidates(['replicas=3'])).toThrow(InputError);
  });
});
