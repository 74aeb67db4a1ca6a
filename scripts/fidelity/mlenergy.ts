/**
 * ML.ENERGY fidelity: per (task, model, GPU, count), fit decode step, power and the non-decode time
 * per request on every other max batch size, then simulate each held-out configuration as the
 * benchmark ran it: a saturated server (more requests waiting than fit) running at its batch limit,
 * and compare the simulated median inter-token latency and energy per output token with the
 * measured ones.
 */
import { fitMlEnergy, mlEnergyGroups, nonDecodeAt, nonDecodeS, parseMlEnergyConfigs, type MlEnergyConfig } from '../derive/mlenergy.js';
import { iterationModel } from './model.js';
import { burst, replay } from './replay.js';
import { ape, quantile, spe } from './stats.js';

export interface MlEnergyResult {
  group: string;
  heldOut: number;
  itlApe: number[];
  energyApe: number[];
  energySigned: number[];
  /** Signed J/token error of the same replay without the non-decode time (decode steps only). */
  decodeOnlySigned: number[];
  /** APE of the simulated time per output token (busy time / tokens) against 1 / output throughput. */
  timeApe: number[];
  /** APE of the simulated average power (energy / busy time) against avg_power_watts. */
  powerApe: number[];
  /** Held-out configurations whose average batch was below 95% of max_num_seqs (memory-bound). */
  memoryBound: number;
  /** Measured non-decode share of the time per output token, per training configuration. */
  trainNonDecodeShare: number[];
  /** Held-out configurations where the fitted non-decode time was negative and 0 was used. */
  nonDecodeClamped: number;
}

/** Waves of the batch limit the replay runs: enough for steady state, few events. */
const WAVES = 3;

/** What the replay of one configuration takes from the training fit. */
export interface MlEnergyCoefficients {
  /** Decode step c0, perSeq, perContextToken (s). */
  decode: number[];
  /** busyW, busyWPerSeq (W). */
  power: number[];
  /** Non-decode time per request (s) at this configuration's batch. */
  nonDecodeS: number;
}

/**
 * Simulated median ITL (s) and J per output token of one configuration. Prompts are 1 token (the
 * data has no prompt lengths) whose prefill costs `nonDecodeS`: the server time per request the
 * training configurations spent outside their decode steps. The replay runs waves of `batch`
 * requests, each one prefill pass for the wave then output - 1 decode steps, every pass at the
 * power of the sequences in it.
 */
export function simulateConfig(c: MlEnergyConfig, coeff: MlEnergyCoefficients): { itlS: number; energyPerTokenJ: number; timePerTokenS: number; powerW: number } {
  // The batch the server sustained: max_num_seqs, or less where memory limited it (the measured
  // average batch tells; without a KV shape the replay cannot find that limit itself).
  const batch = Math.max(1, Math.round(Math.min(c.maxNumSeqs, c.avgBatch)));
  const output = Math.max(2, Math.round(c.avgOutputTokens));
  // A pass must take some time: 1 ns per prompt where the non-decode time is 0.
  const prefillPerRequestS = Math.max(1e-9, coeff.nonDecodeS);
  const model = iterationModel([0, prefillPerRequestS, 0], coeff.decode as [number, number, number], { busyW: coeff.power[0]!, busyWPerSeq: coeff.power[1]! });
  const requests = burst(batch * WAVES, 1, output);
  const sim = replay(model, requests, { maxBatchSize: batch, maxBatchedTokens: Math.max(8192, batch) });
  const itls: number[] = [];
  let energyJ = 0;
  for (const r of requests) {
    // From the first token on: the decode steps (the wave's prefill pass comes before it).
    itls.push((sim.records.finishS[r.id]! - sim.records.firstTokenS[r.id]!) / (output - 1));
    energyJ += sim.records.energyJ[r.id]!;
  }
  const busyS = sim.devices[0]!.busyS;
  return { itlS: quantile(itls, 0.5), energyPerTokenJ: energyJ / (requests.length * output), timePerTokenS: busyS / (requests.length * output), powerW: energyJ / busyS };
}

/** Groups with at least 4 configurations: train on even positions (by max batch), test on odd. */
export function mlEnergyFidelity(csv: string): MlEnergyResult[] {
  const out: MlEnergyResult[] = [];
  for (const g of mlEnergyGroups(parseMlEnergyConfigs(csv))) {
    if (g.length < 4) continue;
    const train = g.filter((_, i) => i % 2 === 0);
    const test = g.filter((_, i) => i % 2 === 1);
    const fit = fitMlEnergy(train);
    const decode = [...fit.decode.coefficients, 0];
    const power = fit.power.coefficients;
    const c0 = g[0]!;
    const res: MlEnergyResult = {
      group: `${c0.task} | ${c0.modelId} | ${c0.gpus} x ${c0.gpu}`,
      heldOut: test.length,
      itlApe: [],
      energyApe: [],
      energySigned: [],
      decodeOnlySigned: [],
      timeApe: [],
      powerApe: [],
      memoryBound: 0,
      trainNonDecodeShare: train.map((c) => (nonDecodeS(c) * c.throughputTokS) / c.avgOutputTokens),
      nonDecodeClamped: 0,
    };
    for (const c of test) {
      const batch = Math.max(1, Math.round(Math.min(c.maxNumSeqs, c.avgBatch)));
      const sim = simulateConfig(c, { decode, power, nonDecodeS: nonDecodeAt(fit.nonDecode, batch) });
      const decodeOnly = simulateConfig(c, { decode, power, nonDecodeS: 0 });
      res.itlApe.push(ape(sim.itlS, c.medianItlS));
      res.energyApe.push(ape(sim.energyPerTokenJ, c.energyPerTokenJ));
      res.energySigned.push(spe(sim.energyPerTokenJ, c.energyPerTokenJ));
      res.decodeOnlySigned.push(spe(decodeOnly.energyPerTokenJ, c.energyPerTokenJ));
      res.timeApe.push(ape(sim.timePerTokenS, 1 / c.throughputTokS));
      res.powerApe.push(ape(sim.powerW, c.powerW));
      if (c.avgBatch < 0.95 * c.maxNumSeqs) res.memoryBound++;
      if (fit.nonDecode.coefficients[0]! + fit.nonDecode.coefficients[1]! * batch < 0) res.nonDecodeClamped++;
    }
    out.push(res);
  }
  return out;
}
