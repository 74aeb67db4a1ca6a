import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isScalar, type Document, type Node } from 'yaml';
import { InputError } from '../errors.js';

/** A parsed YAML (or JSON) file that can say on which line any value stands. */
export interface SourceDoc {
  readonly file: string;
  readonly data: unknown;
  /** 1-based line and column of the value at `path`, or of the nearest ancestor that exists. */
  locate(path: readonly PropertyKey[], key?: string): { line: number; column: number } | undefined;
}

/** Reads a file's text, turning a missing or unreadable file into an InputError. */
export function readTextFile(file: string, what = 'file'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : `error ${code ?? String(err)}`;
    throw new InputError({ file }, `expected a readable ${what}, found ${found}`);
  }
}

/** Parses YAML text (JSON is YAML too); a syntax error becomes an InputError with line:col. */
export function parseYaml(text: string, file: string): SourceDoc {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError({ file, line: pos?.line, column: pos?.col }, `invalid YAML: ${message}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
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
