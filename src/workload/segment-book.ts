import { InputError } from '../errors.js';
import type { CellPlace } from './cells.js';
import type { PrefixSegment } from './request.js';

/**
 * Hands out the prefix segment a trace names by `key`, creating it (with id `newId(key, count of
 * keys seen before)`) on first sight and returning the same object afterwards, so a million
 * requests that share a system prompt share one segment. A key seen again with another token
 * count is an InputError naming both lines: equal ids must mean equal tokens, or a prefix cache
 * would match different text. `what` names the key in that message, e.g. `segment "sys3"`.
 */
export type SegmentBook<K> = (key: K, tokens: number, place: CellPlace, what: string, note?: string) => PrefixSegment;

/** A SegmentBook for one workload (one trace file). */
export function createSegmentBook<K>(newId: (key: K, seen: number) => number): SegmentBook<K> {
  const seen = new Map<K, { segment: PrefixSegment; line: number | undefined }>();
  return (key, tokens, place, what, note = '') => {
    const known = seen.get(key);
    if (known === undefined) {
      const segment: PrefixSegment = { id: newId(key, seen.size), tokens };
      seen.set(key, { segment, line: place.line });
      return segment;
    }
    if (known.segment.tokens !== tokens) {
      const first = known.line !== undefined ? ` as on line ${known.line}` : '';
      throw new InputError(place, `expected ${what} to have ${known.segment.tokens} tokens${first}, found ${tokens}${note}`);
    }
    return known.segment;
  };
}
