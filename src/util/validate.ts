import { z } from 'zod';
import { InputError, describeValue } from '../errors.js';
import type { SourceDoc } from './yaml-file.js';

// zod compiles each object schema to a function on its first parse; llmsim parses a scenario and
// its profiles once per run, where compiling costs more than it saves.
z.config({ jitless: true });

/** Formats a zod path as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/**
 * Validates `data` against `schema`; on failure throws one InputError naming the file, the line of
 * the offending value, its field path, what was expected and what was found. Unknown keys are
 * reported first, with the closest known key suggested, since a typo also causes a "missing" issue.
 */
export function validate<S extends z.ZodType>(schema: S, data: unknown, source?: SourceDoc, prefix: PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = [...result.error.issues].sort((a, b) => rank(a) - rank(b));
  const issue = issues[0]!;
  throw issueToError(schema, data, issue, source, prefix);
}

function rank(issue: z.core.$ZodIssue): number {
  // zod's implicit safe-integer bound of .int() says less than a schema's own maximum.
  if (issue.code === 'too_big' && issue.maximum === Number.MAX_SAFE_INTEGER) return 2;
  return issue.code === 'unrecognized_keys' ? 0 : 1;
}

function issueToError(schema: z.ZodType, data: unknown, issue: z.core.$ZodIssue, source: SourceDoc | undefined, prefix: PropertyKey[]): InputError {
  const path = [...prefix, ...issue.path];
  const found = valueAt(data, issue.path);
  let field = formatPath(path);
  let message: string;
  let key: string | undefined;
  switch (issue.code) {
    case 'unrecognized_keys': {
      key = issue.keys[0]!;
      field = formatPath([...path, key]);
      const known = knownKeys(schema, data, issue.path);
      const best = closest(key, known);
      message = `unknown key${best ? ` (did you mean "${best}"?)` : ''}; expected one of: ${known.join(', ') || '(none)'}, found ${describeValue(key)}`;
      break;
    }
    case 'invalid_type':
      message = found === undefined ? `missing required field (expected ${issue.expected}, found nothing)` : `expected ${issue.expected}, found ${describeValue(found)}`;
      break;
    case 'invalid_value':
      message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describeValue(found)}`;
      break;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        message = `expected ${issue.discriminator} to be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, found ${describeValue(found)}`;
      } else {
        // The branch that got furthest into the value says best what is wrong (e.g. a mapping
        // whose one field has the wrong type); else list what each branch expected.
        const nested = (issue.errors ?? []).flat().sort((a, b) => b.path.length - a.path.length)[0];
        if (nested && nested.path.length > 0) return issueToError(schema, data, { ...nested, path: [...issue.path, ...nested.path] } as z.core.$ZodIssue, source, prefix);
        const kinds = [...new Set((issue.errors ?? []).flat().map((e) => (e.code === 'invalid_type' ? e.expected : undefined)).filter((k) => k !== undefined))];
        message = `expected ${kinds.length > 0 ? kinds.join(' or ') : 'another form'}, found ${describeValue(found)}`;
      }
      break;
    case 'too_small':
      message = `expected ${issue.origin === 'array' ? 'at least ' + String(issue.minimum) + ' item(s)' : (issue.inclusive ? '>= ' : '> ') + String(issue.minimum)}, found ${issue.origin === 'array' ? `${(found as unknown[]).length}` : describeValue(found)}`;
      break;
    case 'too_big':
      message = `expected ${issue.origin === 'array' ? 'at most ' + String(issue.maximum) + ' item(s)' : (issue.inclusive ? '<= ' : '< ') + String(issue.maximum)}, found ${issue.origin === 'array' ? `${(found as unknown[]).length}` : describeValue(found)}`;
      break;
    default:
      // Custom checks on a whole mapping explain themselves; "found a mapping" would add nothing.
      message =
        found !== null && typeof found === 'object'
          ? issue.message.includes('found')
            ? issue.message
            : `${issue.message}, found ${Array.isArray(found) ? `a list of ${found.length}` : `a mapping with ${Object.keys(found).join(', ') || 'no keys'}`}`
          : `${issue.message}, found ${describeValue(found)}`;
  }
  const pos = source?.locate(path, key);
  return new InputError({ file: source?.file, line: pos?.line, column: pos?.column, field: field || undefined }, message);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Keys the schema accepts at `path`, walking objects, arrays, wrappers and discriminated unions. */
function knownKeys(schema: z.ZodType, data: unknown, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  let d: unknown = data;
  for (let i = 0; ; i++) {
    s = unwrap(s, d);
    if (!s) return [];
    if (i === path.length) break;
    const p = path[i]!;
    const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === 'object') s = (def.shape as Record<string, z.ZodType>)[String(p)];
    else if (def.type === 'array') s = def.element as z.ZodType;
    else if (def.type === 'record') s = def.valueType as z.ZodType;
    else return [];
    d = valueAt(d, [p]);
  }
  const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

function unwrap(s: z.ZodType | undefined, data: unknown): z.ZodType | undefined {
  for (let guard = 0; s && guard < 20; guard++) {
    const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'readonly' || def.type === 'catch') s = def.innerType as z.ZodType;
    else if (def.type === 'pipe') s = def.in as z.ZodType;
    else if (def.type === 'lazy') s = (def.getter as () => z.ZodType)();
    else if (def.type === 'union') {
      const options = def.options as z.ZodType[];
      const disc = def.discriminator as string | undefined;
      const value = disc && data && typeof data === 'object' ? (data as Record<string, unknown>)[disc] : undefined;
      const match = options.find((o) => {
        const od = (unwrap(o, data) as unknown as { _zod: { def: Record<string, unknown> } } | undefined)?._zod.def;
        if (!od || od.type !== 'object') return false;
        if (!disc) return true;
        const lit = (od.shape as Record<string, { _zod: { def: { values?: unknown[] } } }>)[disc]?._zod.def.values;
        return lit?.includes(value) ?? false;
      });
      s = match;
      if (!match) return undefined;
    } else return s;
  }
  return s;
}

/** The candidate closest to `word` by edit distance, if close enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Levenshtein distance (insertions, deletions and substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * YAML's `.nan` and `.inf` parse to numbers that schemas would report vaguely; reject them first,
 * naming the field and line.
 */
export function rejectNonFinite(source: SourceDoc, value: unknown = source.data, path: PropertyKey[] = []): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    const pos = source.locate(path);
    throw new InputError({ file: source.file, line: pos?.line, column: pos?.column, field: formatPath(path) || undefined }, `expected a finite number, found ${String(value)}`);
  }
  if (Array.isArray(value)) value.forEach((v, i) => rejectNonFinite(source, v, [...path, i]));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) rejectNonFinite(source, v, [...path, k]);
}

/** An InputError pointing at the field at `path` of a source file (with its line, when known). */
export function errorAt(source: SourceDoc | undefined, file: string | undefined, path: readonly PropertyKey[], message: string): InputError {
  const pos = source?.locate(path);
  return new InputError({ file: file ?? source?.file, line: pos?.line, column: pos?.column, field: formatPath(path) || undefined }, message);
}
