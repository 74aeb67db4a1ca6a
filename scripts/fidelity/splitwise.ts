/**
 * Splitwise fidelity: fit on every other point of each sweep, predict the held-out ones, and
 * replay each held-out run (B identical requests arriving at t = 0) through the continuous-batching device.
 */
import { fitLinear } from '../../src/profiles/fit-linear.js';
import { csvRecords, median, num } from '../derive/common.js';
import { failedRuns } from '../derive/splitwise.js';
import type { SweepPoint } from '../derive/measurements.js';
import { iterationModel } from './model.js';
import { burst, burstSpanS, replay } from './replay.js';
import { ape, spe } from './stats.js';

/** A distinct measured point with the medians of its repetitions (ms). */
export interface SplitwisePoint extends SweepPoint {
  e2eMs: number;
}

/** Errors of one (model, hardware, TP) combination on its held-out points. */
export interface SplitwiseResult {
  combo: string;
  heldOut: number;
  trained: number;
  prefillApe: number[];
  decodeApe: number[];
  /** Replayed end-to-end time vs measured e2e_time (consistent points only). */
  e2eApe: number[];
  e2eSigned: number[];
  /** Held-out points whose e2e_time is far below prompt_time + (output-1)*token_time (generation stopped early). */
  e2eInconsistent: number;
}

/** Points per combination, keyed `model|hardware|tp`. */
export function splitwisePoints(csv: string): Map<string, SplitwisePoint[]> {
  const groups = new Map<string, Map<string, Record<string, string>[]>>();
  for (const r of csvRecords(csv)) {
    const combo = `${r.model}|${r.hardware}|${r.tensor_parallel}`;
    const point = `${r.prompt_size}|${r.batch_size}|${r.token_size}`;
    const g = groups.get(combo) ?? new Map<string, Record<string, string>[]>();
    g.set(point, [...(g.get(point) ?? []), r]);
    groups.set(combo, g);
  }
  const out = new Map<string, SplitwisePoint[]>();
  for (const [combo, g] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.set(combo, [...g.values()].map((rs) => ({
      prompt: num(rs[0]!.prompt_size, 'prompt'),
      batch: num(rs[0]!.batch_size, 'batch'),
      output: num(rs[0]!.token_size, 'output'),
      promptMs: median(rs.map((r) => num(r.prompt_time, 'prompt_time'))),
      tokenMs: median(rs.map((r) => num(r.token_time, 'token_time'))),
      e2eMs: median(rs.map((r) => num(r.e2e_time, 'e2e_time'))),
      averagePower: 0,
      repetitions: rs.length,
    })).sort((a, b) => a.prompt - b.prompt || a.batch - b.batch || a.output - b.output));
  }
  return out;
}

const BASE = { prompt: 512, batch: 1, output: 128 };

/** Held out: every other value along each one-axis sweep (the shared base point is always trained on). */
export function isHeldOut(p: SweepPoint, all: readonly SweepPoint[]): boolean {
  const axes: [keyof typeof BASE, (q: SweepPoint) => boolean][] = [
    ['prompt', (q) => q.batch === BASE.batch && q.output === BASE.output],
    ['batch', (q) => q.prompt === BASE.prompt && q.output === BASE.output],
    ['output', (q) => q.prompt === BASE.prompt && q.batch === BASE.batch],
  ];
  if (p.prompt === BASE.prompt && p.batch === BASE.batch && p.output === BASE.output) return false;
  for (const [axis, inSweep] of axes) {
    if (!inSweep(p)) continue;
    const values = [...new Set(all.filter(inSweep).map((q) => q[axis]))].sort((a, b) => a - b);
    return values.indexOf(p[axis]) % 2 === 1;
  }
  return false;
}

/** Fits on the trained points with the derivation's method and scores the held-out ones. */
export function splitwiseFidelity(combo: string, points: readonly SplitwisePoint[]): SplitwiseResult {
  const failed = new Set(failedRuns(points));
  const usable = points.filter((p) => !failed.has(p));
  const train = usable.filter((p) => !isHeldOut(p, usable));
  const test = usable.filter((p) => isHeldOut(p, usable));
  const ctx = (p: SweepPoint) => p.batch * (p.prompt + p.output / 2);
  const py = train.map((p) => p.promptMs / 1000);
  const pre = fitLinear(train.map((p) => { const t = p.batch * p.prompt; return [1, t, t * t]; }), py, { weights: py.map((y) => 1 / y), nonNegative: true }).coefficients;
  const dy = train.map((p) => p.tokenMs / 1000);
  const dec = fitLinear(train.map((p) => [1, p.batch, ctx(p)]), dy, { weights: dy.map((y) => 1 / y), nonNegative: true }).coefficients;
  const model = iterationModel(pre as [number, number, number], dec as [number, number, number]);
  const result: SplitwiseResult = { combo, heldOut: test.length, trained: train.length, prefillApe: [], decodeApe: [], e2eApe: [], e2eSigned: [], e2eInconsistent: 0 };
  for (const p of test) {
    result.prefillApe.push(ape(model.prefillS(p.batch * p.prompt) * 1000, p.promptMs));
    result.decodeApe.push(ape(model.decodeStepS(p.batch, ctx(p)) * 1000, p.tokenMs));
    const implied = p.promptMs + (p.output - 1) * p.tokenMs;
    if (p.e2eMs < 0.9 * implied) {
      result.e2eInconsistent++;
      continue;
    }
    const sim = replay(model, burst(p.batch, p.prompt, p.output), { maxBatchSize: p.batch, maxBatchedTokens: p.batch * p.prompt });
    result.e2eApe.push(ape(burstSpanS(sim) * 1000, p.e2eMs));
    result.e2eSigned.push(spe(burstSpanS(sim) * 1000, p.e2eMs));
  }
  return result;
}
