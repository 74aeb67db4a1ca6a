import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isAlias, isMap, isScalar, visit, type Document, type Node } from 'yaml';
import { InputError } from '../errors.js';
import { MAX_YAML_ALIASES, MAX_YAML_DEPTH } from '../limits.js';

/** A parsed YAML (or JSON) file that can say on which line any value stands. */
export interface SourceDoc {
  readonly file: string;
  readonly data: unknown;
  /** 1-based line and column of the value at `path`, or of the nearest ancestor that exists. */
  locate(path: readonly PropertyKey[], key?: string): { line: number; column: number } | undefined;
}

/**
 * Reads a file's text, turning a missing or unreadable file into an InputError. The text must be
 * UTF-8: bytes that are not (a Latin-1 export, a binary file) are an InputError naming the line of
 * the first bad byte, rather than U+FFFD characters that would turn up later as odd cells. A UTF-8
 * byte order mark is dropped.
 */
export function readTextFile(file: string, what = 'file'): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code === 'EACCES' ? 'no permission to read it' : code === 'ELOOP' ? 'a symbolic link loop' : `error ${code ?? String(err)}`;
    throw new InputError({ file }, `expected a readable ${what}, found ${found}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    if (!(err instanceof TypeError)) throw new InputError({ file }, `expected a ${what} small enough to read as text, found ${bytes.length} bytes`);
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) (line++, (lineStart = i + 1));
    throw new InputError({ file, line, column: at - lineStart + 1 }, `expected UTF-8 text, found the byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} (not UTF-8; re-save the file as UTF-8)`);
  }
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (bytes.length if none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Length and the allowed range of the second byte (no overlongs, no surrogates, <= U+10FFFF).
    let n: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) (n = 2), b === 0xe0 ? (lo = 0xa0) : b === 0xed ? (hi = 0x9f) : 0;
    else if (b >= 0xf0 && b <= 0xf4) (n = 3), b === 0xf0 ? (lo = 0x90) : b === 0xf4 ? (hi = 0x8f) : 0;
    else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return bytes.length;
}

/**
 * Parses YAML text (JSON is YAML too); a syntax error, a repeated key, nesting deeper than
 * MAX_YAML_DEPTH or aliases expanding to more than MAX_YAML_ALIASES nodes (a "billion laughs"
 * file) becomes an InputError with line:col.
 */
export function parseYaml(text: string, file: string): SourceDoc {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const at = (offset: number | undefined) => (offset === undefined ? {} : { line: lineCounter.linePos(offset).line, column: lineCounter.linePos(offset).col });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    // The parser recurses per level: a file nested thousands deep exhausts its stack.
    if (/call stack/i.test(message)) throw new InputError({ file, line: pos?.line, column: pos?.col }, `expected mappings and lists nested at most ${MAX_YAML_DEPTH} deep, found nesting too deep to parse`);
    throw new InputError({ file, line: pos?.line, column: pos?.col }, `expected valid YAML, found invalid YAML: ${message}`);
  }
  checkDepth(doc, file, at);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (!(err instanceof ReferenceError) || !/alias/i.test(err.message)) throw err;
    let offset: number | undefined;
    if (!/excessive/i.test(err.message)) {
      // An alias whose anchor is not defined before it.
      visit(doc, { Alias: (_key, node) => (node.resolve(doc) === undefined ? ((offset = node.range?.[0]), visit.BREAK) : undefined) });
      throw new InputError({ file, ...at(offset) }, `expected an anchor (&name) defined before its alias, found ${err.message}`);
    }
    visit(doc, { Alias: (_key, node) => ((offset = node.range?.[0]), visit.BREAK) });
    throw new InputError({ file, ...at(offset) }, `expected aliases (*name) that expand to at most ${MAX_YAML_ALIASES} nodes, found more (an alias bomb?)`);
  }
  return {
    file,
    data,
    locate(path, key) {
      const node = nearestNode(doc, path, key);
      const offset = node?.range?.[0];
      if (offset === undefined) return undefined;
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    },
  };
}

/** Refuses mappings and lists nested deeper than MAX_YAML_DEPTH (aliases count as leaves here). */
function checkDepth(doc: Document, file: string, at: (offset: number | undefined) => { line?: number; column?: number }): void {
  const walk = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== 'object' || isAlias(node) || !('items' in node)) return;
    if (depth > MAX_YAML_DEPTH) throw new InputError({ file, ...at((node as Node).range?.[0]) }, `expected mappings and lists nested at most ${MAX_YAML_DEPTH} deep, found deeper`);
    for (const item of (node as { items: unknown[] }).items) {
      if (item !== null && typeof item === 'object' && 'value' in item && 'key' in item) {
        walk((item as { key: unknown }).key, depth + 1);
        walk((item as { value: unknown }).value, depth + 1);
      } else walk(item, depth + 1);
    }
  };
  walk(doc.contents, 1);
}

/** Reads and parses a YAML/JSON file. */
export function loadYamlFile(file: string, what = 'YAML file'): SourceDoc {
  return parseYaml(readTextFile(file, what), file);
}

function nearestNode(doc: Document, path: readonly PropertyKey[], key?: string): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as Node | undefined;
    if (node === undefined || node === null) continue;
    if (n === path.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair && isScalar(pair.key)) return pair.key;
    }
    if (typeof node === 'object' && 'range' in node) return node;
  }
  return undefined;
}
