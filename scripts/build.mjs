// `npm run build`: bundles the CLI into dist/ with esbuild (type checking is `npm run typecheck`).
//
// One ES module per entry (dist/cli.js, the sweep worker dist/worker.js, the bench) plus shared
// chunks, split at every dynamic import: start-up loads the command table and the command it
// runs, nothing else (about 500 modules loaded one by one before). Small dependencies are bundled
// in; the heavy ones (chart library, WebAssembly solvers, the worker pool) stay in node_modules
// and load only in the commands that use them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const EXTERNAL = ['vega', 'vega-lite', 'highs', 'nlopt-js', 'piscina', 'tsx', 'tsx/*', 'esbuild'];

/**
 * zod re-exports every locale's messages (about half of its code) as `z.locales`; llmsim uses only
 * the English default, so the bundle keeps that one and the start-up does not compile the rest.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]/.test(args.importer) ? { path: args.importer, namespace: 'zod-en' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, () => ({ contents: "export { default as en } from '../locales/en.js';", resolveDir: `${process.cwd()}/node_modules/zod/v4/classic` }));
  },
};

/**
 * commander loads node:child_process when it is loaded (for subcommands that are executables of
 * their own, which llmsim has none of): about 7 ms of every start-up. Its one use, `spawn`, loads
 * the module when called instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (/[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "let loaded; exports.spawn = (...args) => (loaded ??= require('node:child_process')).spawn(...args);",
      loader: 'js',
    }));
  },
};

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: {
    cli: 'src/cli.ts',
    // The library entry (package.json "exports"): import { loadScenario, simulate, summarize } from 'llmsim'.
    index: 'src/index.ts',
    // src/sweep/pool.ts starts './worker.js' next to the chunk that holds it: dist/.
    worker: 'src/sweep/worker.ts',
    'bench/bench': 'src/bench/bench.ts',
    'bench/case': 'src/bench/case.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  sourcemap: true,
  logLevel: 'warning',
  plugins: [zodEnglishOnly, lazyChildProcess],
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: { js: "import { createRequire as __llmsimRequire } from 'node:module'; const require = __llmsimRequire(import.meta.url);" },
});

// dist/run.cjs: the CLI with the run command only, as one CommonJS file, so that src/cli.ts can
// compile it with a V8 code cache (src/code-cache.ts; Node 20 caches no ES module). The catalog's
// other commands become empty modules (never loaded: cli.ts sends only `run` here).
const onlyRun = {
  name: 'only-run-command',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) =>
      /[\\/]src[\\/]commands[\\/]catalog\.ts$/.test(args.importer) && args.path !== './run.js' ? { path: args.path, namespace: 'not-run' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'not-run' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};
const runBundle = await build({
  entryPoints: { run: 'src/run-bundle.ts' },
  write: false,
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  logLevel: 'warning',
  // No comments or indentation: less to read, hash and decode at each start (still one statement a line).
  minifyWhitespace: true,
  // Mapped to src/ (the ES modules' maps carry the sources' text; this one would only repeat it).
  sourcemap: true,
  sourcesContent: false,
  plugins: [zodEnglishOnly, lazyChildProcess, onlyRun],
  // ES module semantics (strict mode) and import.meta.url as the bundle's own file URL.
  define: { 'import.meta.url': '__llmsimBundleUrl' },
  banner: { js: "'use strict';\nvar __llmsimBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// A vm.Script has no import() of its own (only behind an experimental option): the packages kept
// out of the bundle (the LP solver) are imported through the loader's (src/code-cache.ts).
// Next to the bundle, its SHA-256: src/code-cache.ts names the code cache by it (with the file's
// size and modification time) instead of hashing the bundle at every start.
for (const f of runBundle.outputFiles) {
  const text = f.path.endsWith('.cjs') ? f.text.replace(/(?<![\w$.])import\(/g, '__llmsimImport(') : f.text;
  writeFileSync(f.path, text);
  if (f.path.endsWith('.cjs')) writeFileSync(`${f.path}.sha256`, `${createHash('sha256').update(text).digest('hex')}\n`);
}

// Type declarations of the library (dist/index.d.ts and what it references); the code is the bundle.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

// `llmsim schema` prints this file when it exists next to the bundle (see src/commands/schema.ts).
execFileSync(process.execPath, ['dist/cli.js', 'schema', '-o', 'dist/scenario.schema.json'], { stdio: 'ignore' });
