import { createStream } from '../util/rng.js';
import { streamArrivals } from './arrivals.js';
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
  const next = streamSynthetic(spec, seed, load);
  const out: DraftRequest[] = [];
  for (let d = next(); d !== undefined; d = next()) out.push(d);
  return out;
}

/**
 * `generateSynthetic` one request at a time (undefined after the last), in constant memory: the
 * same draws from the same streams in the same order, so the same requests. What streamed runs pull.
 */
export function streamSynthetic(spec: SyntheticSpec, seed: number | string, load: EmpiricalLoader): () => DraftRequest | undefined {
  const arrivals = streamArrivals(spec.arrival, () => createStream(seed, 'arrivals'), spec.count, spec.durationS);
  const p = spec.prompt;
  const shared = p.dist === 'shared-prefix' ? makeSharedPrefixPrompts(p, createStream(seed, 'shared-prefix')) : undefined;
  const prompt = p.dist === 'shared-prefix' ? () => p.systemTokens + p.questionTokens : makeLengthSampler(p, createStream(seed, 'prompt'), 'prompt', load);
  const output = makeLengthSampler(spec.output, createStream(seed, 'output'), 'output', load);
  const uRng = createStream(seed, 'uncertainty');
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
