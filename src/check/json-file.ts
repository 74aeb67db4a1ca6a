import { InputError } from '../errors.js';
import { readTextFile } from '../util/yaml-file.js';

/**
 * Reads a JSON file with JSON.parse (a YAML parser would accept more than JSON and word its
 * errors as YAML ones); a syntax error becomes an InputError at its line and column.
 */
export function readJsonFile(file: string, what: string): unknown {
  const text = readTextFile(file, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
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
