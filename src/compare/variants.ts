import { parse } from 'yaml';
import { InputError } from '../errors.js';
import { policies } from '../policies/registry.js';
import type { Scenario } from '../scenario/schema.js';

/** One policy configuration to compare. */
export interface PolicyVariant {
  /** As the user wrote it (or as derived), e.g. `fifo:routing=least-loaded`; names the table column and results directory. */
  readonly label: string;
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * Parses `--policies a,b:key=value:key2=value2`: comma-separated policies, each a registered name
 * with optional `:key=value` parameters (values read as YAML scalars, so 3 is a number and true a
 * boolean). Without the flag: the scenario's own policy first, then every other registered policy
 * whose parameters all have defaults.
 */
export function policyVariants(spec: string | undefined, scenario: Scenario): PolicyVariant[] {
  if (spec === undefined) {
    const own = scenario.policy;
    const first = { label: labelOf(own.name, own.params), name: own.name, params: own.params };
    // Only policies that run on their defaults: one that needs parameters must be named with them.
    const others = policies.filter((p) => p.name !== own.name && p.params.safeParse({}).success);
    return [first, ...others.map((p) => ({ label: p.name, name: p.name, params: {} }))];
  }
  const entries = spec.split(',').map((s) => s.trim());
  const variants = entries.map((entry) => {
    const [name, ...pairs] = entry.split(':');
    if (!name) throw new InputError({ field: '--policies' }, `expected name[:key=value...] for each comma-separated policy, found "${entry}"`);
    const params: Record<string, unknown> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new InputError({ field: '--policies' }, `expected key=value after "${name}:", found "${pair}" in "${entry}"`);
      params[pair.slice(0, eq)] = parse(pair.slice(eq + 1)) as unknown;
    }
    return { label: entry, name, params };
  });
  const seen = new Set<string>();
  for (const v of variants) {
    if (seen.has(v.label)) throw new InputError({ field: '--policies' }, `expected each policy once, found "${v.label}" twice`);
    seen.add(v.label);
  }
  return variants;
}

function labelOf(name: string, params: Readonly<Record<string, unknown>>): string {
  const pairs = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [name, ...pairs].join(':');
}

/** A label as a directory name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
export function labelSlug(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '_');
}
