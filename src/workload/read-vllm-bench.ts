import { InputError, describeValue } from '../errors.js';
import { MAX_TIME_S } from '../limits.js';
import { parseTokenCell } from './cells.js';
import type { DraftRequest } from './draft.js';
import { parseJsonDocument } from './read-json-doc.js';

/**
 * Reads the JSON that `vllm bench serve --save-result --save-detailed` writes (vLLM's
 * benchmarks/serve.py): per request `input_lens` and `output_lens` (tokens; ttfts, itls and the
 * rest are ignored: llmsim computes its own). Requests with output 0 failed (their `errors` entry
 * is set) and are left out. Arrivals: `start_times` (epoch seconds, newer vLLM) made relative to
 * the first; without them, `request_rate` when finite spaces the requests evenly at 1/rate (vLLM
 * drew Poisson gaps it does not record: the mean rate is kept, the burstiness is not), and
 * `request_rate: "inf"` or none puts them all at 0 (vLLM's default: send everything at once).
 */
export function parseVllmBench(text: string, file: string): DraftRequest[] {
  const doc = parseJsonDocument(text, file, 'a vllm bench serve result');
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new InputError({ file }, `expected a vllm bench serve result (a JSON object with input_lens and output_lens), found ${describeValue(doc)}`);
  const o = doc as Record<string, unknown>;
  const list = (key: string): unknown[] => {
    const v = o[key];
    if (!Array.isArray(v)) throw new InputError({ file, field: key }, `expected a list (vllm bench serve --save-detailed writes it), found ${v === undefined ? 'no such key' : describeValue(v)}`);
    return v;
  };
  const inputs = list('input_lens');
  const outputs = list('output_lens');
  if (outputs.length !== inputs.length) throw new InputError({ file, field: 'output_lens' }, `expected as many entries as input_lens (${inputs.length}), found ${outputs.length}`);
  const starts = o.start_times === undefined ? undefined : list('start_times');
  if (starts && starts.length !== inputs.length) throw new InputError({ file, field: 'start_times' }, `expected as many entries as input_lens (${inputs.length}), found ${starts.length}`);
  const rate = o.request_rate;
  const gapS = typeof rate === 'number' && Number.isFinite(rate) && rate > 0 ? 1 / rate : 0;
  if (rate !== undefined && rate !== null && rate !== 'inf' && rate !== 'Infinity' && gapS === 0) throw new InputError({ file, field: 'request_rate' }, `expected a request rate > 0 or "inf", found ${describeValue(rate)}`);
  const order = inputs.map((_, i) => i);
  if (starts) {
    starts.forEach((t, i) => {
      if (typeof t !== 'number' || !Number.isFinite(t)) throw new InputError({ file, field: `start_times[${i}]` }, `expected a time in seconds, found ${describeValue(t)}`);
    });
    // Requests are listed in completion order by some versions: replay them by start time (stable).
    order.sort((a, b) => (starts[a] as number) - (starts[b] as number) || a - b);
  }
  const t0 = starts ? (starts[order[0]!] as number) : 0;
  const out: DraftRequest[] = [];
  order.forEach((i, k) => {
    if (outputs[i] === 0) return; // a failed request
    const arrivalS = starts ? (starts[i] as number) - t0 : k * gapS;
    if (arrivalS > MAX_TIME_S) throw new InputError({ file, field: starts ? `start_times[${i}]` : 'request_rate' }, `expected arrivals within ${MAX_TIME_S} s of the first, found ${arrivalS} s`);
    out.push({
      id: out.length,
      arrivalS,
      promptTokens: parseTokenCell(inputs[i] as number, { file, line: undefined, field: `input_lens[${i}]` }),
      outputTokens: parseTokenCell(outputs[i] as number, { file, line: undefined, field: `output_lens[${i}]` }),
    });
  });
  if (out.length === 0) throw new InputError({ file, field: 'output_lens' }, 'expected at least one request with output, found none');
  return out;
}
