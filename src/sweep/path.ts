/**
 * Field paths into raw scenario data (`cluster.devices[0].replicas`), and setting a value at one
 * without touching the original: a sweep builds each grid point from the same parsed file.
 */

/** Splits `a.b[0].c` into ['a', 'b', 0, 'c']. The text must match FIELD_PATH (the schema checks). */
export function parseFieldPath(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of text.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`parseFieldPath: malformed path "${text}"`);
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Why a value could not be set at a path; `at` is the prefix that failed. */
export class PathError extends Error {
  constructor(readonly at: readonly (string | number)[], message: string) {
    super(message);
  }
}

/**
 * Returns a copy of `data` with `value` at `path`. Only the mappings and lists along the path are
 * copied (the rest is shared, and never mutated). Missing mapping keys are created, since a field
 * left to its default (e.g. `policy.params`) is absent from the file; a list index must exist.
 */
export function setAtPath(data: unknown, path: readonly (string | number)[], value: unknown, depth = 0): unknown {
  if (depth === path.length) return value;
  const key = path[depth]!;
  const here = path.slice(0, depth);
  if (typeof key === 'number') {
    if (!Array.isArray(data)) throw new PathError(here, `expected a list to index with [${key}], found ${kind(data)}`);
    if (key >= data.length) throw new PathError(here, `expected an index below ${data.length} (the list's length), found [${key}]`);
    const copy = data.slice();
    copy[key] = setAtPath(data[key], path, value, depth + 1);
    return copy;
  }
  if (data === undefined || data === null) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new PathError(here, `expected a mapping to hold "${key}", found ${kind(data)}`);
  return { ...(data as Record<string, unknown>), [key]: setAtPath((data as Record<string, unknown>)[key], path, value, depth + 1) };
}

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null || v === undefined) return 'nothing';
  return typeof v === 'object' ? 'a mapping' : `the ${typeof v} ${JSON.stringify(v)}`;
}
