import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileIterationModel, loadProfile } from '../../src/profiles/load.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A CSV as records, split by hand (no quotes in these files), independent of the derivation code. */
function records(file: string): Record<string, string>[] {
  const lines = readFileSync(`${root}profiles/measurements/${file}`, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v])));
}

function load(path: string) {
  const p = loadProfile(`${root}${path}`);
  if (p.form !== 'iteration') throw new Error(`${path} is not an iteration profile`);
  return { profile: p, model: compileIterationModel(p) };
}

describe('Vidur-derived Llama-2-7B profiles', () => {
  it('prefill reproduces emb + 32 layers of the operator medians within the fit\'s stated worst error', () => {
    const { profile, model } = load('profiles/vidur/llama-2-7b-a100-tp1.yaml');
    const ops = ['input_layernorm', 'attn_pre_proj', 'attn_rope', 'attn_post_proj', 'post_attention_layernorm', 'mlp_up_proj', 'mlp_act', 'mlp_down_proj'];
    for (const r of records('vidur-a100-llama2-7b-mlp.csv').filter((r) => r.num_tensor_parallel_workers === '1' && ['128', '1024', '4096'].includes(r.num_tokens!))) {
      const layerMs = ops.reduce((s, op) => s + Number(r[`time_stats.${op}.median`]), 0) + 2 * Number(r['time_stats.add.median']);
      const measuredS = (Number(r['time_stats.emb.median']) + 32 * layerMs) / 1000;
      const err = Math.abs(model.prefillS(Number(r.num_tokens)) / measuredS - 1) * 100;
      expect(err, r.num_tokens).toBeLessThanOrEqual(profile.prefill.fit!.maxApe! + 1e-9);
    }
    // Attention is missing: the notes must say so.
    expect(profile.provenance.notes!.join(' ')).toMatch(/MISSING from the data.*attention/);
  });

  it('power comes from the Argonne vLLM Llama-2-7B measurements (222-344 W on one A100)', () => {
    const { model } = load('profiles/vidur/llama-2-7b-a100-tp1.yaml');
    expect(model.busyPowerW(1)).toBeGreaterThan(222 * 0.9);
    expect(model.busyPowerW(64)).toBeLessThan(344 * 1.1);
  });
});

describe('ML.ENERGY-derived profiles', () => {
  it('Llama-3.1-8B on one H100 (lm-arena-chat): power x step / batch is near the measured J/token', () => {
    const { model } = load('profiles/mlenergy/lm-arena-chat/llama-3.1-8b-instruct-h100-x1.yaml');
    const rows = records('mlenergy-v3-llm-configs.csv').filter((r) => r.task === 'lm-arena-chat' && r.model_id === 'meta-llama/Llama-3.1-8B-Instruct' && r.gpu_model === 'H100');
    expect(rows.length).toBe(11);
    for (const r of rows) {
      const b = Number(r.avg_batch_size);
      const predicted = (model.busyPowerW(b) * model.decodeStepS(b, 0)) / b;
      // The profile leaves prefill energy out (no prompt lengths in the data), so it may read low;
      // 25% bounds that share plus the fit error of two lines.
      expect(Math.abs(predicted / Number(r.energy_per_token_joules) - 1), r.max_num_seqs).toBeLessThan(0.25);
    }
  });
});

describe('Argonne-derived profiles', () => {
  it('A100 vLLM Llama-2-7B: prefill + L-1 decode steps reproduce the measured batch latencies', () => {
    const { profile, model } = load('profiles/argonne/llama-2-7b-hf-nvidia-a100-x1-vllm.yaml');
    const rows = records('llm-inference-bench-all-results.csv').filter((r) => r.Hardware === 'Nvidia A100 GPU' && r['Num of Hardware'] === '1' && r.Framework === 'vLLM' && r.Model === 'meta-llama/Llama-2-7b-hf');
    const errs = rows.map((r) => {
      const l = Number(r['Input Output Length']);
      const b = Number(r['Batch Size']);
      const predicted = model.prefillS(b * l) + model.decodeRunS(b, b * (l + 1), l - 1);
      return Math.abs(predicted / Number(r.Latency) - 1) * 100;
    });
    // Every row within the fit's stated worst error (rows equal the fitted medians here: no repeats).
    for (const e of errs) expect(e).toBeLessThanOrEqual(profile.fit!.maxApe! + 0.01);
    expect(errs.reduce((a, b) => a + b, 0) / errs.length).toBeCloseTo(profile.fit!.mape!, 1);
  });
});
