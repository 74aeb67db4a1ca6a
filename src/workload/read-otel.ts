import { InputError, describeValue } from '../errors.js';
import { MAX_TIME_S } from '../limits.js';
import { parseTokenCell } from './cells.js';
import type { DraftRequest } from './draft.js';
import { parseJsonDocument } from './read-json-doc.js';

/** GenAI semantic-convention attributes read from each span. */
export const OTEL_ATTRIBUTES = { input: 'gen_ai.usage.input_tokens', output: 'gen_ai.usage.output_tokens', model: 'gen_ai.request.model', responseModel: 'gen_ai.response.model' } as const;

/**
 * Reads OpenTelemetry spans exported as OTLP JSON (`{ resourceSpans: [{ scopeSpans: [{ spans }] }] }`,
 * what the collector's file exporter and `otel-cli` write; one such object per line is also
 * read): every span with `gen_ai.usage.input_tokens` and `gen_ai.usage.output_tokens`
 * (OpenTelemetry GenAI semantic conventions) is one request, arriving at its
 * `startTimeUnixNano` (made relative to the earliest, exactly: nanoseconds are integers), with
 * model `gen_ai.request.model` (or `gen_ai.response.model`). Other spans (HTTP, tools) are left
 * out. Spans are replayed in start order (an export lists them in any order).
 */
export function parseOtelSpans(text: string, file: string): DraftRequest[] {
  const trimmed = text.replace(/^\ufeff/, '').trim();
  const docs: { doc: unknown; line: number | undefined }[] = [];
  if (trimmed.startsWith('{') && trimmed.includes('\n{')) {
    let line = 0;
    for (const raw of trimmed.split('\n')) {
      line++;
      if (raw.trim() !== '') docs.push({ doc: parseJsonDocument(raw, `${file}:${line}`, 'an OTLP JSON object per line'), line });
    }
  } else docs.push({ doc: parseJsonDocument(trimmed, file, 'OTLP JSON spans'), line: undefined });
  const found: { start: bigint; d: DraftRequest }[] = [];
  for (const { doc, line } of docs) {
    const resourceSpans = (doc as Record<string, unknown> | null)?.resourceSpans;
    if (!Array.isArray(resourceSpans)) throw new InputError({ file, line, field: 'resourceSpans' }, `expected OTLP JSON ({ resourceSpans: [{ scopeSpans: [{ spans: [...] }] }] }), found ${describeValue(resourceSpans === undefined ? doc : resourceSpans)}`);
    resourceSpans.forEach((rs, r) => {
      const scopes = (rs as Record<string, unknown> | null)?.scopeSpans;
      (Array.isArray(scopes) ? scopes : []).forEach((ss, s) => {
        const spans = (ss as Record<string, unknown> | null)?.spans;
        (Array.isArray(spans) ? spans : []).forEach((span, k) => {
          const field = `resourceSpans[${r}].scopeSpans[${s}].spans[${k}]`;
          const attrs = attributes(span, file, line, field);
          if (!attrs.has(OTEL_ATTRIBUTES.input) || !attrs.has(OTEL_ATTRIBUTES.output)) return;
          const startText = (span as Record<string, unknown>).startTimeUnixNano;
          if ((typeof startText !== 'string' && typeof startText !== 'number') || !/^\d+$/.test(String(startText))) {
            throw new InputError({ file, line, field: `${field}.startTimeUnixNano` }, `expected nanoseconds since 1970 (digits), found ${describeValue(startText)}`);
          }
          const model = attrs.get(OTEL_ATTRIBUTES.model) ?? attrs.get(OTEL_ATTRIBUTES.responseModel);
          const d: DraftRequest = {
            id: 0,
            arrivalS: 0,
            promptTokens: parseTokenCell(attrs.get(OTEL_ATTRIBUTES.input) as number, { file, line, field: `${field}.${OTEL_ATTRIBUTES.input}` }),
            outputTokens: parseTokenCell(attrs.get(OTEL_ATTRIBUTES.output) as number, { file, line, field: `${field}.${OTEL_ATTRIBUTES.output}` }),
          };
          if (typeof model === 'string' && model !== '') d.model = model;
          found.push({ start: BigInt(String(startText)), d });
        });
      });
    });
  }
  if (found.length === 0) throw new InputError({ file }, `expected spans with ${OTEL_ATTRIBUTES.input} and ${OTEL_ATTRIBUTES.output} (OpenTelemetry GenAI conventions), found none`);
  found.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const t0 = found[0]!.start;
  return found.map(({ start, d }, i) => {
    const ns = start - t0;
    const arrivalS = Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
    if (arrivalS > MAX_TIME_S) throw new InputError({ file }, `expected spans within ${MAX_TIME_S} s of the first, found one ${arrivalS} s later`);
    return { ...d, id: i, arrivalS };
  });
}

/** A span's attributes as a map: OTLP JSON's `[{ key, value: { intValue | stringValue | doubleValue } }]`. */
function attributes(span: unknown, file: string, line: number | undefined, field: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const list = (span as Record<string, unknown> | null)?.attributes;
  if (list === undefined) return out;
  if (!Array.isArray(list)) throw new InputError({ file, line, field: `${field}.attributes` }, `expected a list of { key, value }, found ${describeValue(list)}`);
  for (const a of list) {
    const key = (a as Record<string, unknown> | null)?.key;
    const value = (a as Record<string, unknown> | null)?.value as Record<string, unknown> | undefined;
    if (typeof key !== 'string' || value === null || typeof value !== 'object') continue;
    // int64 is a string in OTLP JSON ("intValue": "512").
    const v = value.intValue ?? value.doubleValue ?? value.stringValue;
    out.set(key, typeof value.intValue === 'string' && /^\d+$/.test(value.intValue) ? Number(value.intValue) : v);
  }
  return out;
}
