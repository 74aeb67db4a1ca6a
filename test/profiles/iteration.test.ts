import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileIterationModel, loadProfile, parseProfile } from '../../src/profiles/load.js';

const splitwise = fileURLToPath(new URL('../../profiles/splitwise/', import.meta.url));

const fixture = parseProfile(
  `name: it
form: iteration
model: m
hardware: h
gpus: 2
provenance: { source: s, derivation: d }
prefill: { c0: 0.02, c1: 0.0001, c2: 0.000000001 }
decode: { c0: 0.03, perSeq: 0.0003, perContextToken: 0.0000001 }
power: { idleW: 150, busyW: 900, busyWPerSeq: 2, capW: 1000 }
memory: { deviceBytes: 1000000, weightBytes: 500000, kvBytesPerToken: 1000, utilization: 0.9 }
`,
  'fixture.yaml',
);
const m = compileIterationModel(fixture);

describe('iteration model', () => {
  it('evaluates prefill and decode by hand', () => {
    // 0.02 + 0.0001*1000 + 1e-9*1e6 = 0.02 + 0.1 + 0.001
    expect(m.prefillS(1000)).toBeCloseTo(0.121, 12);
    // 0.03 + 0.0003*8 + 1e-7*4000 = 0.03 + 0.0024 + 0.0004
    expect(m.decodeStepS(8, 4000)).toBeCloseTo(0.0328, 12);
    expect(m.prefillS(0)).toBe(0);
    expect(m.decodeStepS(0, 0)).toBe(0);
    expect(m.decodeRunS(4, 100, 0)).toBe(0);
  });

  it('caps busy power and keeps idle power', () => {
    expect(m.busyPowerW(10)).toBe(920); // 900 + 2*10
    expect(m.busyPowerW(60)).toBe(1000); // 900 + 120 = 1020, above the 1000 W cap
    expect(m.busyPowerW(500)).toBe(1000);
    expect(m.idlePowerW).toBe(150);
  });

  it('computes KV capacity from memory', () => {
    // (1e6*0.9 - 5e5) / 1000 = 400 tokens
    expect(m.kvCapacityTokens).toBe(400);
  });

  it('decodeRunS equals the sum of decodeStepS as the context grows by batch each step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 2000 }), (batch, ctx, steps) => {
        let sum = 0;
        for (let i = 0; i < steps; i++) sum += m.decodeStepS(batch, ctx + i * batch);
        const run = m.decodeRunS(batch, ctx, steps);
        expect(Math.abs(run - sum)).toBeLessThanOrEqual(1e-9 * sum);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('gives the Splitwise Llama-2-70B H100 TP4 instance its KV capacity', () => {
    // (4 GPUs * 85,899,345,920 B * 0.9 - 137,953,296,384 B of weights) / 327,680 B per token
    // = 171,284,348,928 / 327,680 = 522,718.35 -> 522,718 tokens
    const llama = compileIterationModel(loadProfile(`${splitwise}llama2-70b-h100-tp4.yaml`));
    expect(llama.kvCapacityTokens).toBe(522_718);
    // BLOOM-176B on 8 A100-80GB: (8 * 85,899,345,920 * 0.9 - 2 * 176,247,271,424) / 4,014,080 = 66,261.9
    expect(compileIterationModel(loadProfile(`${splitwise}bloom-176b-a100-tp8.yaml`)).kvCapacityTokens).toBe(66_261);
  });
});
