/**
 * The HiGHS LP/MILP solver (University of Edinburgh), compiled to WebAssembly by the `highs` npm
 * package. Loading WebAssembly is asynchronous while simulate() is synchronous, so the module is
 * loaded once, here, by a top-level await when this file is first imported (about 40 ms); every
 * solve then creates and destroys its own HiGHS instance, so no solver state is shared between
 * runs and the result depends on the model alone.
 */
import highsModule, { type Highs } from 'highs';

// The package's types describe its CommonJS build (loader under `.default`); Node loads its ES
// module build, whose default export is the loader itself. Accept either.
const load = ((highsModule as unknown as { default?: unknown }).default ?? highsModule) as typeof highsModule.default;

/** The loaded solver runtime. */
export const highs: Highs = await load();
