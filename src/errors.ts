/**
 * A problem the user can fix (bad file, bad field, bad flag). The CLI prints it as one line,
 * `file:line:col: field: message`, and exits with code 2. Broken invariants throw plain Errors.
 */
export interface InputLocation {
  /** File the problem is in, as the user named it. */
  file?: string;
  /** 1-based line (or CSV row counted as a file line). */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** Dotted field path, e.g. `cluster.devices[0].replicas`. */
  field?: string;
}

export class InputError extends Error {
  readonly location: InputLocation;
  /** The message without its location: what was expected and what was found. */
  readonly detail: string;

  /** `message` should say what was expected and what was found; `options.cause` keeps the error behind it. */
  constructor(location: InputLocation, message: string, options?: ErrorOptions) {
    super(formatInputError(location, message), options);
    this.name = 'InputError';
    this.location = location;
    this.detail = message;
  }
}

/** Formats a location and message as the single line users see. */
export function formatInputError(loc: InputLocation, message: string): string {
  let where = loc.file ?? '';
  if (loc.line !== undefined) where += `${where ? ':' : 'line '}${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) where += `:${loc.column}`;
  const parts = [where, loc.field].filter((p): p is string => !!p);
  return parts.length > 0 ? `${parts.join(': ')}: ${message}` : message;
}

/** Describes a value for "found ..." in error messages: short, quoted strings, type names. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'an empty string' : JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
