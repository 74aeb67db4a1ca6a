/**
 * ML.ENERGY fidelity: per (task, model, GPU, count), fit decode step and power on every other max
 * batch size, then simulate each held-out configuration as the benchmark ran it: a saturated
 * server (more requests waiting than fit) running at its batch limit, and compare the simulated
 * median inter-token latency and energy per output token with the measured ones.
 */
import { fitMlEnergy, mlEnergyGroups, parseMlEnergyConfigs, type MlEnergyConfig } from '../derive/mlenergy.js';
import { iterationModel } from './model.js';
import { burst, replay } from './replay.js';
import { ape, quantile, spe } from './stats.js';

export interface MlEnergyResult {
  group: string;
  heldOut: number;
  itlApe: number[];
  energyApe: number[];
  energySigned: number[];
  /** Held-out configurations whose average batch was below 95% of max_num_seqs (memory-bound). */
  memoryBound: number;
}

/** Waves of the batch limit the replay runs: enough for steady state, few events. */
const WAVES = 3;

/** Simulated median ITL (s) and J per output token of one configuration under `model`. */
export function simulateConfig(c: MlEnergyConfig, coeff: { decode: number[]; power: number[] }): { itlS: number; energyPerTokenJ: number } {
  // The batch the server sustained: max_num_seqs, or less where memory limited it (the measured
  // average batch tells; without a KV shape the replay cannot find that limit itself).
  const batch = Math.max(1, Math.round(Math.min(c.maxNumSeqs, c.avgBatch)));
  const output = Math.max(2, Math.round(c.avgOutputTokens));
  // Prompts are 1 token: ML.ENERGY reports no prompt lengths, so prefill is left out (see report).
  const model = iterationModel([0, 1e-9, 0], coeff.decode as [number, number, number], { busyW: coeff.power[0]!, busyWPerSeq: coeff.power[1]! });
  const requests = burst(batch * WAVES, 1, output);
  const sim = replay(model, requests, { maxBatchSize: batch, maxBatchedTokens: Math.max(8192, batch) });
  const itls: number[] = [];
  let energyJ = 0;
  for (const r of requests) {
    itls.push((sim.records.finishS[r.id]! - sim.records.firstTokenS[r.id]!) / (output - 1));
    energyJ += sim.records.energyJ[r.id]!;
  }
  return { itlS: quantile(itls, 0.5), energyPerTokenJ: energyJ / (requests.length * output) };
}

/** Groups with at least 4 configurations: train on even positions (by max batch), test on odd. */
export function mlEnergyFidelity(csv: string): MlEnergyResult[] {
  const out: MlEnergyResult[] = [];
  for (const g of mlEnergyGroups(parseMlEnergyConfigs(csv))) {
    if (g.length < 4) continue;
    const train = g.filter((_, i) => i % 2 === 0);
    const test = g.filter((_, i) => i % 2 === 1);
    const fit = fitMlEnergy(train);
    const coeff = { decode: [...fit.decode.coefficients, 0], power: fit.power.coefficients };
    const c0 = g[0]!;
    const res: MlEnergyResult = { group: `${c0.task} | ${c0.modelId} | ${c0.gpus} x ${c0.gpu}`, heldOut: test.length, itlApe: [], energyApe: [], energySigned: [], memoryBound: 0 };
    for (const c of test) {
      const sim = simulateConfig(c, coeff);
      res.itlApe.push(ape(sim.itlS, c.medianItlS));
      res.energyApe.push(ape(sim.energyPerTokenJ, c.energyPerTokenJ));
      res.energySigned.push(spe(sim.energyPerTokenJ, c.energyPerTokenJ));
      if (c.avgBatch < 0.95 * c.maxNumSeqs) res.memoryBound++;
    }
    out.push(res);
  }
  return out;
}
