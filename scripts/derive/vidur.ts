/**
 * Iteration profiles for Llama-2-7B on A100 and H100 (TP 1/2/4/8) built from Vidur's per-layer
 * operator timings (mlp.csv: every operator of a layer except attention). Pure.
 */
import { fitLinear } from '../../src/profiles/fit-linear.js';
import type { HardwareFile } from '../../src/profiles/hardware.js';
import type { ProfileInput } from '../../src/profiles/schema.js';
import type { ArgonneGroup } from './argonne-data.js';
import { RELATIVE_NN, OLS_NN, csvRecords, fitBlock, num } from './common.js';
import { sig, toYaml } from './emit.js';
import type { DerivedFile } from './splitwise.js';
import { LLAMA2_7B, MEMORY_UTILIZATION, kvBytesPerToken, paramCount } from './specs.js';

/** Operators timed once per layer; `add` (the residual addition) happens twice per layer. */
const LAYER_OPS: [string, number][] = [
  ['input_layernorm', 1], ['attn_pre_proj', 1], ['attn_rope', 1], ['attn_post_proj', 1], ['post_attention_layernorm', 1],
  ['mlp_up_proj', 1], ['mlp_act', 1], ['mlp_down_proj', 1], ['add', 2],
];
/** Largest batch the decode fit covers (vLLM's default max_num_seqs is 256). */
const DECODE_MAX_BATCH = 256;

/** Model-level seconds for `tokens` tokens, one point per (tokens, TP). */
export interface VidurPoint {
  tokens: number;
  tp: number;
  /** Embedding once + LAYER_OPS x layers, medians, in seconds. */
  modelS: number;
}

/** Parses a Vidur mlp.csv into model-level non-attention times. */
export function parseVidur(text: string, layers: number): VidurPoint[] {
  return csvRecords(text).map((r) => {
    const ms = (op: string) => num(r[`time_stats.${op}.median`], `vidur ${op}`);
    const layerMs = LAYER_OPS.reduce((s, [op, times]) => s + times * ms(op), 0);
    return { tokens: num(r.num_tokens, 'num_tokens'), tp: num(r.num_tensor_parallel_workers, 'tp'), modelS: (ms('emb') + layers * layerMs) / 1000 };
  });
}

/** One Vidur-derived profile. `power` is the Argonne vLLM Llama-2-7B run on one GPU of this kind. */
export function deriveVidurOne(points: VidurPoint[], tp: number, hw: HardwareFile, hwShort: string, power: ArgonneGroup | undefined): { path: string; profile: ProfileInput } {
  const shape = LLAMA2_7B;
  const own = points.filter((p) => p.tp === tp).sort((a, b) => a.tokens - b.tokens);
  const prefillY = own.map((p) => p.modelS);
  const prefill = fitLinear(own.map((p) => [1, p.tokens, p.tokens * p.tokens]), prefillY, { weights: prefillY.map((y) => 1 / y), nonNegative: true });
  const dec = own.filter((p) => p.tokens <= DECODE_MAX_BATCH);
  const decodeY = dec.map((p) => p.modelS);
  const decode = fitLinear(dec.map((p) => [1, p.tokens]), decodeY, { weights: decodeY.map((y) => 1 / y), nonNegative: true });
  const kv = kvBytesPerToken(shape);
  // Attention is missing from the data: its decode cost is taken as reading each context token's
  // KV once at peak bandwidth (a lower bound; an assumption, labelled in the notes).
  const perContextToken = kv / (hw.device.memoryBandwidthBytesPerS * tp);
  const params = paramCount(shape);
  const pts = power?.points.filter((p) => p.powerW !== undefined) ?? [];
  const pw = pts.length >= 3 ? fitLinear(pts.map((p) => [1, p.batch]), pts.map((p) => p.powerW! * tp), { nonNegative: true }) : undefined;
  const profile: ProfileInput = {
    name: `vidur-llama-2-7b-${hwShort}-tp${tp}`,
    form: 'iteration',
    model: shape.id,
    hardware: hw.name,
    gpus: tp,
    prefill: { c0: sig(prefill.coefficients[0]!), c1: sig(prefill.coefficients[1]!), c2: sig(prefill.coefficients[2]!), fit: fitBlock(prefill, RELATIVE_NN) },
    decode: { c0: sig(decode.coefficients[0]!), perSeq: sig(decode.coefficients[1]!), perContextToken: sig(perContextToken), fit: fitBlock(decode, `${RELATIVE_NN}; c0 and perSeq only`) },
    ...(pw ? { power: { idleW: sig(hw.device.idleW * tp), busyW: sig(pw.coefficients[0]!), busyWPerSeq: sig(pw.coefficients[1]!), capW: sig(hw.device.tdpW * tp), fit: fitBlock(pw, OLS_NN) } } : {}),
    memory: { deviceBytes: hw.device.memoryBytes * tp, weightBytes: params * shape.bytesPerParam, kvBytesPerToken: kv, utilization: MEMORY_UTILIZATION },
    provenance: {
      source: 'Vidur operator profiles (Agrawal et al., "Vidur: A Large-Scale Simulation Framework for LLM Inference", MLSys 2024): microsoft/vidur data/profiling/compute/{a100,h100}/meta-llama/Llama-2-7b-hf/mlp.csv',
      // Vidur times these operators with Sarathi-Serve's layer implementations (vidur/profiling/mlp/mlp_impl.py imports sarathi.model_executor.layers).
      engine: 'Sarathi-Serve layers (Vidur, 2024)',
      license: 'MIT (vidur); power data BSD-3-Clause (LLM-Inference-Bench)',
      derivation: 'npm run profiles (scripts/derive-profiles.ts; reads profiles/measurements/vidur-*-llama2-7b-mlp.csv and llm-inference-bench-power-results.csv)',
      notes: [
        `Operator times: the .median columns (ms) at num_tensor_parallel_workers = ${tp}, ${own.length} token counts from ${own[0]!.tokens} to ${own.at(-1)!.tokens}. Model time = emb + ${shape.layers} layers x (input_layernorm + attn_pre_proj + attn_rope + attn_post_proj + post_attention_layernorm + mlp_up_proj + mlp_act + mlp_down_proj + 2 x add); counting add twice (two residual additions per layer) is our reading of the operator list, not stated upstream.`,
        `MISSING from the data, so from these profiles: attention (the attention.csv files were not available), the tensor-parallel all-reduce (TP ${tp}), the LM head and sampling, and CPU/scheduler overhead. Expect them to under-estimate measured serving latency, most for long contexts and TP > 1.`,
        `Prefill: model time at num_tokens = T against [1, T, T^2], all ${own.length} points. Decode: a step of b sequences runs the same operators on b tokens, so decode c0 and perSeq are fitted to num_tokens = 1..${DECODE_MAX_BATCH} (${dec.length} points).`,
        `Assumption: perContextToken = ${kv} KV bytes per token / (${hw.device.memoryBandwidthBytesPerS} B/s x ${tp} GPUs), reading each context token's keys and values once at peak bandwidth (${hw.name} spec, profiles/hardware/${hw.name}.yaml): a lower bound on decode attention, not measured.`,
        pw
          ? `Power: LLM-Inference-Bench power_results.csv (argonne-lcf/LLM-Inference-Bench Plots/Fig_16_a_b, BSD-3-Clause), vLLM, meta-llama/Llama-2-7b-hf on one ${power!.hardware}, input = output = 1024 tokens, batch ${pts.map((p) => p.batch).join('/')}: ${pts.map((p) => `${sig(p.powerW!, 4)} W`).join(', ')} (avg_power, mW converted to W); times ${tp} GPUs (per-GPU scaling is an approximation for TP > 1). Idle ${hw.device.idleW} W and cap ${hw.device.tdpW} W per GPU from profiles/hardware/${hw.name}.yaml.`
          : 'Power: no measurement for this hardware; the profile has no power block (energy unknown).',
        `Memory: ${tp} x ${hw.device.memoryBytes} bytes (profiles/hardware/${hw.name}.yaml; assumed: Vidur's path names only "${hwShort}", and the 80 GB SXM part is the one its device configs describe); weights ${params} parameters x 2 bytes (${shape.source}; Vidur's profile pads the vocabulary to 32768, which changes only the embedding lookup); KV 2 x 32 layers x 32 KV heads x 128 dims x 2 bytes = ${kv} bytes per token; utilization ${MEMORY_UTILIZATION} is vLLM's default (an assumption).`,
      ],
    },
  };
  return { path: `profiles/vidur/llama-2-7b-${hwShort}-tp${tp}.yaml`, profile };
}

/** All Vidur-derived profiles: A100 and H100, TP 1, 2, 4, 8. */
export function deriveVidurProfiles(a100Csv: string, h100Csv: string, hw: { a100: HardwareFile; h100: HardwareFile }, power: ArgonneGroup[]): DerivedFile[] {
  const out: DerivedFile[] = [];
  for (const [short, csv, spec, hwName] of [['a100', a100Csv, hw.a100, 'Nvidia A100 GPU'], ['h100', h100Csv, hw.h100, 'Nvidia H100 GPU']] as const) {
    const points = parseVidur(csv, LLAMA2_7B.layers);
    const pw = power.find((g) => g.hardware === hwName && g.devices === 1 && g.framework === 'vLLM' && g.model === 'meta-llama/Llama-2-7b-hf');
    for (const tp of [1, 2, 4, 8]) {
      const { path, profile } = deriveVidurOne(points, tp, spec, short, pw);
      out.push({ path, text: toYaml(profile, `Generated by \`npm run profiles\` from profiles/measurements/vidur-${short}-llama2-7b-mlp.csv: do not edit by hand.\nLlama-2-7B on ${spec.name}, tensor parallel ${tp}. Attention is NOT in the data (see notes).`) });
    }
  }
  return out;
}
