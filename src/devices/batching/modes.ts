/**
 * Scheduler modes of the batching device: how each forms batches and which requests it refuses on
 * arrival. Adding a mode: a formation in formation.ts and one entry here.
 */
import type { Request } from '../../workload/request.js';
import type { KvBlocks } from '../kit/kv-blocks.js';
import { chunkedFormation, legacyFormation, prefillFirstFormation, type Formation } from './formation.js';

/** The settings of a device entry that modes read (a subset of its schema's output). */
export interface ModeSettings {
  readonly scheduler: SchedulerName;
  readonly maxBatchSize: number;
  readonly maxBatchedTokens: number;
  readonly chunkSize: number;
  readonly longPrefillThreshold: number;
  readonly chunkedPrefill: boolean;
  readonly maxModelLen?: number;
  readonly priorityPreemption?: boolean;
  readonly prefixCaching?: boolean;
}

interface SchedulerMode {
  readonly name: string;
  formation(s: ModeSettings): Formation;
  /**
   * Sequences the formation lets decode in one iteration when every running sequence decodes,
   * nothing waits and the KV cache has the blocks: all of them, up to the mode's token budget.
   */
  decodeLimit(s: ModeSettings): number;
  /**
   * True when the formation's first step, whenever every running sequence decodes, the KV cache has
   * their blocks and they are within decodeLimit, is to schedule one token for each (taking its
   * block): the device may then do that step itself and say so (FormationKit.decoded).
   */
  readonly decodesFirst: boolean;
  /** Why a request is refused on arrival, or undefined. Reasons name the limit, not the request, so they group. */
  refuse(s: ModeSettings, kv: KvBlocks, group: string, r: Request): string | undefined;
}

const MODES = [
  {
    name: 'vllm-v1',
    formation: (s) =>
      chunkedFormation({ maxBatch: s.maxBatchSize, budget: s.maxBatchedTokens, longPrefillThreshold: s.longPrefillThreshold, chunking: s.chunkedPrefill, priorityPreemption: s.priorityPreemption }),
    decodeLimit: (s) => s.maxBatchedTokens,
    decodesFirst: true,
    refuse: (s, kv, group, r) =>
      overModelLen(s, group, r) ??
      promptOverKv(kv, group, r) ??
      (!s.chunkedPrefill && r.promptTokens > s.maxBatchedTokens ? `prompt exceeds maxBatchedTokens of ${group} (${s.maxBatchedTokens}) and chunkedPrefill is off` : undefined),
  },
  {
    name: 'sarathi',
    formation: (s) => chunkedFormation({ maxBatch: s.maxBatchSize, budget: s.chunkSize, longPrefillThreshold: 0, priorityPreemption: s.priorityPreemption }),
    decodeLimit: (s) => s.chunkSize,
    decodesFirst: true,
    refuse: (s, kv, group, r) => overModelLen(s, group, r) ?? promptOverKv(kv, group, r),
  },
  {
    name: 'prefill-first',
    formation: (s) => prefillFirstFormation(s.maxBatchSize, s.maxBatchedTokens),
    // Its decodes take blocks through kit.schedule, which also evicts free cached blocks: no shortcut then.
    decodeLimit: (s) => (s.prefixCaching ? 0 : Infinity),
    decodesFirst: false, // a waiting prompt that fits pauses the decodes
    // vLLM V0 ignores a prompt longer than its prompt limit (it never chunks).
    refuse: (s, kv, group, r) =>
      overModelLen(s, group, r) ??
      promptOverKv(kv, group, r) ??
      (r.promptTokens > s.maxBatchedTokens ? `prompt exceeds maxBatchedTokens of ${group} (${s.maxBatchedTokens}); prefill-first does not chunk` : undefined),
  },
  {
    name: 'legacy',
    formation: (s) => legacyFormation(s.maxBatchSize, s.maxBatchedTokens),
    decodeLimit: () => Infinity,
    decodesFirst: false, // it preempts for every decode's block first, then admits whole prompts
    // llmsim 0.1 checked the KV cache with the TRUE output length, which no real server knows.
    refuse: (s, kv, group, r) => {
      const capacity = kv.capacityBlocks * kv.blockSize;
      if (Math.ceil((r.promptTokens + r.outputTokens) / kv.blockSize) * kv.blockSize > capacity) {
        return `prompt+output exceeds the KV capacity of a ${group} replica (${capacity} tokens)`;
      }
      return r.promptTokens > s.maxBatchedTokens ? `prompt exceeds maxBatchedTokens of ${group} (${s.maxBatchedTokens})` : undefined;
    },
  },
] as const satisfies readonly SchedulerMode[];

export type SchedulerName = (typeof MODES)[number]['name'];
/** Names of the modes, for the schema. */
export const SCHEDULER_NAMES = MODES.map((m) => m.name) as [SchedulerName, ...SchedulerName[]];

function modeOf(s: ModeSettings): SchedulerMode {
  return MODES.find((m) => m.name === s.scheduler)!;
}

/** The formation of a device entry's mode. */
export function formationOf(s: ModeSettings): Formation {
  return modeOf(s).formation(s);
}

/** Sequences a device entry's formation decodes at once when all decode and none waits (SchedulerMode.decodeLimit). */
export function decodeLimitOf(s: ModeSettings): number {
  return modeOf(s).decodeLimit(s);
}

/** Whether a device entry's formation starts by scheduling every decode (SchedulerMode.decodesFirst). */
export function decodesFirstOf(s: ModeSettings): boolean {
  return modeOf(s).decodesFirst;
}

/** The arrival check of a device entry's mode for one replica's KV cache. */
export function admissionCheck(s: ModeSettings, kv: KvBlocks, group: string): (r: Request) => string | undefined {
  const mode = modeOf(s);
  return (r) => mode.refuse(s, kv, group, r);
}

/** The client asked for more than the model's context (benchmark clients set max_tokens to the output length). */
function overModelLen(s: ModeSettings, group: string, r: Request): string | undefined {
  return s.maxModelLen !== undefined && r.promptTokens + r.outputTokens > s.maxModelLen ? `prompt+output exceeds maxModelLen of ${group} (${s.maxModelLen})` : undefined;
}

/** A prompt that cannot fit an empty KV cache can never run. */
function promptOverKv(kv: KvBlocks, group: string, r: Request): string | undefined {
  return kv.held(r.promptTokens) > kv.capacityBlocks ? `prompt exceeds the KV capacity of a ${group} replica (${kv.capacityBlocks * kv.blockSize} tokens)` : undefined;
}
