import { InputError, describeValue } from '../errors.js';
import { MAX_TOKENS } from '../limits.js';
import { parseTokenCell } from './cells.js';
import type { DraftRequest } from './draft.js';
import { parseJsonDocument } from './read-json-doc.js';

/** Characters per token of the estimate used when a turn gives no token count (OpenAI's rule of thumb for English text). */
export const CHARS_PER_TOKEN = 4;

/**
 * Reads a ShareGPT-style conversation file: a JSON array of `{ conversations: [{ from, value }] }`
 * (`from`: human/user then gpt/assistant/chatgpt). As vLLM's benchmark does, each conversation
 * gives one request: its first human turn is the prompt and the reply that follows is the output;
 * conversations without such a pair are left out. Token counts: a turn's `tokens` (or
 * `num_tokens`) when given, else an ESTIMATE of ceil(characters / 4) - not a tokenizer's count
 * (it can be off by tens of percent for code and non-English text; the README says so). Arrivals:
 * a conversation's `timestamp` (seconds, sorted) when every one has it, else all at 0 (an offline
 * batch, as `vllm bench serve --request-rate inf`): pace them with `workload.maxConcurrency`.
 */
export function parseShareGpt(text: string, file: string): DraftRequest[] {
  const doc = parseJsonDocument(text, file, 'a ShareGPT JSON array of conversations');
  if (!Array.isArray(doc)) throw new InputError({ file }, `expected a ShareGPT JSON array of conversations, found ${describeValue(doc)}`);
  const out: DraftRequest[] = [];
  const timed = doc.length > 0 && doc.every((c) => c !== null && typeof c === 'object' && typeof (c as Record<string, unknown>).timestamp === 'number');
  let prev = 0;
  doc.forEach((conv, i) => {
    const field = `[${i}]`;
    if (conv === null || typeof conv !== 'object' || Array.isArray(conv)) throw new InputError({ file, field }, `expected a conversation object, found ${describeValue(conv)}`);
    const turns = (conv as Record<string, unknown>).conversations;
    if (!Array.isArray(turns)) throw new InputError({ file, field: `${field}.conversations` }, `expected a list of turns { from, value }, found ${describeValue(turns)}`);
    const h = turns.findIndex((t) => isTurn(t) && /^(human|user)$/i.test(t.from));
    if (h < 0 || h + 1 >= turns.length) return;
    const reply = turns[h + 1];
    const prompt = turns[h] as Turn;
    if (!isTurn(reply) || !/^(gpt|assistant|chatgpt|bard|bing)$/i.test(reply.from)) return;
    const arrivalS = timed ? ((conv as Record<string, unknown>).timestamp as number) : 0;
    if (timed && arrivalS < prev) throw new InputError({ file, field: `${field}.timestamp` }, `expected conversations sorted by timestamp: a time >= ${prev}, found ${arrivalS}`);
    prev = arrivalS;
    out.push({ id: out.length, arrivalS, promptTokens: tokensOf(prompt, file, `${field}.conversations[${h}]`), outputTokens: tokensOf(reply, file, `${field}.conversations[${h + 1}]`) });
  });
  if (out.length === 0) throw new InputError({ file }, 'expected at least one conversation with a human turn and a reply, found none');
  return out;
}

interface Turn {
  from: string;
  value: string;
  tokens?: unknown;
  num_tokens?: unknown;
}

function isTurn(t: unknown): t is Turn {
  return t !== null && typeof t === 'object' && typeof (t as Turn).from === 'string' && typeof (t as Turn).value === 'string';
}

function tokensOf(t: Turn, file: string, field: string): number {
  const given = t.tokens ?? t.num_tokens;
  if (given !== undefined) return parseTokenCell(given as number, { file, line: undefined, field: `${field}.tokens` });
  return Math.min(MAX_TOKENS, Math.max(1, Math.ceil([...t.value].length / CHARS_PER_TOKEN)));
}
