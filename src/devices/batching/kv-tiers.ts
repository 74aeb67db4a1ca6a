/**
 * The `kvTiers` option of a continuous-batching group: a CPU tier of KV memory per replica,
 * reached over PCIe. Preempted sequences swap there instead of being recomputed
 * (`preemptionMode: swap`, vLLM's `preemption_mode` with `swap_space`), and prefix-cache blocks
 * the GPU evicts can be kept there and reloaded (`prefixOffload`, as LMCache's CPU backend).
 * The device loop is batching/device.ts, the tier itself kit/cpu-tier.ts.
 */
import { z } from 'zod';
import { MAX_CPU_TIER_GIB, MAX_PCIE_GBPS, MAX_TIME_S } from '../../limits.js';
import type { DeviceStats } from '../device.js';
import { CpuTier } from '../kit/cpu-tier.js';

/**
 * PCIe 4.0 x16 per direction: 16 GT/s x 16 lanes with 128b/130b encoding = 31.5 GB/s, quoted by
 * PCI-SIG as 64 GB/s both ways (32 GB/s each): the link of A100/H100 PCIe servers.
 */
export const PCIE4_X16_GBPS = 32;

export const PREEMPTION_MODES = ['recompute', 'swap'] as const;

export const kvTiersSchema = z
  .strictObject({
    cpu: z
      .strictObject({
        capacityGiB: z
          .number()
          .positive()
          .max(MAX_CPU_TIER_GIB)
          .describe(`Host memory for KV of one replica, GiB (2^30 bytes; vLLM swap_space is 4 GiB per GPU by default), at most ${MAX_CPU_TIER_GIB}`),
        pcieGBps: z
          .number()
          .positive()
          .max(MAX_PCIE_GBPS)
          .default(PCIE4_X16_GBPS)
          .describe(`GPU <-> CPU bandwidth per direction, GB/s (1e9 bytes/s). Default ${PCIE4_X16_GBPS}: PCIe 4.0 x16 (PCI-SIG: 16 GT/s x 16 lanes); PCIe 5.0 x16 is 64. At most ${MAX_PCIE_GBPS}`),
        latencyS: z.number().min(0).max(MAX_TIME_S).default(0).describe('Fixed time added to each transfer, s (default 0)'),
      })
      .describe('The CPU tier of each replica: capacity and the PCIe link to it'),
    preemptionMode: z
      .enum(PREEMPTION_MODES)
      .default('swap')
      .describe('What happens to a preempted sequence (vLLM preemption_mode): swap (its KV blocks are copied to the CPU tier and back when it resumes; recompute when the tier is full) or recompute (it is prefilled again, as without kvTiers). Default swap'),
    prefixOffload: z
      .boolean()
      .default(false)
      .describe('Prefix-cache blocks the GPU evicts are kept in the CPU tier (LRU) and reloaded over PCIe by a later request with that prefix instead of recomputed (LMCache CPU offload). Needs prefixCaching. Default false'),
    kvBytesPerToken: z
      .number()
      .positive()
      .max(1e12)
      .optional()
      .describe("KV bytes per token (all layers, keys and values) moved over PCIe. Default: from the group's profile (architecture of a transformer profile, shape of a roofline one, memory block of an iteration one)"),
  })
  .describe('KV tiers (off when absent): a CPU tier per replica for swapped-out sequences and offloaded prefix blocks. Not with scheduler legacy or a P/D role');

export type KvTiersSpec = z.output<typeof kvTiersSchema>;

/** The CPU tier of one replica, given the KV bytes of a token (the option's, else the profile's). */
export function createCpuTier(spec: KvTiersSpec, blockSize: number, bytesPerToken: number): CpuTier {
  return new CpuTier({
    capacityBytes: spec.cpu.capacityGiB * 2 ** 30,
    bytesPerS: spec.cpu.pcieGBps * 1e9,
    latencyS: spec.cpu.latencyS,
    bytesPerBlock: blockSize * bytesPerToken,
  });
}

/** The summary's `kvTiers` block: the tier counters summed over the replicas that have one. */
export interface KvTiersSummary {
  readonly replicas: number;
  readonly swapOuts: number;
  readonly swapIns: number;
  readonly swapOutBytes: number;
  readonly swapInBytes: number;
  readonly swapFallbacks: number;
  readonly swapDiscards: number;
  readonly transferS: number;
  readonly prefixHits: {
    readonly gpu: { readonly tokens: number; readonly requests: number };
    readonly cpu: { readonly tokens: number; readonly requests: number };
  };
  readonly offloadedBlocks: number;
  readonly reloadedBlocks: number;
  readonly reloadBytes: number;
  readonly cpuEvictions: number;
  /** Largest CPU-tier use of any replica, as a fraction of its capacity. */
  readonly cpuPeakUtilization: number | null;
}

/** Figures of a replica with a CPU tier (its devices[].extra); the summary block sums them. */
export function kvTierExtra(tier: CpuTier, hits: { gpuTokens: number; gpuRequests: number; cpuTokens: number; cpuRequests: number }): Record<string, number> {
  const c = tier.counters;
  return {
    swapOuts: c.swapOuts,
    swapIns: c.swapIns,
    swapOutBytes: c.swapOutBytes,
    swapInBytes: c.swapInBytes,
    swapFallbacks: c.swapFallbacks,
    swapDiscards: c.swapDiscards,
    tierTransferS: c.transferS,
    prefixHitGpuTokens: hits.gpuTokens,
    prefixHitGpuRequests: hits.gpuRequests,
    prefixHitCpuTokens: hits.cpuTokens,
    prefixHitCpuRequests: hits.cpuRequests,
    offloadedBlocks: c.offloadedBlocks,
    reloadedBlocks: c.reloadedBlocks,
    reloadBytes: c.reloadBytes,
    cpuEvictions: c.cpuEvictions,
    cpuPeakUtilization: tier.capacityBlocks > 0 ? c.peakBlocks / tier.capacityBlocks : 0,
  };
}

/** Sums the tier figures of the replicas that have a CPU tier; undefined when none has (kvTiers off). */
export function summarizeKvTiers(devices: readonly DeviceStats[], round: (x: number) => number | null): KvTiersSummary | undefined {
  const tiered = devices.filter((d) => d.extra?.swapOuts !== undefined);
  if (tiered.length === 0) return undefined;
  const sum = (k: string) => tiered.reduce((a, d) => a + d.extra![k]!, 0);
  return {
    replicas: tiered.length,
    swapOuts: sum('swapOuts'),
    swapIns: sum('swapIns'),
    swapOutBytes: sum('swapOutBytes'),
    swapInBytes: sum('swapInBytes'),
    swapFallbacks: sum('swapFallbacks'),
    swapDiscards: sum('swapDiscards'),
    transferS: round(sum('tierTransferS')) ?? 0,
    prefixHits: {
      gpu: { tokens: sum('prefixHitGpuTokens'), requests: sum('prefixHitGpuRequests') },
      cpu: { tokens: sum('prefixHitCpuTokens'), requests: sum('prefixHitCpuRequests') },
    },
    offloadedBlocks: sum('offloadedBlocks'),
    reloadedBlocks: sum('reloadedBlocks'),
    reloadBytes: sum('reloadBytes'),
    cpuEvictions: sum('cpuEvictions'),
    cpuPeakUtilization: round(Math.max(...tiered.map((d) => d.extra!.cpuPeakUtilization!))),
  };
}
