import { InputError } from '../errors.js';
import { MAX_YAML_DEPTH } from '../limits.js';
import { readTextFile } from '../util/yaml-file.js';

/**
 * Reads a JSON file with JSON.parse (a YAML parser would accept more than JSON and word its
 * errors as YAML ones); a syntax error becomes an InputError at its line and column.
 */
export function readJsonFile(file: string, what: string): unknown {
  const text = readTextFile(file, what);
  try {
    const data = JSON.parse(text) as unknown;
    if (depthOf(data, MAX_YAML_DEPTH + 1) > MAX_YAML_DEPTH) throw new InputError({ file }, `expected objects and arrays nested at most ${MAX_YAML_DEPTH} deep, found deeper`);
    return data;
  } catch (err) {
    if (err instanceof InputError) throw err;
    if (err instanceof RangeError) throw new InputError({ file }, `expected objects and arrays nested at most ${MAX_YAML_DEPTH} deep, found nesting too deep to parse`);
    if (!(err instanceof SyntaxError)) throw err;
    // V8 says "... in JSON at position N" (Node 22 adds "(line L column C)"); the end of input has no position.
    const at = /at position (\d+)/.exec(err.message);
    const offset = at ? Number(at[1]) : text.length;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    const why = err.message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
    throw new InputError({ file, line, column }, `expected valid JSON, found a syntax error: ${why}`);
  }
}

/** Nesting depth of `v` (a scalar is 0), counting no further than `stop`. */
function depthOf(v: unknown, stop: number): number {
  if (v === null || typeof v !== 'object' || stop === 0) return 0;
  let most = 0;
  for (const x of Array.isArray(v) ? v : Object.values(v)) most = Math.max(most, depthOf(x, stop - 1));
  return most + 1;
}
