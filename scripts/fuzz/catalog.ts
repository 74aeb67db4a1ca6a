/**
 * What the fuzz generator knows about the repository's data: shipped profiles (read here from
 * their YAML, not through llmsim's catalog), edge models, model and hardware ids, and traces.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root. */
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A shipped profile, as the generator sees it. */
export interface ProfileInfo {
  /** The profile's `name` (what a scenario may give instead of a path). */
  readonly name: string;
  /** Absolute path. */
  readonly file: string;
  readonly form: 'bilinear' | 'iteration' | 'roofline' | 'transformer';
  readonly model: string;
  /** Energy is known: a bilinear energy block, an iteration or transformer power block, or a roofline (TDP). */
  readonly energyKnown: boolean;
  /** Has a noise block (so `noise: true` is valid). */
  readonly noise: boolean;
  /** Leaderboard accuracy (bilinear profiles only). */
  readonly accuracy: boolean;
  /** Has a memory block or derives memory from a shape (KV capacity is bounded). */
  readonly memory: boolean;
}

/** Directories of profiles/ that hold no device profiles. */
const NOT_PROFILES = new Set(['hardware', 'measurements', 'models', 'edge', 'LICENSES']);

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!(dir === join(REPO, 'profiles') && NOT_PROFILES.has(e.name))) out.push(...walk(p));
    } else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

let profiles: ProfileInfo[] | undefined;
let fixtures: ProfileInfo[] | undefined;

/** Every shipped device profile, in path order. */
export function shippedProfiles(): readonly ProfileInfo[] {
  profiles ??= walk(join(REPO, 'profiles')).map(describeProfile);
  return profiles;
}

/** The fuzz fixture profiles (test/reliability/profiles/): features no shipped profile has. */
export function fixtureProfiles(): readonly ProfileInfo[] {
  fixtures ??= walk(join(REPO, 'test/reliability/profiles')).map(describeProfile);
  return fixtures;
}

function describeProfile(file: string): ProfileInfo {
  const p = topLevel(readFileSync(file, 'utf8'));
  const form = p.form as ProfileInfo['form'];
  return {
    name: String(p.name),
    file,
    form,
    model: String(p.model),
    energyKnown: form === 'bilinear' ? p.energy !== undefined : form === 'roofline' ? true : p.power !== undefined,
    noise: p.noise !== undefined && form !== 'roofline' && form !== 'transformer',
    accuracy: form === 'bilinear' && typeof p.accuracy === 'number',
    memory: form === 'iteration' ? p.memory !== undefined : form !== 'bilinear',
  };
}

/**
 * The top-level keys of a profile (values of the scalar ones; objects only as present), read from
 * the lines at column 0, which is how every profile in the repository is written: parsing 250
 * files with the YAML parser would take most of a second. Falls back to it for anything else.
 */
function topLevel(text: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const m of text.matchAll(/^([A-Za-z][A-Za-z0-9]*):[ \t]*(.*?)[ \t]*(?:#.*)?\r?$/gm)) {
    const value = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
    out[m[1]!] = value === '' || value.startsWith('{') ? {} : /^-?[\d.]+(e-?\d+)?$/.test(value) ? Number(value) : value;
  }
  return typeof out.name === 'string' && typeof out.form === 'string' && typeof out.model === 'string' ? out : (parse(text) as Record<string, any>);
}

/** An edge model file (profiles/edge/). */
export interface EdgeModelInfo {
  readonly file: string;
  readonly name: string;
  readonly bitWidths: readonly number[];
  readonly maxSeqLen: number;
}

export function edgeModels(): EdgeModelInfo[] {
  const dir = join(REPO, 'profiles/edge');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const m = parse(readFileSync(join(dir, f), 'utf8')) as Record<string, any>;
      return { file: join(dir, f), name: String(m.name), bitWidths: m.storage.bitWidths as number[], maxSeqLen: m.shape.maxSeqLen as number };
    });
}

/** Ids of profiles/models/ and profiles/hardware/ (for model + hardware device entries). */
export function ids(sub: 'models' | 'hardware'): string[] {
  return readdirSync(join(REPO, 'profiles', sub))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** A trace and what a workload may say about it. */
export interface TraceInfo {
  readonly file: string;
  /** Formats that read it (auto detects). */
  readonly formats: readonly string[];
  readonly mooncake: boolean;
  /** Request classes its rows name. */
  readonly classes: readonly string[];
  /** How often the generator picks it, relative to the others. */
  readonly weight: number;
}

const trace = (path: string, formats: readonly string[], weight: number, more: Partial<TraceInfo> = {}): TraceInfo => ({
  file: join(REPO, path),
  formats,
  mooncake: formats.includes('mooncake'),
  classes: [],
  weight,
  ...more,
});

/**
 * The traces of traces/ and the fuzz fixtures (test/reliability/traces/): the first 1,000 requests
 * of the long ones, used far more often since each scenario reads its trace three times, and a
 * made-up native trace with every optional column and shared prefixes.
 */
export const TRACES: readonly TraceInfo[] = [
  trace('traces/azure-llm-2023-conv.csv', ['azure', 'auto'], 1),
  trace('traces/azure-llm-2023-code.csv', ['azure', 'auto'], 0.5),
  trace('traces/mooncake-fast25-conversation-first3500.jsonl', ['mooncake', 'auto'], 0.5),
  trace('traces/mooncake-fast25-conversation-nohash.csv', ['mooncake', 'auto'], 0.5),
  trace('traces/vidur-conv-poisson1-n10000.csv', ['vidur', 'auto'], 0.5),
  trace('traces/example-native.csv', ['llmsim', 'auto'], 3, { classes: ['chat', 'summarize', 'code'] }),
  trace('test/reliability/traces/head-azure-llm-2023-conv.csv', ['azure', 'auto'], 5),
  trace('test/reliability/traces/head-azure-llm-2023-code.csv', ['azure', 'auto'], 4),
  trace('test/reliability/traces/head-mooncake-fast25-conversation-first3500.jsonl', ['mooncake', 'auto'], 5),
  trace('test/reliability/traces/head-mooncake-fast25-conversation-nohash.csv', ['mooncake', 'auto'], 3),
  trace('test/reliability/traces/head-vidur-conv-poisson1-n10000.csv', ['vidur', 'auto'], 3),
  trace('test/reliability/traces/native-prefix.csv', ['llmsim', 'auto'], 5, { classes: ['chat', 'code'] }),
];

/** A path as written in a generated scenario: relative to the repository, so a failing scenario replays from any checkout. */
export function repoPath(file: string): string {
  return relative(REPO, file).split('\\').join('/');
}
