/**
 * Loading profile files and compiling them into the runtime models devices use.
 * Loading is pure apart from reading the one file: callers that load a profile many times cache it.
 */
import { InputError } from '../errors.js';
import { formatPath, validate } from '../util/validate.js';
import { loadYamlFile, parseYaml, type SourceDoc } from '../util/yaml-file.js';
import type { IterationModel, RequestCostModel } from './model.js';
import { ProfileSchema, type Profile } from './schema.js';
import { compileBilinear } from './bilinear.js';
import { compileIteration } from './iteration.js';
import { withIterationNoise, withRequestNoise } from './noisy.js';
import { compileRoofline } from './roofline.js';
import { compileTransformer } from './transformer.js';
import type { RandomStream } from '../util/rng.js';

/** Reads, parses and validates a profile file; every problem is an InputError naming file and line. */
export function loadProfile(file: string): Profile {
  return profileFromSource(loadYamlFile(file, 'profile file'));
}

/** Parses and validates profile text (YAML or JSON); `file` is used in error messages only. */
export function parseProfile(text: string, file: string): Profile {
  return profileFromSource(parseYaml(text, file));
}

/** Validates an already parsed profile file (for callers that keep the SourceDoc to point at lines). */
export function profileFromSource(doc: SourceDoc): Profile {
  rejectNonFinite(doc, doc.data, []);
  return validate(ProfileSchema, doc.data, doc);
}

/**
 * YAML's `.nan` and `.inf` parse to numbers; catch them first so the message says "finite number"
 * rather than zod's generic type error.
 */
function rejectNonFinite(doc: SourceDoc, value: unknown, path: PropertyKey[]): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    const pos = doc.locate(path);
    const field = formatPath(path);
    throw new InputError({ file: doc.file, line: pos?.line, column: pos?.column, field: field || undefined }, `expected a finite number, found ${String(value)}`);
  }
  if (Array.isArray(value)) value.forEach((v, i) => rejectNonFinite(doc, v, [...path, i]));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) rejectNonFinite(doc, v, [...path, k]);
}

type Form = Profile['form'];
type ProfileOf<F extends Form> = Extract<Profile, { form: F }>;
type Compilers<M> = { [F in Form]?: (p: ProfileOf<F>) => M };

/** Forms that yield a request-level model; a new form that can drive `slots` devices adds one line. */
const COST_COMPILERS: Compilers<RequestCostModel> = { bilinear: compileBilinear };
/** Forms that yield an iteration-level model (a table form would add its line here). */
const ITERATION_COMPILERS: Compilers<IterationModel> = { iteration: compileIteration, roofline: compileRoofline, transformer: compileTransformer };

/** Options of the compilers. */
export interface CompileOptions {
  /**
   * Stream for residual noise. Given, and the profile has a `noise` block, the model multiplies
   * its times by sampled factors; otherwise the model is deterministic. Use one stream (and one
   * compiled model) per replica, e.g. createStream(seed, `noise/${replicaName}`).
   */
  noise?: RandomStream;
}

/** Compiles a profile into the request-level cost model `slots` devices use. */
export function compileCostModel(p: Profile, options: CompileOptions = {}): RequestCostModel {
  const model = pick(COST_COMPILERS, p, 'a request-level (slots) device')(p);
  return options.noise && p.form === 'bilinear' ? withRequestNoise(model, p.noise, options.noise) : model;
}

/** Compiles a profile into the iteration-level model batching devices use. */
export function compileIterationModel(p: Profile, options: CompileOptions = {}): IterationModel {
  const model = pick(ITERATION_COMPILERS, p, 'a batching device')(p);
  return options.noise && p.form === 'iteration' ? withIterationNoise(model, p.noise, options.noise) : model;
}

/** Forms `compileIterationModel` accepts (for device kinds that check a profile's form first). */
export const ITERATION_FORMS = Object.keys(ITERATION_COMPILERS) as Form[];

function pick<M>(compilers: Compilers<M>, p: Profile, user: string): (p: Profile) => M {
  const compile = compilers[p.form] as ((p: Profile) => M) | undefined;
  if (compile) return compile;
  const expected = Object.keys(compilers).map((f) => `"${f}"`).join(' or ');
  throw new InputError({ field: 'form' }, `profile "${p.name}" cannot drive ${user}: expected form ${expected}, found "${p.form}"`);
}
