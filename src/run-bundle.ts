// Entry of dist/run.cjs (scripts/build.mjs): the CLI's main with the run command only; src/cli.ts
// loads it with a V8 code cache for `llmsim run`.
export { main } from './main.js';
