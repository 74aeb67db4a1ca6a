/**
 * KV-cache blocks of one replica, counted. With prefix caching, named blocks also live in the
 * PrefixCache and `used` counts a block shared by several sequences once (batching/prefix.ts); free
 * cached blocks count as free (they are evicted on demand). A sequence holds ceil((computed + lookahead) / blockSize) blocks once it has computed anything:
 * vLLM holds exactly its computed tokens (lookahead 0); llmsim's legacy scheduler also reserves the
 * slot of the token being generated (lookahead 1).
 */
export interface KvBlocks {
  readonly blockSize: number;
  readonly capacityBlocks: number;
  readonly lookahead: number;
  /** Blocks in use now (kept in step by the device; cached blocks shared by sequences counted once). */
  used: number;
  /** Largest `used` seen at an iteration's end. */
  peak: number;
  /** Blocks a sequence holds with `computed` tokens in the cache (0 before its first chunk). */
  held(computed: number): number;
  /** Blocks a sequence needs to add to compute `tokens` more. */
  growth(computed: number, tokens: number): number;
  /** Blocks free now. */
  free(): number;
  /** True when a sequence with `computed` (>= 1) tokens has filled its last block: its next token takes a new one. */
  endsBlock(computed: number): boolean;
}

/** A block counter for `capacityTokens` (Infinity = unbounded) in blocks of `blockSize` tokens. */
export function createKvBlocks(capacityTokens: number, blockSize: number, lookahead: number): KvBlocks {
  // A power-of-two block size (the default 16) divides by a shift: the same integers for the
  // token counts of a sequence (far below 2^31), without a float division on the hot path.
  const ceilDiv = (computed: number) => Math.ceil((computed + lookahead) / blockSize);
  const shift = 31 - Math.clz32(blockSize);
  const round = blockSize - 1 + lookahead;
  const held =
    blockSize === 2 ** shift
      ? (computed: number) => (computed > 0 ? (computed < 0x40000000 ? (computed + round) >>> shift : ceilDiv(computed)) : 0)
      : (computed: number) => (computed > 0 ? ceilDiv(computed) : 0);
  const kv: KvBlocks = {
    blockSize,
    capacityBlocks: Math.floor(capacityTokens / blockSize),
    lookahead,
    used: 0,
    peak: 0,
    held,
    growth: (computed, tokens) => held(computed + tokens) - held(computed),
    free: () => kv.capacityBlocks - kv.used,
    // A mask for power-of-two sizes: the same test as the remainder for non-negative counts.
    endsBlock: blockSize === 2 ** shift ? (computed) => ((computed + lookahead) & (blockSize - 1)) === 0 : (computed) => (computed + lookahead) % blockSize === 0,
  };
  return kv;
}
