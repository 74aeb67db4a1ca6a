import { InputError, describeValue } from '../errors.js';
import type { CellPlace } from './cells.js';
import type { PrefixSegment } from './request.js';
import type { SegmentBook } from './segment-book.js';

/** Tokens per Mooncake hash block (the trace's `hash_ids` name 512-token blocks). */
export const MOONCAKE_BLOCK_TOKENS = 512;

/**
 * Mooncake's `hash_ids` as prefix segments: hash id k names prompt tokens
 * [512k, min(512(k+1), input_length)), so every segment has 512 tokens except the last, which
 * covers the rest of the prompt. With more tokens than the ids cover (input_length > 512n) the
 * segments cover the first 512n tokens and the rest counts as unique. More ids than blocks
 * (512(n-1) >= input_length) is an error, as is anything but a list of whole numbers >= 0.
 * The hash ids are the segment ids as they stand: they already name block contents across the
 * trace, and a workload holds one trace, so no other source's ids can collide with them.
 */
export function hashIdsToPrefix(value: unknown, inputLength: number, place: CellPlace, book: SegmentBook<number>): PrefixSegment[] {
  const B = MOONCAKE_BLOCK_TOKENS;
  if (!Array.isArray(value)) throw new InputError(place, `expected a list of hash ids (whole numbers >= 0), found ${describeValue(value)}`);
  const n = value.length;
  if (n > 0 && B * (n - 1) >= inputLength) {
    throw new InputError(place, `expected at most ceil(input_length / ${B}) = ${Math.ceil(inputLength / B)} hash ids (${B}-token blocks) for input_length ${inputLength}, found ${n}`);
  }
  const out: PrefixSegment[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const id: unknown = value[k];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new InputError(place, `expected a list of hash ids (whole numbers >= 0), found ${describeValue(id)} at index ${k}`);
    }
    const tokens = Math.min(B, inputLength - B * k);
    out[k] = book(id, tokens, place, `hash id ${id}`, tokens < B ? ` (the last block of input_length ${inputLength})` : '');
  }
  return out;
}
