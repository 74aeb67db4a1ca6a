import { parse } from 'yaml';
import { InputError } from '../errors.js';
import { findPolicy } from '../policies/registry.js';
import type { Scenario } from '../scenario/schema.js';

/** One policy configuration to compare. */
export interface PolicyVariant {
  /** As the user wrote it (or as derived), e.g. `fifo:routing=least-loaded`; names the table column and results directory. */
  readonly label: string;
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * What `llmsim compare` runs besides the scenario's own policy when `--policies` is not given:
 * the routing baselines, which need no parameters and nothing from the profiles, so they run on
 * any cluster. Policies that need more (an oracle, accuracies, energy models, thresholds) are
 * compared by naming them.
 */
export const BASELINE_POLICIES: readonly string[] = ['fifo', 'fifo:routing=least-loaded', 'random', 'round-robin', 'least-loaded'];

/** The default set in words, shared by `compare --help` and the docs so they cannot disagree. */
export const DEFAULT_POLICIES_TEXT = `the scenario's policy, then the routing baselines ${BASELINE_POLICIES.join(', ')}`;

/**
 * Parses `--policies a,b:key=value:key2=value2`: comma-separated policies, each a registered name
 * with optional `:key=value` parameters (values read as YAML scalars, so 3 is a number and true a
 * boolean). Without the flag: the scenario's own policy first, then the BASELINE_POLICIES that
 * are not the same configuration as it.
 */
export function policyVariants(spec: string | undefined, scenario: Scenario, dropped: DroppedVariant[] = []): PolicyVariant[] {
  if (spec === undefined) {
    const own = scenario.policy;
    const first = { label: labelOf(own.name, own.params), name: own.name, params: own.params };
    const kept = [first];
    const keys = [configKey(first)];
    for (const v of parseVariants(BASELINE_POLICIES.join(','))) {
      const key = configKey(v);
      const same = keys.indexOf(key);
      // A baseline that routes and orders exactly as an earlier entry is left out (with a note when its name differs).
      if (same < 0) (kept.push(v), keys.push(key));
      else if (v.label !== kept[same]!.label && !(same === 0 && v.name === first.name)) dropped.push({ label: v.label, sameAs: kept[same]!.label });
    }
    return kept;
  }
  return parseVariants(spec);
}

/** A default baseline left out of `compare` because it behaves exactly as one already listed. */
export interface DroppedVariant {
  readonly label: string;
  readonly sameAs: string;
}

function parseVariants(spec: string): PolicyVariant[] {
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

/**
 * Name plus parameters with defaults filled in: `fifo` and `fifo:routing=round-robin` are one
 * configuration. Baselines that route the same way with the same FCFS order are one too:
 * `round-robin` (level replica) is `fifo` (routing round-robin), `least-loaded` is
 * `fifo:routing=least-loaded` (the policies' code: the same routing helpers, no ordering).
 */
export function configKey(v: PolicyVariant): string {
  const parsed = findPolicy(v.name)?.params.safeParse(v.params);
  const p = (parsed?.success ? parsed.data : v.params) as Record<string, unknown>;
  if (v.name === 'round-robin' && p.level === 'replica') return JSON.stringify(['fifo', { routing: 'round-robin', groups: p.groups }]);
  if (v.name === 'least-loaded') return JSON.stringify(['fifo', { routing: 'least-loaded', groups: p.groups }]);
  if (v.name === 'fifo') return JSON.stringify(['fifo', { routing: p.routing, groups: p.groups }]);
  return JSON.stringify([v.name, p]);
}

function labelOf(name: string, params: Readonly<Record<string, unknown>>): string {
  const pairs = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [name, ...pairs].join(':');
}

/** A label as a directory name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
export function labelSlug(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Directory names for the labels: their slugs, made unique with the position where two collide. */
export function uniqueSlugs(labels: readonly string[]): string[] {
  const used = new Set<string>();
  return labels.map((l, i) => {
    let s = labelSlug(l);
    if (used.has(s)) s = `${s}-${i}`;
    used.add(s);
    return s;
  });
}
