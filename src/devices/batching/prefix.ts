/**
 * Prefix caching for the batching loop: which waiting request hits how many cached blocks, what
 * admitting it costs, and keeping each running sequence's named blocks in the cache (PrefixCache)
 * as they fill. A sequence holds its leading named blocks as cache nodes (`batch.nodes[i]`); its
 * other blocks are anonymous, so the replica's blocks in use are
 *   sum over sequences of (blocks held - nodes held) + cache.inUse
 * and the free cached blocks are evictable room.
 */
import type { Request } from '../../workload/request.js';
import { blockKeyCursor, namedBlockKeys } from '../kit/block-keys.js';
import type { KvBlocks } from '../kit/kv-blocks.js';
import { CACHE_ROOT, PrefixCache, type BlockKey } from '../kit/prefix-cache.js';
import type { RunningBatch } from '../kit/running-batch.js';
import { BlockIdentities, NO_BLOCK, type BlockIdentity, type CpuTier } from '../kit/cpu-tier.js';

/** What the queue head would find cached. */
export interface Hit {
  /** Cached blocks matched from the start (never the whole target: at least one token is computed, as vLLM). */
  blocks: number;
  /** Of those, blocks free now: admitting takes them out of the free pool (CPU-tier blocks included). */
  freeBlocks: number;
  /** Of those, blocks found in the CPU tier after the GPU ones (prefix offload): reloaded on admission. */
  cpuBlocks: number;
}

/** Prefix offload: the CPU tier evicted GPU blocks go to, and where the reload time is charged. */
export interface PrefixOffload {
  readonly tier: CpuTier;
  /** Adds a reload's PCIe time to the iteration being formed. */
  stall(s: number): void;
}

/** The prefix cache of one replica, seen from its loop. */
export interface PrefixKeeper {
  readonly cache: PrefixCache;
  /** Running sequences with named blocks (0: the cache has nothing to do at a boundary). */
  readonly keyed: number;
  /** Cached blocks request `rid` would reuse now, if it had to compute `targetTokens` tokens. */
  lookup(rid: number, targetTokens: number): Hit;
  /**
   * Prompt tokens of `r` the cache holds now, as a request starting now would reuse them (whole
   * blocks from the first token, never the whole prompt). Read-only: no LRU order, reference count
   * or memo changes, so a router may ask every replica. The first `evicted` free blocks of the LRU
   * list count as gone (evictions one step at a time would have made by now in a decode run).
   */
  peek(r: Pick<Request, 'prefix' | 'promptTokens' | 'outputId'>, evicted?: number): number;
  /** Takes the hit's blocks for sequence i (just pushed with nothing computed); returns the cached tokens. */
  attach(i: number, rid: number, hit: Hit): number;
  /** Names the blocks of sequence i that filled since it was last called. */
  fill(i: number): void;
  /** Gives back sequence i's cached blocks, tail first (so its head block is evicted last). */
  release(i: number): void;
  /** Decode steps of sequence i before its next named block fills (Infinity if none will). */
  stepsToNextNamed(i: number): number;
  /** Forgets request `rid` (it ended). */
  forget(rid: number): void;
}

/** A keeper over a fresh cache of the replica's capacity. */
export function createPrefixKeeper(requests: readonly Request[], batch: RunningBatch, kv: KvBlocks, offload?: PrefixOffload): PrefixKeeper {
  const cache = new PrefixCache(kv.capacityBlocks);
  // Prefix offload: each GPU node's identity, so an evicted block can be found in the CPU tier.
  const identities = offload && new BlockIdentities();
  const gpuId: BlockIdentity[] = [];
  const cpuPath: BlockIdentity[] = [];
  if (offload) cache.onEvict = (node) => offload.tier.offload(gpuId[node]!);
  const named = (node: number, parent: number, key: BlockKey) => {
    if (identities) gpuId[node] = identities.of(parent === CACHE_ROOT ? NO_BLOCK : gpuId[parent]!, key, true)!;
  };
  const bs = kv.blockSize;
  const keysOf = new Map<number, readonly BlockKey[]>();
  const none: readonly BlockKey[] = [];
  const keys = (rid: number) => {
    if (requests[rid]!.prefix === undefined) return none; // most requests: no map traffic
    let k = keysOf.get(rid);
    if (k === undefined) {
      k = namedBlockKeys(requests[rid]!, bs);
      keysOf.set(rid, k);
    }
    return k;
  };
  const hit: Hit = { blocks: 0, freeBlocks: 0, cpuBlocks: 0 };
  const path: number[] = [];
  let lastRid = -1, lastTarget = -1, lastVersion = -1, lastTierVersion = -1;

  const keeper: PrefixKeeper & { keyed: number } = {
    cache,
    keyed: 0,
    lookup(rid, targetTokens) {
      if (requests[rid]!.prefix === undefined) {
        // Nothing nameable (most requests): no hit, whatever the cache holds. `hit` no longer
        // holds the last memoized lookup's result.
        lastRid = -1;
        hit.blocks = hit.freeBlocks = hit.cpuBlocks = 0;
        return hit;
      }
      const tierVersion = offload?.tier.version ?? -1;
      if (rid === lastRid && targetTokens === lastTarget && cache.version === lastVersion && tierVersion === lastTierVersion) return hit;
      lastRid = rid;
      lastTarget = targetTokens;
      lastVersion = cache.version;
      lastTierVersion = tierVersion;
      const k = keys(rid);
      const max = Math.min(k.length, Math.floor((targetTokens - 1) / bs));
      hit.blocks = hit.freeBlocks = hit.cpuBlocks = 0;
      path.length = 0;
      let node = CACHE_ROOT;
      while (hit.blocks < max) {
        node = cache.child(node, k[hit.blocks]!);
        if (node < 0) break;
        path.push(node);
        if (cache.isFree(node)) hit.freeBlocks++;
        hit.blocks++;
      }
      if (offload && hit.blocks < max) {
        // Where the GPU blocks end, the next ones may be in the CPU tier (each needs a free GPU block).
        cpuPath.length = 0;
        let parent = hit.blocks === 0 ? NO_BLOCK : gpuId[path[hit.blocks - 1]!]!;
        while (hit.blocks < max) {
          const id = identities!.of(parent, k[hit.blocks]!, false);
          if (id === undefined || !offload.tier.has(id)) break;
          cpuPath.push(id);
          parent = id;
          hit.blocks++;
          hit.freeBlocks++;
          hit.cpuBlocks++;
        }
      }
      return hit;
    },
    peek(r, evicted = 0) {
      if (r.prefix === undefined) return 0;
      const gone = evicted > 0 ? cache.leastRecentlyFreed(evicted) : undefined;
      const next = blockKeyCursor(r, bs, false);
      const max = Math.floor((r.promptTokens - 1) / bs);
      let node = CACHE_ROOT, blocks = 0;
      while (blocks < max) {
        const key = next();
        if (key === undefined) break;
        node = cache.child(node, key);
        if (node < 0 || gone?.has(node)) break;
        blocks++;
      }
      return blocks * bs;
    },
    attach(i, rid, h) {
      // `path` still holds the nodes of the last lookup, which was this request's.
      const k = keys(rid);
      if (k.length === 0) return 0;
      if (h !== hit || lastRid !== rid) throw new Error(`prefix cache: attach(${rid}) without its lookup`);
      const nodes = path.slice(0, h.blocks - h.cpuBlocks);
      for (const node of nodes) cache.acquire(node);
      if (h.cpuBlocks > 0) reload(nodes, k, h.cpuBlocks);
      batch.hold(i, nodes, k);
      keeper.keyed++;
      batch.computed[i] = h.blocks * bs;
      return h.blocks * bs;
    },
    fill(i) {
      const k = batch.keys[i];
      if (k === undefined) return;
      const nodes = batch.nodes[i]!;
      const full = Math.min(k.length, Math.floor(batch.computed[i]! / bs));
      while (nodes.length < full) {
        const parent = nodes.length === 0 ? CACHE_ROOT : nodes[nodes.length - 1]!;
        const key = k[nodes.length]!;
        let node = cache.child(parent, key);
        // Cached meanwhile by another sequence: share it (vLLM keeps the duplicate until the end).
        if (node >= 0) cache.acquire(node);
        else {
          node = cache.insert(parent, key);
          if (node >= 0) named(node, parent, key);
        }
        if (node < 0) break;
        nodes.push(node);
      }
    },
    release(i) {
      const nodes = batch.nodes[i];
      if (nodes === undefined) return;
      for (let j = nodes.length - 1; j >= 0; j--) cache.release(nodes[j]!);
      batch.drop(i);
      keeper.keyed--;
    },
    stepsToNextNamed(i) {
      const k = batch.keys[i];
      const next = batch.nodes[i]?.length ?? 0;
      if (k === undefined || next >= k.length) return Infinity;
      return Math.max(1, (next + 1) * bs - batch.computed[i]!);
    },
    forget(rid) {
      // Only requests with a prefix have keys; the map is empty without them (and the request's
      // object, cold by the time it ends, is not read).
      if (keysOf.size > 0) keysOf.delete(rid);
    },
  };
  /**
   * Takes the CPU-tier blocks of the last lookup back to the GPU after `nodes` (its GPU hits, just
   * acquired): out of the CPU tier first (so the evictions that make room cannot drop them), then
   * named in the GPU cache, the copy's time charged to the iteration being formed. The caller took
   * their blocks from the free pool (Hit.freeBlocks counts them).
   */
  function reload(nodes: number[], k: readonly BlockKey[], count: number): void {
    offload!.stall(offload!.tier.reload(cpuPath));
    cache.reclaim(kv.used - cache.inUse);
    for (let j = 0; j < count; j++) {
      const parent = nodes.length === 0 ? CACHE_ROOT : nodes[nodes.length - 1]!;
      const key = k[nodes.length]!;
      const node = cache.insert(parent, key);
      if (node < 0) throw new Error('prefix cache: no room to reload a block from the CPU tier');
      named(node, parent, key);
      nodes.push(node);
    }
  }

  return keeper;
}
