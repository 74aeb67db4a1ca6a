/** A JSON leaf: what summaries are made of. */
export type Leaf = number | string | boolean | null;

/**
 * Flattens JSON into leaf paths in document order: `latency.e2eS.p99`, `devices[0].utilization`.
 * Empty objects and lists are leaves of their own (`[]`, `{}` as text) so that a list shrinking
 * to nothing still shows. With `lists: false`, lists are skipped entirely (per-replica rows do
 * not make columns).
 */
export function flattenJson(value: unknown, opts: { lists?: boolean } = {}): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const lists = opts.lists ?? true;
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      if (!lists) return;
      if (v.length === 0) out.set(path, '[]');
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0 && path !== '') out.set(path, '{}');
      for (const [k, x] of entries) walk(x, path === '' ? k : `${path}.${k}`);
    } else if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
      out.set(path, v);
    }
  };
  walk(value, '');
  return out;
}
