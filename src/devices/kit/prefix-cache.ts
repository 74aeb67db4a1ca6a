/**
 * The prefix cache of one replica's KV blocks (vLLM's automatic prefix caching, SGLang's radix
 * cache): a full block whose tokens are named (Request.prefix segments, or a named output) is
 * kept under its identity - its content and, through its parent, everything before it - so a later
 * sequence with the same leading tokens reuses it instead of computing it again.
 *
 * Blocks are of two sorts. Named blocks are nodes of a trie (identity = path from the root), with a
 * reference count: in use while a running sequence holds them, else free but cached, in an LRU
 * list, until space is needed. Anonymous blocks (unnamed content, or a sequence's partial last
 * block) are only counted, by the device. The pool never holds more than `capacityBlocks`: when
 * anonymous and in-use blocks need room, free cached blocks are evicted, least recently freed first.
 */

import { IndexLru, NONE as LRU_END } from './index-lru.js';

/** A block's content: `id * 2^21 + offset` within one segment, or a string when it spans several. */
export type BlockKey = number | string;

const ROOT = -1;
const NONE = -2;

/** Trie of named blocks with reference counts and an LRU of the free ones. */
export class PrefixCache {
  /** Evictions so far (free cached blocks reclaimed for other content). */
  evictions = 0;
  /** Named blocks in use (reference count > 0). */
  inUse = 0;
  /** Named blocks free but cached (in the LRU list). */
  cachedFree = 0;
  /** Largest number of named blocks held at once. */
  peakNamed = 0;
  /** Bumped by every change, so a lookup can be reused until the cache changes. */
  version = 0;
  /** Called with each block about to be evicted (KV tiers: it moves to the CPU tier). */
  onEvict?: (node: number) => void;
  // Node columns, grown by doubling (a cache rarely names as many blocks as the capacity).
  private refs = new Int32Array(0);
  private parent = new Int32Array(0);
  private readonly keys: BlockKey[] = [];
  private readonly children: (Map<BlockKey, number> | undefined)[] = [];
  private readonly rootChildren = new Map<BlockKey, number>();
  private readonly spare: number[] = [];
  private slots = 0;
  private readonly lru = new IndexLru(); // free cached nodes, least recently freed first

  constructor(readonly capacityBlocks: number) {}

  /** Named blocks held in the pool (in use or cached). */
  get named(): number {
    return this.inUse + this.cachedFree;
  }

  /** The child of `node` (ROOT for the first block) with this content, or -1. */
  child(node: number, key: BlockKey): number {
    const map = node === ROOT ? this.rootChildren : this.children[node];
    return map?.get(key) ?? -1;
  }

  /** True when `node` is free (cached, evictable): acquiring it takes a block from the free pool. */
  isFree(node: number): boolean {
    return this.refs[node] === 0;
  }

  /** Takes a reference on `node` (a hit, or a block the caller just inserted). */
  acquire(node: number): void {
    this.version++;
    if (this.refs[node]++ === 0) {
      this.lru.unlink(node);
      this.cachedFree--;
      this.inUse++;
    }
  }

  /** Drops a reference; at zero the block stays cached, most recently freed. */
  release(node: number): void {
    this.version++;
    if (--this.refs[node]! === 0) {
      this.inUse--;
      this.cachedFree++;
      this.lru.append(node);
    } else if (this.refs[node]! < 0) throw new Error(`prefix cache: block ${node} released more often than acquired`);
  }

  /**
   * Names a full block under `parentNode` and takes a reference on it. Returns the new node, or -1
   * when that content is cached already (the caller keeps its own copy anonymous, as vLLM keeps a
   * duplicate block) or no slot is left. The caller made room first (`reclaim`).
   */
  insert(parentNode: number, key: BlockKey): number {
    const map = parentNode === ROOT ? this.rootChildren : (this.children[parentNode] ??= new Map());
    if (map.has(key) || this.named >= this.capacityBlocks) return -1;
    const node = this.spare.length > 0 ? this.spare.pop()! : this.newSlot();
    this.version++;
    map.set(key, node);
    this.parent[node] = parentNode;
    this.keys[node] = key;
    this.refs[node] = 1;
    this.inUse++;
    if (this.named > this.peakNamed) this.peakNamed = this.named;
    return node;
  }

  /**
   * Evicts free cached blocks, least recently freed first, until `otherBlocks` (anonymous blocks
   * in use) plus the named ones fit the capacity.
   */
  reclaim(otherBlocks: number): void {
    while (otherBlocks + this.named > this.capacityBlocks && this.lru.head !== LRU_END) this.evict(this.lru.head);
  }

  /** The first `n` free blocks of the LRU list, least recently freed first (read-only). */
  leastRecentlyFreed(n: number): Set<number> {
    const out = new Set<number>();
    for (let node = this.lru.head; node !== LRU_END && out.size < n; node = this.lru.next(node)) out.add(node);
    return out;
  }

  /** Reference count of a node (tests and invariant checks). */
  refCount(node: number): number {
    return this.refs[node]!;
  }

  private newSlot(): number {
    if (this.slots === this.refs.length) {
      const n = Math.max(256, this.refs.length * 2);
      const grow = (a: Int32Array) => {
        const b = new Int32Array(n);
        b.set(a);
        return b;
      };
      this.refs = grow(this.refs);
      this.parent = grow(this.parent);
    }
    return this.slots++;
  }

  private evict(node: number): void {
    this.onEvict?.(node);
    this.version++;
    this.lru.unlink(node);
    this.cachedFree--;
    this.evictions++;
    const p = this.parent[node]!;
    const map = p === ROOT ? this.rootChildren : this.children[p];
    // Its children stay cached but unreachable (as in vLLM's hash table once a parent is gone).
    if (map?.get(this.keys[node]!) === node) map.delete(this.keys[node]!);
    const kids = this.children[node];
    if (kids) for (const c of kids.values()) this.parent[c] = NONE;
    this.children[node] = undefined;
    this.spare.push(node);
  }
}

/** The trie's root: the parent of every first block. */
export const CACHE_ROOT = ROOT;
