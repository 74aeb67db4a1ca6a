/**
 * The HiGHS LP/MILP solver (University of Edinburgh), compiled to WebAssembly by the `highs` npm
 * package. Loading WebAssembly is asynchronous while simulate() is synchronous, and it costs tens
 * of milliseconds, so it is loaded only for policies that solve LPs: their registry entry declares
 * `load: loadHighs`, and the CLI (run, the sweep/compare workers, the bench) awaits
 * `loadPolicies` before simulating. Every solve then creates and destroys its own HiGHS instance,
 * so no solver state is shared between runs and the result depends on the model alone.
 */
import type { Highs } from 'highs';

let runtime: Highs | undefined;
let loading: Promise<Highs> | undefined;

/** Loads the solver runtime once (later calls return the same promise). */
export function loadHighs(): Promise<Highs> {
  loading ??= import('highs').then(async (mod) => {
    // The package's types describe its CommonJS build (loader under `.default`); Node loads its ES
    // module build, whose default export is the loader itself. Accept either.
    const m = mod.default as unknown as { default?: unknown };
    const load = (m.default ?? m) as () => Promise<Highs>;
    runtime = await load();
    return runtime;
  });
  return loading;
}

/** The loaded solver runtime; throws (a bug: the caller skipped `loadPolicies`) when not loaded yet. */
export function highsRuntime(): Highs {
  if (runtime === undefined) throw new Error('the HiGHS solver is not loaded: await loadPolicies(...) (src/policies/registry.ts) before simulating');
  return runtime;
}
