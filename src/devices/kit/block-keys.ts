import type { Request } from '../../workload/request.js';
import type { BlockKey } from './prefix-cache.js';

const OFFSET_SPACE = 2 ** 21; // tokens into a segment that a numeric key can address (2M)

/**
 * Content keys of a request's full blocks whose tokens are all named, in order: the prompt's
 * prefix segments and, when they name the whole prompt, its output (`outputId`). The list stops at
 * the first block holding an unnamed token. A block inside one segment gets the number
 * `id * 2^21 + offset`; a block spanning segments a string naming each piece (`id:offset+tokens;`).
 */
export function namedBlockKeys(r: Request, blockSize: number): BlockKey[] {
  const keys: BlockKey[] = [];
  const next = blockKeyCursor(r, blockSize, true);
  for (let k = next(); k !== undefined; k = next()) keys.push(k);
  return keys;
}

/**
 * The same keys one at a time (undefined after the last), so a reader that stops at the first
 * miss computes no more than it reads. `withOutput: false` keeps to the prompt's segments (a
 * router's lookup: it never needs the output, nor reads its true length).
 */
export function blockKeyCursor(r: Pick<Request, 'prefix' | 'promptTokens' | 'outputId'> & { outputTokens?: number }, blockSize: number, withOutput: boolean): () => BlockKey | undefined {
  const segs = r.prefix;
  if (!segs || segs.length === 0) return () => undefined;
  const pieces = [...segs];
  if (withOutput && segs.reduce((a, s) => a + s.tokens, 0) === r.promptTokens && r.outputId !== undefined) pieces.push({ id: r.outputId, tokens: r.outputTokens! });
  let seg = 0, offset = 0; // the next token is `offset` tokens into pieces[seg]
  return () => {
    const start = { seg, offset };
    let need = blockSize, text = '';
    while (need > 0 && seg < pieces.length) {
      const p = pieces[seg]!;
      const take = Math.min(need, p.tokens - offset);
      text += `${p.id}:${offset}+${take};`;
      need -= take;
      offset += take;
      if (offset === p.tokens) (seg++, (offset = 0));
    }
    if (need > 0) return undefined;
    const first = pieces[start.seg]!;
    // A number only while id * 2^21 + offset is exact (ids below 2^32); else the string, never a collision.
    const inOne = first.tokens - start.offset >= blockSize && start.offset < OFFSET_SPACE && first.id >= 0 && first.id < 2 ** 32;
    return inOne ? first.id * OFFSET_SPACE + start.offset : text;
  };
}
