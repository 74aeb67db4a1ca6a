import { isAscii } from 'node:buffer';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { makeDirs } from './util/make-dirs.js';

// Only Node's built-ins here: this module runs before anything else is loaded (src/cli.ts).

/**
 * A V8 code cache for a CommonJS bundle (Node 20 has no module.enableCompileCache): the bundle is
 * compiled with vm.Script, fed the bytecode a previous run saved, and once, when there was no
 * usable cache, the bytecode of everything the run compiled is saved for the next run.
 *
 * Safety: the cache file's name is a digest of the bundle's identity, the Node version, the
 * architecture and the flags Node was started with, so an edited bundle or another Node never
 * reads it; V8 also checks its own version and flags and rejects a mismatch (the cache is then
 * rewritten). The identity is the SHA-256 of the bundle's bytes that the build writes next to it
 * (`run.cjs.sha256`) with the file's size and modification time (an edit changes them), or,
 * without that file, a SHA-256 of the bytes computed here (loading node:crypto, which the build's
 * file spares every run: about 10 ms of a short run's start-up). The file is written to a
 * temporary name and renamed (atomic); any failure to make the directory, read or write
 * (read-only home, full disk) only means no cache. A directory that is not the user's own or that
 * others can write is not used.
 */
export interface CodeCacheOptions {
  /** Directory of the cache files; undefined: no cache (compile from source every time). */
  readonly dir: string | undefined;
  /** The bundle's `import()` (scripts/build.mjs renames it `__llmsimImport`): the caller's, so it resolves as the caller's module does. */
  readonly dynamicImport: (specifier: string) => Promise<unknown>;
}

/** Where the cache lives: LLMSIM_CODE_CACHE (a directory, or `off`), else $XDG_CACHE_HOME/llmsim or ~/.cache/llmsim. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.LLMSIM_CODE_CACHE;
  if (set !== undefined && set !== '') return /^(off|0|false|no)$/i.test(set) ? undefined : set;
  const base = env.XDG_CACHE_HOME || (homedirOrUndefined() && join(homedirOrUndefined()!, '.cache'));
  return base ? join(base, 'llmsim') : undefined;
}

function homedirOrUndefined(): string | undefined {
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * What names the bundle `file` whose bytes are `bytes`: the SHA-256 the build wrote to
 * `<file>.sha256`, with the file's size and modification time; else the SHA-256 of the bytes.
 */
export function bundleIdentity(file: string, bytes: Uint8Array): string {
  const built = readOrUndefined(`${file}.sha256`)?.toString('latin1').trim();
  if (built !== undefined && /^[0-9a-f]{64}$/.test(built)) {
    const st = statOrUndefined(file);
    if (st !== undefined && st.size === bytes.length) return `${built}:${st.size}:${st.mtimeMs}`;
  }
  return sha256Hex(bytes);
}

/** SHA-256 of `bytes` in hex; node:crypto is loaded only here. */
export function sha256Hex(bytes: Uint8Array): string {
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/** The cache file of the bundle of this identity (bundleIdentity), under this Node and these flags (command line and NODE_OPTIONS). */
export function codeCacheFile(dir: string, identity: string, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string {
  const flags = [...execArgv, nodeOptions].join('\0');
  return join(dir, `code-${digest128([identity, process.version, process.arch, flags].join('\0'))}.bin`);
}

/**
 * 128 bits of `text` as 32 hex digits: four 32-bit FNV-1a lanes of different offsets, each over
 * every UTF-16 unit. Not cryptographic; its input already holds a SHA-256 of the bundle, and this
 * only folds the Node version, architecture and flags in with it.
 */
function digest128(text: string): string {
  const lanes = [0x811c9dc5, 0x050c5d1f, 0x3b8a7e2d, 0x6c62272e];
  let out = '';
  for (let l = 0; l < 4; l++) {
    let h = lanes[l]!;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

const CACHE_FILE = /^code-[0-9a-f]{32}\.bin$/;
/** Cache files kept in the directory (each build, Node version or set of flags makes its own); the oldest go first. */
export const KEPT_CACHE_FILES = 8;

function pruneOldest(dir: string): void {
  const files = readdirSync(dir)
    .filter((name) => CACHE_FILE.test(name))
    .map((name) => ({ name, mtimeMs: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : 1));
  for (const { name } of files.slice(KEPT_CACHE_FILES)) unlinkSync(join(dir, name));
}

/** A loaded bundle: its exports, and `save()` to write the code cache if it had none (call it once, at exit). */
export interface LoadedBundle {
  readonly exports: Record<string, unknown>;
  /** true when V8 used a saved cache for this load. */
  readonly fromCache: boolean;
  readonly save: () => void;
}

/**
 * Compiles and runs the CommonJS `file` (its `exports`, `require`, `__filename` and `__dirname` as
 * Node gives a CommonJS module), with the code cache of `options.dir`.
 */
export function loadBundle(file: string, options: CodeCacheOptions): LoadedBundle {
  const bytes = readFileSync(file);
  const dir = options.dir !== undefined && ownPrivateDir(options.dir) ? options.dir : undefined;
  const cacheFile = dir === undefined ? undefined : codeCacheFile(dir, bundleIdentity(file, bytes));
  const cachedData = cacheFile === undefined ? undefined : readOrUndefined(cacheFile);
  // An ASCII file (the build's is) decodes as Latin-1 into the same string, several times faster than as UTF-8.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __llmsimImport) {${source}\n})`, { filename: file, cachedData });
  const fromCache = cachedData !== undefined && script.cachedDataRejected === false;
  const module = { exports: {} as Record<string, unknown> };
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), options.dynamicImport);
  let saved = fromCache || cacheFile === undefined;
  return {
    exports: module.exports,
    fromCache,
    save: () => {
      if (saved) return;
      saved = true;
      writeQuietly(cacheFile!, script.createCachedData());
    },
  };
}

/** Makes `dir` (0700) if missing; true when it is a directory of this user that no one else can write. */
function ownPrivateDir(dir: string): boolean {
  try {
    makeDirs(dir, { mode: 0o700, maxDepth: 8 });
    const st = statSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function statOrUndefined(file: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes `data` to `file` through a temporary file and a rename; any failure leaves no file and throws nothing. */
function writeQuietly(file: string, data: Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    pruneOldest(dirname(file));
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}
