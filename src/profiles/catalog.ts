/**
 * The profiles shipped with llmsim, by name: `llmsim profiles` lists them, and a scenario device
 * entry's `profile: <name>` resolves to one of them through `resolveProfilePath`.
 *
 * Shipped files are found from the package root (the directory that holds src/ and dist/), never
 * from the working directory, so a name works wherever llmsim is installed or run from.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { editDistance, errorAt } from '../util/validate.js';
import { loadYamlFile, parseYaml, readTextFile, type SourceDoc } from '../util/yaml-file.js';
import { profileFromSource } from './load.js';
import type { Profile } from './schema.js';

/**
 * The package root: the nearest directory above this code that holds package.json (this file is
 * src/profiles/catalog.ts, or part of a bundle in dist/ or in a test's build directory).
 */
export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return `${dir}${sep}`;
    if (dirname(dir) === dir) return fileURLToPath(new URL('../../', import.meta.url));
  }
}

/** Where the shipped profiles are: `profiles/` in the package root. */
export const SHIPPED_PROFILES_DIR = join(PACKAGE_ROOT, 'profiles');

/**
 * Top-level directories of profiles/ that hold no profiles: spec sheets, raw measurements,
 * licence texts, and the sharded models of edge devices (`edge/`, a device's `model`, not a
 * `profile`). `models/` is reserved for the same kind of file.
 */
export const NON_PROFILE_DIRS: readonly string[] = ['hardware', 'measurements', 'LICENSES', 'edge', 'models'];

/** Suffixes of profile files; a scenario value ending in one is a path, never a name. */
const PROFILE_SUFFIX = /\.(ya?ml|json)$/i;

/** One shipped profile, read and validated (not compiled). */
export interface ShippedProfile {
  readonly name: string;
  /** Path relative to the profiles directory, with `/` separators, e.g. `splitwise/llama2-70b-h100-tp4.yaml`. */
  readonly path: string;
  /** Absolute path. */
  readonly file: string;
  readonly profile: Profile;
}

/** Profile files under `dir` (every YAML or JSON file outside NON_PROFILE_DIRS), relative, sorted. */
export function profileFiles(dir: string = SHIPPED_PROFILES_DIR): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(rel ? join(dir, rel) : dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (rel !== '' || !NON_PROFILE_DIRS.includes(e.name)) walk(path);
      } else if (e.isFile() && PROFILE_SUFFIX.test(e.name)) out.push(path);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Every shipped profile, read and validated, in path order. A file that is not a valid profile,
 * or a name used twice, is an InputError naming the file and line.
 */
export function listShippedProfiles(dir: string = SHIPPED_PROFILES_DIR): ShippedProfile[] {
  const seen = new Map<string, string>();
  return profileFiles(dir).map((path) => {
    const file = join(dir, path);
    const source = loadYamlFile(file, 'profile file');
    const profile = profileFromSource(source);
    claimName(seen, profile.name, path, source);
    return { name: profile.name, path, file, profile };
  });
}

/**
 * Shipped profile names and their files (absolute paths), read once per directory per process.
 * Cheap: the name comes from the file's top-level `name:` line where it is a plain one (every
 * shipped YAML profile), otherwise from parsing the file; nothing is validated here, that
 * happens when the one file a scenario names is loaded.
 */
export function shippedProfileIndex(dir: string = SHIPPED_PROFILES_DIR): ReadonlyMap<string, string> {
  let index = indexes.get(dir);
  if (!index) {
    const seen = new Map<string, string>();
    const files = new Map<string, string>();
    for (const path of profileFiles(dir)) {
      const file = join(dir, path);
      const text = readTextFile(file, 'profile file');
      const name = plainName(text) ?? parsedName(text, file);
      if (name === undefined) continue; // not a profile a name can find (loading it directly says why)
      claimName(seen, name, path, undefined, file);
      files.set(name, file);
    }
    index = files;
    indexes.set(dir, index);
  }
  return index;
}

const indexes = new Map<string, ReadonlyMap<string, string>>();

/** The file of the shipped profile called `name`, or undefined. */
export function findShippedProfile(name: string, dir?: string): string | undefined {
  return shippedProfileIndex(dir).get(name);
}

/**
 * Up to `max` shipped names closest to `name`: names that contain it first (shortest first),
 * then by edit distance, ties by name.
 */
export function closestProfileNames(name: string, max = 3, dir?: string): string[] {
  const q = name.toLowerCase();
  return [...shippedProfileIndex(dir).keys()]
    .map((n) => ({ n, contains: n.toLowerCase().includes(q) ? 0 : 1, d: editDistance(q, n.toLowerCase()) }))
    .sort((a, b) => a.contains - b.contains || a.d - b.d || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0))
    .slice(0, max)
    .map((x) => x.n);
}

/** True when a device entry's `profile` value names a shipped profile: no `/` or `\` and no .yaml/.yml/.json suffix. */
export function isProfileName(value: string): boolean {
  return !/[/\\]/.test(value) && !PROFILE_SUFFIX.test(value);
}

/** The fields of a device entry that choose its profile (a future `model` + `hardware` + `tensorParallel` lookup adds its fields here). */
export interface ProfileRef {
  readonly profile?: string;
  /** Instead of profile: architecture and hardware ids, parallel degrees, and the calibrated profile to take coefficients from. */
  readonly model?: string;
  readonly hardware?: string;
  readonly tensorParallel?: number;
  readonly pipelineParallel?: number;
  readonly coefficientsFrom?: string;
}

/** The calibrated profile whose coefficients `model` + `hardware` entries use unless they name another. */
export const DEFAULT_CALIBRATED_PROFILE = 'vllm-0.11-llama-3.1-8b-h100-sxm5-80gb-tp1';

/** Prefix of the keys resolveProfilePath returns for model + hardware entries (the profile is built, not read). */
export const BUILT_PREFIX = 'transformer:';

/** A built profile's key: files and degrees, JSON after the prefix. */
export interface BuiltProfileKey {
  readonly architectureFile: string;
  readonly hardwareFile: string;
  readonly tensor: number;
  readonly pipeline: number;
  readonly referenceFile: string;
}

/** Where a device entry stands, for resolving relative paths and pointing at its lines in errors. */
export interface ProfileRefContext {
  /** Directory relative paths are resolved from (the scenario file's). */
  readonly baseDir: string;
  /** The scenario file as parsed, to give errors a line. */
  readonly source?: SourceDoc;
  /** The scenario file's name in errors (default: the source's). */
  readonly file?: string;
  /** Field path of the entry, e.g. ['cluster', 'devices', 0]. */
  readonly path: readonly PropertyKey[];
  /** Directory of shipped profiles (default SHIPPED_PROFILES_DIR; tests point it elsewhere). */
  readonly profilesDir?: string;
}

/**
 * The profile file a device entry uses, as an absolute path: `profile` as a path relative to the
 * scenario, or, when it is a name (see isProfileName), the shipped profile of that name. An
 * unknown name is an InputError at the entry's `profile` line listing the closest names. Whether
 * a path exists is checked by the caller, as for every other file a scenario names.
 */
export function resolveProfilePath(entry: ProfileRef, ctx: ProfileRefContext): string {
  if (entry.profile === undefined && entry.model !== undefined && entry.hardware !== undefined) return builtProfileKey(entry, ctx);
  const field = [...ctx.path, 'profile'];
  const value = entry.profile;
  if (value === undefined) throw errorAt(ctx.source, ctx.file, field, 'missing required field (expected a profile file or the name of a shipped profile)');
  if (!isProfileName(value)) return resolve(ctx.baseDir, value);
  const file = findShippedProfile(value, ctx.profilesDir);
  if (file !== undefined) return file;
  const near = closestProfileNames(value, 3, ctx.profilesDir);
  throw errorAt(
    ctx.source,
    ctx.file,
    field,
    `expected the name of a shipped profile, found unknown "${value}"${near.length > 0 ? ` (closest: ${near.map((n) => `"${n}"`).join(', ')})` : ''}; ` +
      '`llmsim profiles` lists them, and a value with "/" or a .yaml/.json suffix is read as a file path',
  );
}

/**
 * The key of a model + hardware entry, `transformer:{...}`: the architecture file, the hardware
 * file, the degrees and the calibrated profile whose coefficients the built profile takes (see
 * buildTransformerProfile).
 */
function builtProfileKey(entry: ProfileRef, ctx: ProfileRefContext): string {
  const dir = ctx.profilesDir ?? SHIPPED_PROFILES_DIR;
  const known = (sub: string, id: string, field: string) => {
    const file = join(dir, sub, `${id}.yaml`);
    if (existsSync(file)) return file;
    const ids = readdirSync(join(dir, sub)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
    const near = ids.map((n) => [n, editDistance(id, n)] as const).sort((a, b) => a[1] - b[1]).slice(0, 3).map(([n]) => `"${n}"`);
    throw errorAt(ctx.source, ctx.file, [...ctx.path, field], `expected a ${field} id of profiles/${sub}/, found unknown "${id}" (closest: ${near.join(', ')})`);
  };
  const architectureFile = known('models', entry.model!, 'model');
  const hardwareFile = known('hardware', entry.hardware!, 'hardware');
  const tensor = entry.tensorParallel ?? 1, pipeline = entry.pipelineParallel ?? 1;
  const referenceFile = resolveProfilePath({ profile: entry.coefficientsFrom ?? DEFAULT_CALIBRATED_PROFILE }, { ...ctx, path: ctx.path });
  const key: BuiltProfileKey = { architectureFile, hardwareFile, tensor, pipeline, referenceFile };
  return `${BUILT_PREFIX}${JSON.stringify(key)}`;
}

/** The top-level `name` when the file states it on a plain `name: value` line at column 0. */
function plainName(text: string): string | undefined {
  return /^name:[ \t]*(["']?)([A-Za-z0-9][A-Za-z0-9._+-]*)\1[ \t]*(?:#.*)?\r?$/m.exec(text)?.[2];
}

function parsedName(text: string, file: string): string | undefined {
  const data = parseYaml(text, file).data as { name?: unknown } | null;
  return data !== null && typeof data === 'object' && typeof data.name === 'string' ? data.name : undefined;
}

/** Records `name` as used by `path`; a second file with the same name is an InputError. */
function claimName(seen: Map<string, string>, name: string, path: string, source: SourceDoc | undefined, file = source?.file): void {
  const first = seen.get(name);
  if (first !== undefined) {
    const pos = source?.locate(['name']);
    throw new InputError({ file, line: pos?.line, column: pos?.column, field: 'name' }, `expected a unique profile name, found "${name}" also in ${first}`);
  }
  seen.set(name, path);
}
