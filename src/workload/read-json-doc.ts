import { InputError } from '../errors.js';

/** Parses a whole-file JSON trace; a syntax error names its line and column. */
export function parseJsonDocument(text: string, file: string, what: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    const message = (err as Error).message;
    const m = /position (\d+)/.exec(message);
    let line: number | undefined;
    let column: number | undefined;
    if (m) {
      const before = body.slice(0, Number(m[1]));
      line = before.split('\n').length;
      column = Number(m[1]) - before.lastIndexOf('\n');
    }
    throw new InputError({ file, line, column }, `expected ${what} (valid JSON), found a syntax error: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`);
  }
}
