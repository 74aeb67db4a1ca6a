import { InputError, describeValue } from '../errors.js';
import type { CellPlace } from './cells.js';
import type { PrefixSegment } from './request.js';
import type { SegmentBook } from './segment-book.js';

const LABEL = /^[A-Za-z0-9_.-]+$/;
const TOKENS = /^[0-9]+$/;

/**
 * Parses the native format's `prefix` cell: segments separated by spaces, each `label:tokens`
 * (label: letters, digits, `_`, `-`, `.`; tokens: a whole number >= 1), e.g.
 * `sys3:128 user3-7:64`. The book turns labels into ids (in order of first appearance) and checks
 * that a label always has the same token count. An empty cell is no prefix (undefined); segments
 * adding up to more than the prompt are an error.
 */
export function parsePrefixCell(cell: string, promptTokens: number, place: CellPlace, book: SegmentBook<string>): PrefixSegment[] | undefined {
  const text = cell.trim();
  if (text === '') return undefined;
  const parts = text.split(/\s+/);
  const out: PrefixSegment[] = new Array(parts.length);
  let sum = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const colon = part.indexOf(':');
    if (colon === -1) throw new InputError(place, `expected segments label:tokens separated by spaces, found ${describeValue(part)}`);
    const label = part.slice(0, colon);
    const count = part.slice(colon + 1);
    if (!LABEL.test(label)) throw new InputError(place, `expected a label of letters, digits, _, - and . before ":", found ${describeValue(label)}`);
    const tokens = Number(count);
    if (!TOKENS.test(count) || tokens < 1) throw new InputError(place, `expected a whole number of tokens >= 1 after "${label}:", found ${describeValue(count)}`);
    sum += tokens;
    out[i] = book(label, tokens, place, `segment "${label}"`);
  }
  if (sum > promptTokens) throw new InputError(place, `expected segments adding up to at most prompt_tokens (${promptTokens}), found ${sum} tokens`);
  return out;
}
