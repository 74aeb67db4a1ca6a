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

/**
 * A block counter for `capacityTokens` (Infinity = unbounded) in blocks of `blockSize` tokens.
 * A class, not a closure per method: the batching loops call held() and endsBlock() for every
 * sequence at every boundary, and with many replicas a closure's captured constants were reloaded
 * (and checked) at each call; fields of one hidden class are plain loads.
 */
class KvBlockCounter implements KvBlocks {
  used = 0;
  peak = 0;
  readonly capacityBlocks: number;
  /** log2(blockSize) for a power-of-two size (the default 16), else -1. */
  private readonly shift: number;
  /** blockSize - 1 + lookahead: held() rounds up by adding it before the shift. */
  private readonly round: number;

  constructor(
    capacityTokens: number,
    readonly blockSize: number,
    readonly lookahead: number,
  ) {
    this.capacityBlocks = Math.floor(capacityTokens / blockSize);
    const shift = 31 - Math.clz32(blockSize);
    this.shift = blockSize === 2 ** shift ? shift : -1;
    this.round = blockSize - 1 + lookahead;
  }

  held(computed: number): number {
    if (!(computed > 0)) return 0;
    // A power-of-two size divides by a shift: the same integers for the token counts of a sequence
    // (far below 2^31), without a float division on the hot path.
    if (this.shift >= 0 && computed < 0x40000000) return (computed + this.round) >>> this.shift;
    return Math.ceil((computed + this.lookahead) / this.blockSize);
  }

  growth(computed: number, tokens: number): number {
    return this.held(computed + tokens) - this.held(computed);
  }

  free(): number {
    return this.capacityBlocks - this.used;
  }

  endsBlock(computed: number): boolean {
    // A mask for power-of-two sizes: the same test as the remainder for non-negative counts.
    if (this.shift >= 0) return ((computed + this.lookahead) & (this.blockSize - 1)) === 0;
    return (computed + this.lookahead) % this.blockSize === 0;
  }
}

/** A block counter for `capacityTokens` (Infinity = unbounded) in blocks of `blockSize` tokens. */
export function createKvBlocks(capacityTokens: number, blockSize: number, lookahead: number): KvBlocks {
  return new KvBlockCounter(capacityTokens, blockSize, lookahead);
}
