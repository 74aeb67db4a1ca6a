// `npm run build`: bundles the CLI into dist/ with esbuild (type checking is `npm run typecheck`).
//
// One ES module per entry (dist/cli.js, the sweep worker dist/worker.js, the bench) plus shared
// chunks, split at every dynamic import: start-up loads the command table and the command it
// runs, nothing else (about 500 modules loaded one by one before). Small dependencies are bundled
// in; the heavy ones (chart library, WebAssembly solvers, the worker pool) stay in node_modules
// and load only in the commands that use them.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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
  plugins: [zodEnglishOnly],
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: { js: "import { createRequire as __llmsimRequire } from 'node:module'; const require = __llmsimRequire(import.meta.url);" },
});

// Type declarations of the library (dist/index.d.ts and what it references); the code is the bundle.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

// `llmsim schema` prints this file when it exists next to the bundle (see src/commands/schema.ts).
execFileSync(process.execPath, ['dist/cli.js', 'schema', '-o', 'dist/scenario.schema.json'], { stdio: 'ignore' });
