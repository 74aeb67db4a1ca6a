import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPORT_PATH, buildFidelityReport } from '../../scripts/fidelity.js';
import { decodeContextSum } from '../../scripts/derive/argonne-data.js';
import { fitMlEnergy, nonDecodeAt, nonDecodeS, type MlEnergyConfig } from '../../scripts/derive/mlenergy.js';
import { argonneHeldOut } from '../../scripts/fidelity/argonne.js';
import { simulateConfig } from '../../scripts/fidelity/mlenergy.js';
import { iterationModel } from '../../scripts/fidelity/model.js';
import { burst, burstSpanS, replay } from '../../scripts/fidelity/replay.js';
import { isHeldOut } from '../../scripts/fidelity/splitwise.js';
import { quantile } from '../../scripts/fidelity/stats.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('fidelity report (npm run fidelity)', () => {
  it('docs/fidelity.md is up to date with the measurements and the code', () => {
    expect(readFileSync(`${root}${REPORT_PATH}`, 'utf8')).toBe(buildFidelityReport(root));
  });

  it('describes the replays as the device runs them: a burst at t = 0, no blocker request', () => {
    // An idle replica starts its batch after every arrival at that instant is queued (event rank 2),
    // so the replays need no one-token request in front; the text once said the opposite.
    const text = readFileSync(`${root}${REPORT_PATH}`, 'utf8').replace(/\s+/g, ' ');
    expect(text).toContain('an idle replica starts its batch after every request arriving at the same instant is queued');
    expect(text).toContain('B identical requests all arriving at t = 0');
    expect(text).not.toMatch(/one-token request goes first|iteration for the first arrival at once/);
  });
});

describe('fidelity building blocks', () => {
  it('holds out every other value of each sweep, never the base point', () => {
    const pt = (prompt: number, batch: number, output: number) => ({ prompt, batch, output, promptMs: 1, tokenMs: 1, averagePower: 0, repetitions: 1 });
    const sweep = [pt(128, 1, 128), pt(256, 1, 128), pt(512, 1, 128), pt(1024, 1, 128), pt(512, 2, 128), pt(512, 4, 128), pt(512, 1, 256)];
    // prompt axis 128, 256, 512, 1024 -> positions 0..3: 256 and 1024 held out; batch axis 1, 2, 4: 2;
    // output axis 128, 256: 256. The base (512, 1, 128) stays in training.
    expect(sweep.filter((p) => isHeldOut(p, sweep)).map((p) => `${p.prompt}/${p.batch}/${p.output}`)).toEqual(['256/1/128', '1024/1/128', '512/2/128', '512/1/256']);
  });

  it('splits the Argonne grid like a checkerboard', () => {
    const grid = [128, 256, 512].flatMap((length) => [1, 16].map((batch) => ({ length, batch, latencyS: 1, repetitions: 1 })));
    expect(grid.filter((p) => argonneHeldOut(p, grid)).map((p) => `${p.length}/${p.batch}`)).toEqual(['128/16', '256/1', '512/16']);
  });

  it('decodeContextSum is the brute-force sum of the decode steps the device runs', () => {
    for (const [l, b] of [[2, 1], [5, 3], [128, 16]] as const) {
      let sum = 0;
      for (let j = 0; j <= l - 2; j++) sum += b * (l + 1 + j);
      expect(decodeContextSum(l, b)).toBe(sum);
    }
  });

  it('a replayed batch takes one prefill iteration plus output-1 decode steps, as the Argonne rows assume', () => {
    // B = 4 requests of L = 10 in and 10 out: prefill(40) + sum over j of decode(4, 4*(11 + j)).
    const model = iterationModel([0.01, 1e-4, 0], [0.02, 1e-3, 1e-6]);
    const sim = replay(model, burst(4, 10, 10), { maxBatchSize: 4, maxBatchedTokens: 40 });
    let expected = 0.01 + 1e-4 * 40;
    for (let j = 0; j < 9; j++) expected += 0.02 + 1e-3 * 4 + 1e-6 * 4 * (11 + j);
    expect(burstSpanS(sim)).toBeCloseTo(expected, 12);
    // All four were admitted together, at once.
    expect([0, 1, 2, 3].map((i) => sim.records.startS[i])).toEqual([0, 0, 0, 0]);
  });

  // A saturated server in waves of B requests: one prefill pass of B x p, then L - 1 decode steps of d.
  const waves = (b: number, l: number, d: number, p: number, w: number): MlEnergyConfig => {
    const throughput = (b * l) / (b * p + (l - 1) * d);
    return {
      task: 't', modelId: 'm', gpu: 'H100', gpus: 1, maxNumSeqs: b, avgBatch: b, avgOutputTokens: l, totalParamsB: 1, activeParamsB: 1,
      precision: 'bfloat16', medianItlS: d, powerW: w, throughputTokS: throughput, energyPerTokenJ: w / throughput,
    };
  };

  it('non-decode time per request: throughput time less the decode steps at the median ITL', () => {
    expect(nonDecodeS(waves(64, 400, 0.02, 0.015, 600))).toBeCloseTo(0.015, 12);
    expect(nonDecodeS(waves(8, 7000, 0.01, 0, 300))).toBeCloseTo(0, 12);
    // Fitted against the batch on the configurations given; predictions never below 0.
    const fit = fitMlEnergy([waves(8, 400, 0.01, 0.03, 400), waves(32, 400, 0.012, 0.02, 500), waves(128, 400, 0.02, 0.01, 600)]).nonDecode;
    expect(nonDecodeAt(fit, 32)).toBeGreaterThan(0.015);
    expect(nonDecodeAt(fit, 1e6)).toBe(0);
  });

  it('a configuration replayed with its own step, power and non-decode time gives its measured ITL and J/token', () => {
    // Energy comes from the replay (power x time of every pass, prefill included), not from the row.
    for (const c of [waves(64, 400, 0.02, 0.015, 600), waves(8, 250, 0.03, 0.2, 900), waves(1, 2, 0.005, 0.001, 100)]) {
      const sim = simulateConfig(c, { decode: [c.medianItlS, 0, 0], power: [c.powerW, 0], nonDecodeS: nonDecodeS(c) });
      expect(sim.itlS).toBeCloseTo(c.medianItlS, 12);
      expect(sim.energyPerTokenJ / c.energyPerTokenJ).toBeCloseTo(1, 9);
      expect(sim.timePerTokenS * c.throughputTokS).toBeCloseTo(1, 9);
      // Decode steps only: short by the non-decode share.
      const decodeOnly = simulateConfig(c, { decode: [c.medianItlS, 0, 0], power: [c.powerW, 0], nonDecodeS: 0 });
      expect(decodeOnly.energyPerTokenJ).toBeLessThan(c.energyPerTokenJ);
    }
  });

  it('quantile interpolates between order statistics', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 12);
  });
});
