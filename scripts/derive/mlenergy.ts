/**
 * Iteration profiles from the ML.ENERGY v3 leaderboard runs: for each (task, model, GPU, GPU count)
 * the decode step time and the power as functions of the running batch, fitted to the steady-state
 * runs at different max batch sizes, so energy per token follows for any batch. Pure.
 */
import { fitLinear, type LinearFit } from '../../src/profiles/fit-linear.js';
import type { HardwareFile } from '../../src/profiles/hardware.js';
import type { ProfileInput } from '../../src/profiles/schema.js';
import { OLS_NN, RELATIVE_NN, csvRecords, fitBlock, num, slug } from './common.js';
import { fixed, sig, toYaml } from './emit.js';
import type { DerivedFile } from './splitwise.js';

/** One ML.ENERGY configuration (a steady-state run at one max batch size). */
export interface MlEnergyConfig {
  task: string;
  modelId: string;
  gpu: string;
  gpus: number;
  maxNumSeqs: number;
  avgBatch: number;
  avgOutputTokens: number;
  totalParamsB: number;
  activeParamsB: number;
  precision: string;
  medianItlS: number;
  powerW: number;
  energyPerTokenJ: number;
  throughputTokS: number;
}

/** Parses mlenergy-v3-llm-configs.csv. */
export function parseMlEnergyConfigs(text: string): MlEnergyConfig[] {
  return csvRecords(text).map((r) => ({
    task: r.task!,
    modelId: r.model_id!,
    gpu: r.gpu_model!,
    gpus: num(r.num_gpus, 'num_gpus'),
    maxNumSeqs: num(r.max_num_seqs, 'max_num_seqs'),
    avgBatch: num(r.avg_batch_size, 'avg_batch_size'),
    avgOutputTokens: num(r.avg_output_len, 'avg_output_len'),
    totalParamsB: num(r.total_params_billions, 'total_params_billions'),
    activeParamsB: num(r.activated_params_billions, 'activated_params_billions'),
    precision: r.weight_precision!,
    medianItlS: num(r.median_itl_ms, 'median_itl_ms') / 1000,
    powerW: num(r.avg_power_watts, 'avg_power_watts'),
    energyPerTokenJ: num(r.energy_per_token_joules, 'energy_per_token_joules'),
    throughputTokS: num(r.output_throughput_tokens_per_sec, 'output_throughput_tokens_per_sec'),
  }));
}

/** Configurations grouped by (task, model, GPU, GPU count), sorted; each group sorted by max batch. */
export function mlEnergyGroups(configs: readonly MlEnergyConfig[]): MlEnergyConfig[][] {
  const groups = new Map<string, MlEnergyConfig[]>();
  for (const c of configs) {
    const key = [c.task, c.modelId, c.gpu, c.gpus].join('|');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g.sort((a, b) => a.maxNumSeqs - b.maxNumSeqs || a.avgBatch - b.avgBatch));
}

/**
 * Seconds of server time per finished request that its decode steps do not account for: prefill,
 * scheduling gaps, and iterations slower than the median ITL (those holding prompt chunks or
 * recomputing preempted requests). A saturated server serves N requests of L output tokens in
 * N L / throughput seconds; their decode steps, L - 1 per request (the first token comes from the
 * prefill pass) taking the median ITL for the B requests running, take N (L - 1) ITL / B. The rest,
 * per request, is L / throughput - (L - 1) ITL / B. It is server time: each request is held up by
 * the non-decode time of the B or so admitted while it runs, B times this. Negative where the
 * median ITL exceeds the mean step (the data is noisy where this is a small share: long outputs).
 */
export function nonDecodeS(c: MlEnergyConfig): number {
  return c.avgOutputTokens / c.throughputTokS - ((c.avgOutputTokens - 1) * c.medianItlS) / c.avgBatch;
}

/**
 * Decode step (s) and power (W) against the average running batch, and the non-decode time per
 * request (s, `nonDecodeS`) against it by ordinary least squares, unconstrained (it falls with the
 * batch in some groups); `nonDecodeAt` clamps its predictions at 0.
 */
export function fitMlEnergy(train: readonly MlEnergyConfig[]): { decode: LinearFit; power: LinearFit; nonDecode: LinearFit } {
  const x = train.map((c) => [1, c.avgBatch]);
  const itl = train.map((c) => c.medianItlS);
  return {
    decode: fitLinear(x, itl, { weights: itl.map((y) => 1 / y), nonNegative: true }),
    power: fitLinear(x, train.map((c) => c.powerW), { nonNegative: true }),
    nonDecode: fitLinear(x, train.map(nonDecodeS)),
  };
}

/** The fitted non-decode time per request at `batch` running, s (never below 0). */
export function nonDecodeAt(fit: LinearFit, batch: number): number {
  return Math.max(0, fit.coefficients[0]! + fit.coefficients[1]! * batch);
}

/**
 * Prefill seconds per token from the roofline compute bound: 2 FLOPs per active parameter on all
 * GPUs at peak. ML.ENERGY does not report prompt lengths or prefill times, so this is an
 * assumption, not a measurement.
 */
export function rooflinePrefillPerToken(c: MlEnergyConfig, hw: HardwareFile): number {
  return (2 * c.activeParamsB * 1e9) / (hw.device.peakFlopsPerS * c.gpus);
}

const BYTES: Record<string, number> = { bfloat16: 2, float16: 2, fp8: 1 };

/** One profile per group with at least 3 configurations. */
export function deriveMlEnergyProfiles(csv: string, hardware: Record<string, HardwareFile>): DerivedFile[] {
  const out: DerivedFile[] = [];
  for (const g of mlEnergyGroups(parseMlEnergyConfigs(csv))) {
    if (g.length < 3) continue;
    const c0 = g[0]!;
    const hw = hardware[c0.gpu];
    if (!hw) throw new Error(`no hardware file for ML.ENERGY GPU ${c0.gpu}`);
    const { decode, power, nonDecode } = fitMlEnergy(g);
    const [nd0, nd1] = nonDecode.coefficients as [number, number];
    const weightsNote = BYTES[c0.precision] ? ` Weights would be ${c0.totalParamsB}e9 parameters x ${BYTES[c0.precision]} bytes (${c0.precision}).` : '';
    const profile: ProfileInput = {
      name: `mlenergy-${slug(c0.task)}-${slug(c0.modelId)}-${slug(c0.gpu)}-x${c0.gpus}`,
      form: 'iteration',
      model: c0.modelId,
      hardware: hw.name,
      gpus: c0.gpus,
      prefill: { c0: 0, c1: sig(rooflinePrefillPerToken(c0, hw)), c2: 0 },
      decode: { c0: sig(decode.coefficients[0]!), perSeq: sig(decode.coefficients[1]!), perContextToken: 0, fit: fitBlock(decode, `${RELATIVE_NN}; median ITL against average batch`) },
      power: { idleW: sig(hw.device.idleW * c0.gpus), busyW: sig(power.coefficients[0]!), busyWPerSeq: sig(power.coefficients[1]!), fit: fitBlock(power, `${OLS_NN}; avg_power_watts against average batch`) },
      provenance: {
        source: 'ML.ENERGY Benchmark v3 (Chung et al., "The ML.ENERGY Benchmark", NeurIPS D&B 2025): ml-energy/leaderboard commit 7885788e837b80ad172e02e6e8c47e8d0b85520e, public/data/tasks/*.json configurations',
        // Neither the configurations nor the leaderboard README give a vLLM version.
        engine: 'vLLM, ML.ENERGY v3 leaderboard 2025',
        license: 'Apache-2.0',
        derivation: 'npm run profiles (scripts/derive-profiles.ts; reads profiles/measurements/mlenergy-v3-llm-configs.csv)',
        notes: [
          `Runs: task ${c0.task}, vLLM steady state under saturating load on ${c0.gpus} x ${c0.gpu}, ${g.length} max batch sizes; average output ${fixed(g.reduce((s, c) => s + c.avgOutputTokens, 0) / g.length, 0)} tokens.`,
          `Measured (max_num_seqs: average batch, median ITL, total power, J per output token, non-decode time per request): ${g.map((c) => `${c.maxNumSeqs}: ${fixed(c.avgBatch, 1)}, ${fixed(c.medianItlS * 1000, 1)} ms, ${fixed(c.powerW, 0)} W, ${sig(c.energyPerTokenJ, 3)} J, ${fixed(nonDecodeS(c) * 1000, 1)} ms`).join('; ')}.`,
          'Decode: median inter-token latency against the average running batch. The data has no context lengths, so perContextToken is 0 and the context cost of this task\'s typical lengths is folded into c0 and perSeq: use the profile for workloads like this task\'s.',
          `Energy per output token at batch b: busy power(b) x decode step(b) / b over the decode steps; the task's runs also spent the non-decode time per request (next note), which adds busy power(b) x non-decode(b) / output tokens and is not in the coefficients.`,
          `Non-decode time per request: avg_output_len / output_throughput_tokens_per_sec - (avg_output_len - 1) x median ITL / average batch, the server time per request that its decode steps do not account for (prefill, scheduling gaps, steps slower than the median); negative where the median step exceeds the mean. Fitted (ordinary least squares, unconstrained; use at least 0): ${sig(nd0)} ${nd1 < 0 ? '-' : '+'} ${sig(Math.abs(nd1))} x average batch s. docs/fidelity.md fits the same term on half the configurations and gives it to each simulated request as its prefill, which reproduces the measured energy per token of the other half; this profile prices prefill per prompt token instead (next note).`,
          `Assumption: prefill per token is not measured (ML.ENERGY reports no prompt lengths). c1 = 2 x ${c0.activeParamsB}e9 active parameters / (${hw.device.peakFlopsPerS} FLOP/s x ${c0.gpus} GPUs), the roofline compute bound from profiles/hardware/${hw.name}.yaml: a lower bound.`,
          `Power: avg_power_watts is the total over all ${c0.gpus} GPUs; no cap is applied. Idle power ${hw.device.idleW} W per GPU from profiles/hardware/${hw.name}.yaml.`,
          `No memory block: the data gives no KV-cache shape, so KV capacity is unbounded; set kvCapacityTokens in the device entry.${weightsNote}`,
        ],
      },
    };
    out.push({ path: `profiles/mlenergy/${slug(c0.task)}/${slug(c0.modelId)}-${slug(c0.gpu)}-x${c0.gpus}.yaml`, text: toYaml(profile, `Generated by \`npm run profiles\` from profiles/measurements/mlenergy-v3-llm-configs.csv: do not edit by hand.\n${c0.modelId} on ${c0.gpus} x ${c0.gpu}, ML.ENERGY task ${c0.task}.`) });
  }
  return out;
}
