/**
 * Published model shapes and hardware figures the derived profiles use, each with its source.
 * Nothing here is measured by us; every number is copied from the cited document.
 */

/** Shape of a decoder-only transformer, as its published config.json gives it. */
export interface ModelShape {
  /** Model id used in profile files. */
  id: string;
  layers: number;
  hidden: number;
  heads: number;
  /** Key/value heads (fewer than `heads` with grouped-query attention). */
  kvHeads: number;
  /** Feed-forward inner size. */
  ffn: number;
  vocab: number;
  /** Llama: gated MLP (gate, up, down), RMSNorm without bias, untied output head. BLOOM: plain MLP with biases, LayerNorm, tied head. */
  style: 'llama' | 'bloom';
  bytesPerParam: number;
  /** Published total parameter count, checked against the count computed from the shape. */
  publishedParams: number;
  source: string;
}

/** The two models in the Splitwise measurements. */
export const MODEL_SHAPES: Record<string, ModelShape> = {
  'llama2-70b': {
    id: 'llama-2-70b', layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 28672, vocab: 32000, style: 'llama', bytesPerParam: 2,
    publishedParams: 68_976_648_192,
    source: 'meta-llama/Llama-2-70b-hf config.json (hidden_size 8192, intermediate_size 28672, num_hidden_layers 80, num_attention_heads 64, num_key_value_heads 8, vocab_size 32000); fp16 weights',
  },
  'bloom-176b': {
    id: 'bloom-176b', layers: 70, hidden: 14336, heads: 112, kvHeads: 112, ffn: 4 * 14336, vocab: 250880, style: 'bloom', bytesPerParam: 2,
    publishedParams: 176_247_271_424,
    source: 'bigscience/bloom config.json (n_layer 70, n_head 112, hidden_size 14336, vocab_size 250880, no GQA) and model card (176,247,271,424 parameters); fp16 weights',
  },
};

/** Parameter count implied by a shape (embeddings, attention, MLP, norms, biases). */
export function paramCount(m: ModelShape): number {
  const headDim = m.hidden / m.heads;
  const kvDim = m.kvHeads * headDim;
  if (m.style === 'llama') {
    const perLayer = m.hidden * m.hidden * 2 + m.hidden * kvDim * 2 + 3 * m.hidden * m.ffn + 2 * m.hidden;
    return m.layers * perLayer + 2 * m.vocab * m.hidden + m.hidden;
  }
  const attn = m.hidden * 3 * m.hidden + 3 * m.hidden + m.hidden * m.hidden + m.hidden;
  const mlp = m.hidden * m.ffn + m.ffn + m.ffn * m.hidden + m.hidden;
  const perLayer = attn + mlp + 4 * m.hidden;
  return m.layers * perLayer + m.vocab * m.hidden + 4 * m.hidden;
}

/** KV-cache bytes per token: keys and values, every layer, every KV head. */
export function kvBytesPerToken(m: ModelShape): number {
  return 2 * m.layers * m.kvHeads * (m.hidden / m.heads) * m.bytesPerParam;
}

/** Per-GPU figures of the hardware in the Splitwise measurements. */
export interface GpuSpec {
  memoryBytes: number;
  /** Board power limit the GPU runs at, W. */
  capW: number;
  /** Idle power, W. */
  idleW: number;
  notes: string[];
}

const SPLITWISE_SIM = 'Mutinifni/splitwise-sim @ 378088013a54df6f2052c27ff5ae6ea7619c3ecc (MIT)';
const MEMORY_80GIB = 80 * 2 ** 30;

/** Keyed by the CSV's `hardware` column. */
export const GPU_SPECS: Record<string, GpuSpec> = {
  'a100-80gb': {
    memoryBytes: MEMORY_80GIB, capW: 400, idleW: 63,
    notes: [
      `Memory: 80 GiB = 85,899,345,920 bytes per GPU (NVIDIA A100 80GB; same value as ${SPLITWISE_SIM} configs/hardware_repo/processors/a100-80gb.yaml memory_size).`,
      'Cap: 400 W per GPU, the TDP of the A100 80GB SXM in the NVIDIA A100 datasheet (DGX A100 uses SXM boards).',
      `Idle: 63 W per GPU from ${SPLITWISE_SIM} configs/power_model/constant.yaml idle_power (upstream does not say how it was obtained).`,
    ],
  },
  'h100-80gb': {
    memoryBytes: MEMORY_80GIB, capW: 700, idleW: 75,
    notes: [
      `Memory: 80 GiB = 85,899,345,920 bytes per GPU (NVIDIA H100 SXM 80GB; same value as ${SPLITWISE_SIM} configs/hardware_repo/processors/h100-80gb.yaml memory_size).`,
      'Cap: 700 W per GPU, the maximum TDP of the H100 SXM in the NVIDIA H100 datasheet.',
      `Idle: 75 W per GPU from ${SPLITWISE_SIM} configs/power_model/constant.yaml idle_power (upstream does not say how it was obtained).`,
    ],
  },
  'h100-80gb-pcap': {
    memoryBytes: MEMORY_80GIB, capW: 490, idleW: 75,
    notes: [
      `Memory: 80 GiB = 85,899,345,920 bytes per GPU (${SPLITWISE_SIM} configs/hardware_repo/processors/h100-80gb-pcap.yaml memory_size).`,
      `Cap: 490 W per GPU = 70% of 700 W. Inferred from ${SPLITWISE_SIM}: configs/hardware_repo/skus/dgx-h100-pcap.yaml has tdp 7140 W, 70% of dgx-h100.yaml's 10200 W; the per-GPU cap itself is not stated upstream.`,
      `Idle: 75 W per GPU, the h100-80gb value of ${SPLITWISE_SIM} configs/power_model/constant.yaml (a power cap does not change idle draw).`,
    ],
  },
};

/** vLLM's default gpu_memory_utilization: the share of device memory a server may fill. */
export const MEMORY_UTILIZATION = 0.9;

/** Llama-2-7B, the model of the Vidur operator timings and many Argonne runs. */
export const LLAMA2_7B: ModelShape = {
  id: 'llama-2-7b', layers: 32, hidden: 4096, heads: 32, kvHeads: 32, ffn: 11008, vocab: 32000, style: 'llama', bytesPerParam: 2,
  publishedParams: 6_738_415_616,
  source: 'meta-llama/Llama-2-7b-hf config.json (hidden_size 4096, intermediate_size 11008, num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 32, vocab_size 32000); fp16 weights; 6,738,415,616 parameters',
};
