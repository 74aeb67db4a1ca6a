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
  const { prompt, output, uRng, shared } = ingredients(spec, seed, load);
  const beta = spec.uncertainty;
  const model = spec.model;
  const out: DraftRequest[] = [];
  for (let i = 0; i < times.length; i++) {
    const u = beta ? uRng.beta(beta.a, beta.b) : NaN;
    const d: DraftRequest = { id: i, arrivalS: times[i]!, promptTokens: prompt(u), outputTokens: output(u) };
    if (beta) d.uncertainty = u;
    if (shared) d.prefix = shared(i);
    if (model !== undefined) d.model = model;
    out.push(d);
  }
  return out;
}

/**
 * `generateSynthetic` one request at a time (undefined after the last), in constant memory: the
 * same draws from the same streams in the same order, so the same requests. What streamed runs pull.
 */
export function streamSynthetic(spec: SyntheticSpec, seed: number | string, load: EmpiricalLoader): () => DraftRequest | undefined {
  const arrivals = streamArrivals(spec.arrival, () => createStream(seed, 'arrivals'), spec.count, spec.durationS);
  const { prompt, output, uRng, shared } = ingredients(spec, seed, load);
  const beta = spec.uncertainty;
  let i = 0;
  return () => {
    const arrivalS = arrivals();
    if (arrivalS === undefined) return undefined;
    const u = beta ? uRng.beta(beta.a, beta.b) : NaN;
    const d: DraftRequest = { id: i, arrivalS, promptTokens: prompt(u), outputTokens: output(u) };
    if (beta) d.uncertainty = u;
    if (shared) d.prefix = shared(i);
    if (spec.model !== undefined) d.model = spec.model;
    i++;
    return d;
  };
}

/** A synthetic workload's samplers besides arrivals, each on its own named stream. */
function ingredients(spec: SyntheticSpec, seed: number | string, load: EmpiricalLoader) {
  const p = spec.prompt;
  const shared = p.dist === 'shared-prefix' ? makeSharedPrefixPrompts(p, createStream(seed, 'shared-prefix')) : undefined;
  const prompt = p.dist === 'shared-prefix' ? () => p.systemTokens + p.questionTokens : makeLengthSampler(p, createStream(seed, 'prompt'), 'prompt', load);
  const output = makeLengthSampler(spec.output, createStream(seed, 'output'), 'output', load);
  return { prompt, output, uRng: createStream(seed, 'uncertainty'), shared };
}
