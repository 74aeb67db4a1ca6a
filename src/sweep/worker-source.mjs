// Worker entry used when llmsim runs from its TypeScript sources (vitest, `npx tsx src/cli.ts`).
// Node 20 does not reliably apply an `--import tsx` loader to worker threads before their entry
// module loads, so this plain-JS entry registers tsx itself and then loads the real worker.
// Installed packages never use it: they run dist/worker.js (the bundle, scripts/build.mjs).
import { register } from 'tsx/esm/api';

register();
const worker = import(new URL('./worker.ts', import.meta.url).href);

/** Runs one task with the TypeScript worker. */
export default async function runInWorker(task) {
  return (await worker).default(task);
}
