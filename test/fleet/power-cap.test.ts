/** The power-cap model (src/fleet/power-cap.ts, docs/fleet.md): hand-computed cases and the fit against Splitwise's data. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POWER_CAP_EXPONENT, capIterationModel } from '../../src/fleet/power-cap.js';
import { emptyShape, type IterationShape } from '../../src/profiles/model.js';
import { testIterationModel } from '../support/models.js';

// 2 GPUs; busy power 800 + 100 W per sequence for the instance (400 + 50 per GPU); idle 150 W.
const model = testIterationModel({ prefill: [0.01, 0.001], decode: [0.02, 0.001, 0], busyW: [800, 100], idleW: 150, kvTokens: 1e6 });
const shape = (o: Partial<IterationShape>): IterationShape => ({ ...emptyShape(), ...o });

describe('capIterationModel', () => {
  const cap = { wattsPerGpu: 450, prefillWattsPerGpu: 700, exponent: 0.5 };
  const capped = capIterationModel(model, cap, 2);

  it('a decode pass under the cap is unchanged; over it, slowed by (demand/cap)^a and drawing the cap', () => {
    // batch 1: 900 W / 2 = 450 W per GPU = the cap: unchanged.
    expect(capped.decodeStepS(1, 100)).toBe(model.decodeStepS(1, 100));
    expect(capped.busyPowerW(1)).toBe(900);
    // batch 4: 1200 W / 2 = 600 per GPU > 450: time x sqrt(600/450), power 900.
    expect(capped.decodeStepS(4, 100)).toBeCloseTo(model.decodeStepS(4, 100) * Math.sqrt(600 / 450), 15);
    expect(capped.decodeRunS(4, 100, 7)).toBeCloseTo(model.decodeRunS(4, 100, 7) * Math.sqrt(600 / 450), 15);
    expect(capped.busyPowerW(4)).toBe(900);
    expect(capped.iterationS(shape({ decodeSeqs: 4, decodeContextTokens: 100 }))).toBeCloseTo(capped.decodeStepS(4, 100), 15);
  });

  it('a pass with prompt tokens demands at least the prefill power', () => {
    // 700 W per GPU demanded, cap 450: x sqrt(700/450); draws 2 x 450 W.
    const s = shape({ prefillSeqs: 1, prefillTokens: 100, prefillPairs: 5050 });
    expect(capped.iterationS(s)).toBeCloseTo(model.iterationS(s) * Math.sqrt(700 / 450), 15);
    expect(capped.iterationPowerW(s)).toBe(900);
    expect(capped.prefillS(100)).toBeCloseTo(model.prefillS(100) * Math.sqrt(700 / 450), 15);
  });

  it('a cap at or above every demand changes only the prefill power (to its demand)', () => {
    const loose = capIterationModel(model, { wattsPerGpu: 700, prefillWattsPerGpu: 700 }, 2);
    expect(loose.decodeStepS(4, 100)).toBe(model.decodeStepS(4, 100));
    const s = shape({ prefillSeqs: 1, prefillTokens: 100, prefillPairs: 5050 });
    expect(loose.iterationS(s)).toBe(model.iterationS(s));
    expect(loose.iterationPowerW(s)).toBe(1400);
    expect(loose.idlePowerW).toBe(150);
  });

  it('idle power is capped too, and energy per pass never rises with a tighter cap (a < 1)', () => {
    expect(capIterationModel(model, { wattsPerGpu: 50, prefillWattsPerGpu: 700 }, 2).idlePowerW).toBe(100);
    const s = shape({ decodeSeqs: 8, decodeContextTokens: 800 });
    let last = Infinity;
    for (const w of [700, 600, 500, 400, 300, 200]) {
      const m = capIterationModel(model, { wattsPerGpu: w, prefillWattsPerGpu: 700 }, 2);
      const j = m.iterationS(s) * m.iterationPowerW(s);
      expect(j).toBeGreaterThan(0);
      expect(j).toBeLessThanOrEqual(last);
      last = j;
    }
  });
});

describe('the default exponent', () => {
  it('is ln(capped / uncapped prompt_time) / ln(700 / 490) on the Splitwise H100 rows', () => {
    // Oracle: the measurements themselves, read here without the project's CSV code.
    const lines = readFileSync('profiles/measurements/splitwise-perf-model.csv', 'utf8').trim().split(/\r?\n/);
    const h = lines[0]!.split(',');
    const at = (r: string[], n: string) => r[h.indexOf(n)]!;
    const sums = new Map<string, number[]>();
    for (const l of lines.slice(1)) {
      const r = l.split(',');
      const key = ['model', 'tensor_parallel', 'prompt_size', 'batch_size', 'token_size'].map((n) => at(r, n)).join('|');
      const hw = at(r, 'hardware');
      if (hw !== 'h100-80gb' && hw !== 'h100-80gb-pcap') continue;
      const acc = sums.get(key) ?? [0, 0, 0, 0]; // prompt capped, prompt free, token capped, token free
      const k = hw === 'h100-80gb-pcap' ? 0 : 1;
      acc[k]! += Number(at(r, 'prompt_time'));
      acc[k + 2]! += Number(at(r, 'token_time'));
      sums.set(key, acc);
    }
    const pr = [...sums.values()].map((a) => a[0]! / a[1]!);
    const dr = [...sums.values()].map((a) => a[2]! / a[3]!);
    expect(pr.length).toBe(4 * 19); // 4 (model, TP) combinations x 19 distinct (prompt, batch, output) points
    for (const x of pr) expect(x).toBeCloseTo(1.3, 3);
    for (const x of dr) expect(x).toBeCloseTo(1.0, 3);
    expect(POWER_CAP_EXPONENT).toBeCloseTo(Math.log(1.3) / Math.log(700 / 490), 12);
    expect(POWER_CAP_EXPONENT).toBeCloseTo(0.7356, 4);
  });
});
