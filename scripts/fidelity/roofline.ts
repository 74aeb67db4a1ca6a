/**
 * The roofline gap: how far the spec-sheet bound is from measured times, on the measurements that
 * have a roofline counterpart (Splitwise Llama-2-70B on A100/H100, Argonne Llama-2-7B with vLLM).
 * Nothing is fitted, so every point is "held out".
 */
import type { HardwareFile } from '../../src/profiles/hardware.js';
import { rooflineProfile } from '../../src/profiles/hardware.js';
import { compileIterationModel, parseProfile } from '../../src/profiles/load.js';
import type { IterationModel } from '../../src/profiles/model.js';
import { parseArgonne } from '../derive/argonne-data.js';
import { failedRuns } from '../derive/splitwise.js';
import { rooflineShape } from '../derive/roofline.js';
import { LLAMA2_7B, MODEL_SHAPES, type ModelShape } from '../derive/specs.js';
import type { SplitwisePoint } from './splitwise.js';
import { spe } from './stats.js';

export interface RooflineGap {
  what: string;
  quantity: string;
  /** Signed errors, % (negative: the roofline is faster than measured). */
  signed: number[];
}

function model(shape: ModelShape, hw: HardwareFile, gpus: number): IterationModel {
  const p = rooflineProfile(hw, hw.name, { id: shape.id, shape: rooflineShape(shape), source: shape.source }, gpus, 'fidelity');
  return compileIterationModel(parseProfile(JSON.stringify(p), 'roofline.json'));
}

/** Roofline vs Splitwise prefill and decode medians (failed runs left out), and vs Argonne batch latency. */
export function rooflineGaps(splitwise: Map<string, SplitwisePoint[]>, argonneCsv: string, hw: Record<string, HardwareFile>): RooflineGap[] {
  const out: RooflineGap[] = [];
  const hwOf: Record<string, string> = { 'a100-80gb': 'a100-sxm4-80gb', 'h100-80gb': 'h100-sxm5-80gb' };
  for (const [combo, all] of splitwise) {
    const failed = new Set(failedRuns(all));
    const points = all.filter((p) => !failed.has(p));
    const [m, h, tp] = combo.split('|') as [string, string, string];
    if (m !== 'llama2-70b' || !hwOf[h]) continue;
    const r = model(MODEL_SHAPES[m]!, hw[hwOf[h]]!, Number(tp));
    out.push({ what: `Splitwise llama2-70b ${h} TP${tp}`, quantity: 'prefill', signed: points.map((p) => spe(r.prefillS(p.batch * p.prompt) * 1000, p.promptMs)) });
    out.push({ what: `Splitwise llama2-70b ${h} TP${tp}`, quantity: 'decode step', signed: points.map((p) => spe(r.decodeStepS(p.batch, p.batch * (p.prompt + p.output / 2)) * 1000, p.tokenMs)) });
  }
  const argonneHw: Record<string, string> = { 'Nvidia A100 GPU': 'a100-sxm4-80gb', 'Nvidia H100 GPU': 'h100-sxm5-80gb' };
  for (const g of parseArgonne(argonneCsv)) {
    if (g.framework !== 'vLLM' || g.model !== 'meta-llama/Llama-2-7b-hf' || g.devices !== 1 || !argonneHw[g.hardware]) continue;
    const r = model(LLAMA2_7B, hw[argonneHw[g.hardware]!]!, 1);
    out.push({
      what: `Argonne Llama-2-7B vLLM ${g.hardware} x1`,
      quantity: 'batch latency',
      signed: g.points.map((p) => spe(r.prefillS(p.batch * p.length) + r.decodeRunS(p.batch, p.batch * (p.length + 1), p.length - 1), p.latencyS)),
    });
  }
  return out;
}
