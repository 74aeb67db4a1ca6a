import { chmodSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEPT_CACHE_FILES, bundleIdentity, codeCacheDir, codeCacheFile, loadBundle, sha256Hex } from '../../src/code-cache.js';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { tempDir } from '../support/tmp.js';

// The V8 code cache of `llmsim run`'s bundle (src/code-cache.ts): whatever the cache holds, the
// code that runs is the bundle's; a cache that cannot be made or read only means no cache.
const root = tempDir('code-cache');
let n = 0;
/** A fresh directory holding a CommonJS bundle with this source. */
function bundle(source: string): { file: string; cache: string } {
  const dir = join(root, `case-${n++}`);
  mkdirSync(dir);
  const file = join(dir, 'b.cjs');
  writeFileSync(file, source);
  return { file, cache: join(dir, 'cache') };
}
const opts = (dir: string) => ({ dir, dynamicImport: (s: string) => import(s) });
const answer = (k: number) => `'use strict'; function f(x) { return x * ${k}; } exports.value = f(6); exports.self = __filename; exports.strict = (function () { return this === undefined; })();`;

describe('code cache of the run bundle', () => {
  it('runs the bundle as a CommonJS module, then runs it from the cache the first run saved', () => {
    const { file, cache } = bundle(answer(7));
    const first = loadBundle(file, opts(cache));
    expect(first.exports).toEqual({ value: 42, self: file, strict: true });
    expect(first.fromCache).toBe(false);
    first.save();
    expect(readdirSync(cache)).toEqual([codeCacheFile(cache, sha256Hex(Buffer.from(answer(7)))).slice(cache.length + 1)]);
    const second = loadBundle(file, opts(cache));
    expect(second.fromCache).toBe(true);
    expect(second.exports.value).toBe(42);
  });

  it('never runs a stale cache: an edited bundle of the same length gets its own cache file', () => {
    const { file, cache } = bundle(answer(7));
    loadBundle(file, opts(cache)).save();
    writeFileSync(file, answer(8)); // same length, other code
    const edited = loadBundle(file, opts(cache));
    expect(edited.fromCache).toBe(false);
    expect(edited.exports.value).toBe(48);
  });

  it("with the build's SHA-256 file, is named by it and the bundle's size and time; an edit of the same length still gets its own file", () => {
    const { file, cache } = bundle(answer(7));
    const sha = createHash('sha256').update(answer(7)).digest('hex');
    writeFileSync(`${file}.sha256`, `${sha}\n`);
    const st = statSync(file);
    expect(bundleIdentity(file, Buffer.from(answer(7)))).toBe(`${sha}:${st.size}:${st.mtimeMs}`);
    const first = loadBundle(file, opts(cache));
    first.save();
    expect(readdirSync(cache)).toEqual([codeCacheFile(cache, `${sha}:${st.size}:${st.mtimeMs}`).slice(cache.length + 1)]);
    expect(loadBundle(file, opts(cache)).fromCache).toBe(true);
    // Edited in place (the SHA-256 file now stale): the modification time names another cache.
    writeFileSync(file, answer(8));
    utimesSync(file, st.atime, new Date(st.mtimeMs + 1000));
    const edited = loadBundle(file, opts(cache));
    expect(edited.fromCache).toBe(false);
    expect(edited.exports.value).toBe(48);
  });

  it('falls back to hashing the bytes when the SHA-256 file is missing, malformed or of another size', () => {
    const { file } = bundle(answer(7));
    const bytes = Buffer.from(answer(7));
    const own = createHash('sha256').update(bytes).digest('hex');
    expect(bundleIdentity(file, bytes)).toBe(own);
    writeFileSync(`${file}.sha256`, 'not a hash\n');
    expect(bundleIdentity(file, bytes)).toBe(own);
    writeFileSync(`${file}.sha256`, `${'0'.repeat(64)}\n`);
    expect(bundleIdentity(file, Buffer.from(`${answer(7)} `))).toBe(createHash('sha256').update(`${answer(7)} `).digest('hex'));
    // Names differ with the identity, the Node flags and NODE_OPTIONS, and are 32 hex digits.
    const names = new Set([codeCacheFile('/c', 'a'), codeCacheFile('/c', 'b'), codeCacheFile('/c', 'a', ['--max-old-space-size=99']), codeCacheFile('/c', 'a', [], '--x')]);
    expect(names.size).toBe(4);
    for (const f of names) expect(f).toMatch(/^\/c\/code-[0-9a-f]{32}\.bin$/);
  });

  it('ignores a corrupt cache file (V8 rejects it) and rewrites it', () => {
    const { file, cache } = bundle(answer(7));
    mkdirSync(cache, { mode: 0o700 });
    const cacheFile = codeCacheFile(cache, sha256Hex(Buffer.from(answer(7))));
    writeFileSync(cacheFile, Buffer.alloc(4096, 0x5a));
    const loaded = loadBundle(file, opts(cache));
    expect(loaded.fromCache).toBe(false);
    expect(loaded.exports.value).toBe(42);
    loaded.save();
    expect(loadBundle(file, opts(cache)).fromCache).toBe(true);
  });

  it('runs without a cache when its directory cannot be made, or is not private', () => {
    const { file, cache } = bundle(answer(7));
    writeFileSync(cache, 'a file where the directory would be');
    const blocked = loadBundle(file, opts(join(cache, 'sub')));
    expect(blocked.exports.value).toBe(42);
    expect(() => blocked.save()).not.toThrow();

    const shared = join(root, `shared-${n++}`);
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const open = loadBundle(file, opts(shared));
    open.save();
    expect(readdirSync(shared)).toEqual([]);
    expect(open.exports.value).toBe(42);
  });

  it("gives the bundle the loader's import() for the modules it loads lazily", async () => {
    const { file, cache } = bundle("exports.load = () => __llmsimImport('node:path').then((m) => m.basename('/a/b.txt'));");
    const loaded = loadBundle(file, { dir: cache, dynamicImport: (s) => import(s) });
    await expect((loaded.exports.load as () => Promise<string>)()).resolves.toBe('b.txt');
  });

  it('lives in LLMSIM_CODE_CACHE, else the XDG cache directory or ~/.cache; off turns it off', () => {
    expect(codeCacheDir({ LLMSIM_CODE_CACHE: '/x/y' })).toBe('/x/y');
    expect(codeCacheDir({ LLMSIM_CODE_CACHE: 'off' })).toBeUndefined();
    expect(codeCacheDir({ XDG_CACHE_HOME: '/c' })).toBe(join('/c', 'llmsim'));
    expect(codeCacheDir({})).toMatch(/[\\/]\.cache[\\/]llmsim$/);
  });
});

describe('code cache directory', () => {
  it(`keeps the ${KEPT_CACHE_FILES} newest cache files when it saves one, and nothing else is touched`, () => {
    const { file, cache } = bundle(answer(7));
    mkdirSync(cache, { mode: 0o700 });
    const old = Array.from({ length: KEPT_CACHE_FILES + 2 }, (_, i) => join(cache, `code-${String(i).padStart(32, '0')}.bin`));
    old.forEach((f, i) => {
      writeFileSync(f, 'x');
      utimesSync(f, 1000 + i, 1000 + i);
    });
    writeFileSync(join(cache, 'notes.txt'), 'not a cache file');
    loadBundle(file, opts(cache)).save();
    const left = readdirSync(cache).sort();
    // The new file, the KEPT_CACHE_FILES - 1 newest old ones, and the file that is not a cache.
    expect(left).toEqual([...old.slice(old.length - (KEPT_CACHE_FILES - 1)).map((f) => f.slice(cache.length + 1)), codeCacheFile(cache, sha256Hex(Buffer.from(answer(7)))).slice(cache.length + 1), 'notes.txt'].sort());
  });
});

describe('code cache directory that cannot be made', () => {
  // Node 20's recursive mkdirSync never returns under /proc: run in a child, with a time limit.
  it.skipIf(process.platform !== 'linux')('runs without a cache, and returns, when the directory would be under /proc', () => {
    const { file } = bundle(answer(7));
    const script = `const { loadBundle } = await import(${JSON.stringify(new URL('../../src/code-cache.ts', import.meta.url).href)});
const b = loadBundle(${JSON.stringify(file)}, { dir: '/proc/llmsim-no-such-dir/.cache/llmsim', dynamicImport: (s) => import(s) });
b.save();
process.stdout.write(String(b.exports.value));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.stdout).toBe('42');
  });
});
