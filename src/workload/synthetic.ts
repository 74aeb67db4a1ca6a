import { createStream } from '../util/rng.js';
import { generateArrivals, streamArrivals } from './arrivals.js';
import type { DraftRequest } from './draft.js';
import { makeLengthSampler, type EmpiricalLoader } from './lengths.js';
import type { SyntheticSpec } from './schema.js';
import { makeSharedPrefixPrompts } from './shared-prefix.js';

/**
 * Generates a synthetic request stream. Each ingredient draws from its own named stream
 * (`arrivals`, `prompt`, `output`, `uncertainty`; `shared-prefix` for a shared-prefix prompt's
 * random order), so changing, say, the output-length spec leaves arrival times, prompt lengths
 * and uncertainty scores exactly as they were. The output length is drawn after the request's
 * uncertainty score, which it may depend on.
 */
export function generateSynthetic(spec: SyntheticSpec, seed: number | string, load: EmpiricalLoader): DraftRequest[] {
  // The arrival times first, as one array (the `arrivals` stream is no other ingredient's), then
  // one object per request: no closure or boxed number per request besides the request itself.
  const times = generateArrivals(spec.arrival, () => createStream(seed, 'arrivals'), spec.count, spec.durationS);
  const draft = drafter(spec, seed, load);
  const out: DraftRequest[] = [];
  for (let i = 0; i < times.length; i++) out.push(draft(i, times[i]!));
  return out;
}

/**
 * `generateSynthetic` one request at a time (undefined after the last), in constant memory: the
 * same draws from the same streams in the same order, so the same requests. What streamed runs pull.
 */
export function streamSynthetic(spec: SyntheticSpec, seed: number | string, load: EmpiricalLoader): () => DraftRequest | undefined {
  const arrivals = streamArrivals(spec.arrival, () => createStream(seed, 'arrivals'), spec.count, spec.durationS);
  const draft = drafter(spec, seed, load);
  let i = 0;
  return () => {
    const arrivalS = arrivals();
    return arrivalS === undefined ? undefined : draft(i++, arrivalS);
  };
}

/**
 * Request i arriving at `arrivalS`, from the samplers besides arrivals (each on its own named
 * stream), drawn in request order: what the in-memory and streamed generators share.
 */
function drafter(spec: SyntheticSpec, seed: number | string, load: EmpiricalLoader): (i: number, arrivalS: number) => DraftRequest {
  const p = spec.prompt;
  const shared = p.dist === 'shared-prefix' ? makeSharedPrefixPrompts(p, createStream(seed, 'shared-prefix')) : undefined;
  const prompt = p.dist === 'shared-prefix' ? () => p.systemTokens + p.questionTokens : makeLengthSampler(p, createStream(seed, 'prompt'), 'prompt', load);
  const output = makeLengthSampler(spec.output, createStream(seed, 'output'), 'output', load);
  const uRng = createStream(seed, 'uncertainty');
  const beta = spec.uncertainty;
  const model = spec.model;
  return (i, arrivalS) => {
    const u = beta ? uRng.beta(beta.a, beta.b) : NaN;
    const d: DraftRequest = { id: i, arrivalS, promptTokens: prompt(u), outputTokens: output(u) };
    if (beta) d.uncertainty = u;
    if (shared) d.prefix = shared(i);
    if (model !== undefined) d.model = model;
    return d;
  };
}
