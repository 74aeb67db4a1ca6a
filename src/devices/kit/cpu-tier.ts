/**
 * The CPU tier of one replica's KV cache (vLLM's swap space, LMCache's CPU offload): host memory
 * reached over the PCIe link. It holds two kinds of blocks, counted in GPU-sized blocks:
 *
 * - swapped blocks: the whole KV of a preempted sequence (preemption mode `swap`), pinned until the
 *   sequence is swapped back in (or ends while waiting);
 * - offloaded prefix blocks: named blocks the GPU prefix cache evicted (`prefixOffload`), kept
 *   under their identity (the block's content and everything before it) in an LRU, evicted when
 *   room is needed. The tiers are exclusive: a block reloaded to the GPU leaves the CPU tier and
 *   comes back if the GPU evicts it again.
 *
 * A transfer of `b` blocks takes latencyS + b * bytesPerBlock / bytesPerS (one PCIe direction).
 * The tier never holds more than `capacityBlocks`.
 */
import { IndexLru, NONE } from './index-lru.js';
import type { BlockKey } from './prefix-cache.js';

/** The CPU tier's physical parameters, per replica. */
export interface CpuTierSpec {
  readonly capacityBytes: number;
  readonly bytesPerS: number;
  readonly latencyS: number;
  /** KV bytes of one block: blockSize x KV bytes per token. */
  readonly bytesPerBlock: number;
}

/** Identity of a named block: the same number for the same content after the same prefix. */
export type BlockIdentity = number;
/** The identity of the empty prefix (parent of every first block). */
export const NO_BLOCK: BlockIdentity = -1;

/**
 * Interns block identities: (parent identity, content key) -> a small integer, so that the CPU
 * tier can find a block whatever tier its parent is in.
 */
export class BlockIdentities {
  // Children of each identity (index identity + 1; 0 for the empty prefix): content key -> identity.
  private readonly children: (Map<BlockKey, BlockIdentity> | undefined)[] = [];
  private count = 0;

  /** The identity of `key` after `parent`; a new one when `create`, else undefined if never seen. */
  of(parent: BlockIdentity, key: BlockKey, create: boolean): BlockIdentity | undefined {
    let map = this.children[parent + 1];
    let id = map?.get(key);
    if (id === undefined && create) {
      if (map === undefined) this.children[parent + 1] = map = new Map();
      map.set(key, (id = this.count++));
    }
    return id;
  }
}

/** Counters of a CPU tier (reported as the device's extra figures). */
export interface CpuTierCounters {
  swapOuts: number;
  swapIns: number;
  swapOutBytes: number;
  swapInBytes: number;
  /** Preemptions that wanted to swap but found the tier full: recomputed instead. */
  swapFallbacks: number;
  /** Swapped-out sequences whose request ended (timed out, aborted) before they were swapped in. */
  swapDiscards: number;
  offloadedBlocks: number;
  offloadBytes: number;
  reloadedBlocks: number;
  reloadBytes: number;
  /** Offloaded blocks dropped from the CPU tier to make room. */
  cpuEvictions: number;
  /** Seconds the PCIe transfers stalled iterations (swap-outs, swap-ins, prefix reloads). */
  transferS: number;
  peakBlocks: number;
}

export class CpuTier {
  readonly capacityBlocks: number;
  /** Blocks of swapped-out sequences. */
  swappedBlocks = 0;
  /** Bumped whenever the offloaded set changes (prefix lookups memoize on it). */
  version = 0;
  readonly counters: CpuTierCounters = {
    swapOuts: 0,
    swapIns: 0,
    swapOutBytes: 0,
    swapInBytes: 0,
    swapFallbacks: 0,
    swapDiscards: 0,
    offloadedBlocks: 0,
    offloadBytes: 0,
    reloadedBlocks: 0,
    reloadBytes: 0,
    cpuEvictions: 0,
    transferS: 0,
    peakBlocks: 0,
  };
  // Offloaded prefix blocks, least recently offloaded first (identities are dense integers).
  private readonly lru = new IndexLru();
  private present = new Uint8Array(0);
  private offloadedCount = 0;

  constructor(readonly spec: CpuTierSpec) {
    this.capacityBlocks = Math.floor(spec.capacityBytes / spec.bytesPerBlock);
  }

  /** Blocks held now (swapped and offloaded). */
  get usedBlocks(): number {
    return this.swappedBlocks + this.offloadedCount;
  }

  /** Seconds to move `blocks` blocks over the link. */
  transferS(blocks: number): number {
    return this.spec.latencyS + (blocks * this.spec.bytesPerBlock) / this.spec.bytesPerS;
  }

  /**
   * Takes room for a sequence's `blocks` swapped blocks (dropping offloaded prefix blocks, least
   * recent first, if needed) and returns the copy's time; undefined when even that is not enough.
   */
  swapOut(blocks: number): number | undefined {
    if (blocks + this.swappedBlocks > this.capacityBlocks) {
      this.counters.swapFallbacks++;
      return undefined;
    }
    this.makeRoom(blocks);
    this.swappedBlocks += blocks;
    this.counters.swapOuts++;
    this.counters.swapOutBytes += blocks * this.spec.bytesPerBlock;
    this.notePeak();
    return this.charge(blocks);
  }

  /** Frees a swapped sequence's blocks and returns the time to copy them back to the GPU. */
  swapIn(blocks: number): number {
    this.swappedBlocks -= blocks;
    this.counters.swapIns++;
    this.counters.swapInBytes += blocks * this.spec.bytesPerBlock;
    return this.charge(blocks);
  }

  /** Frees a swapped sequence's blocks without a copy (its request ended while it waited). */
  discard(blocks: number): void {
    this.swappedBlocks -= blocks;
    this.counters.swapDiscards++;
  }

  /** Keeps a block the GPU evicted (asynchronous copy: counted, no stall). */
  offload(id: BlockIdentity | undefined): void {
    if (id === undefined || this.has(id)) return;
    this.makeRoom(1);
    if (this.usedBlocks >= this.capacityBlocks) return; // swapped sequences fill the tier
    this.version++;
    this.append(id);
    this.counters.offloadedBlocks++;
    this.counters.offloadBytes += this.spec.bytesPerBlock;
    this.notePeak();
  }

  /** True when the block is offloaded here. */
  has(id: BlockIdentity): boolean {
    return this.present[id] === 1;
  }

  /** Moves `ids` back to the GPU and returns the copy's time (one transfer). */
  reload(ids: readonly BlockIdentity[]): number {
    this.version++;
    for (const id of ids) this.unlink(id);
    this.counters.reloadedBlocks += ids.length;
    this.counters.reloadBytes += ids.length * this.spec.bytesPerBlock;
    return this.charge(ids.length);
  }

  private charge(blocks: number): number {
    const s = this.transferS(blocks);
    this.counters.transferS += s;
    return s;
  }

  /** Drops offloaded blocks, least recent first, until `blocks` more fit. */
  private makeRoom(blocks: number): void {
    while (this.usedBlocks + blocks > this.capacityBlocks && this.lru.head !== NONE) {
      this.version++;
      this.unlink(this.lru.head);
      this.counters.cpuEvictions++;
    }
  }

  private append(id: BlockIdentity): void {
    if (id >= this.present.length) {
      const present = new Uint8Array(Math.max(1024, id + 1, this.present.length * 2));
      present.set(this.present);
      this.present = present;
    }
    this.present[id] = 1;
    this.lru.append(id);
    this.offloadedCount++;
  }

  private unlink(id: BlockIdentity): void {
    this.lru.unlink(id);
    this.present[id] = 0;
    this.offloadedCount--;
  }

  private notePeak(): void {
    if (this.usedBlocks > this.capacityBlocks) throw new Error(`CPU KV tier over capacity (${this.usedBlocks} > ${this.capacityBlocks} blocks)`);
    if (this.usedBlocks > this.counters.peakBlocks) this.counters.peakBlocks = this.usedBlocks;
  }
}
