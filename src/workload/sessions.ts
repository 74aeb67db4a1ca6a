import { z } from 'zod';
import { InputError, type InputLocation } from '../errors.js';
import { createStream } from '../util/rng.js';
import { generateArrivals } from './arrivals.js';
import { MAX_SYNTHETIC_REQUESTS, arrivalSchema, countOrDuration, plainLengthSchema, tokens } from './dist-schema.js';
import type { DraftRequest } from './draft.js';
import { makeLengthSampler, type EmpiricalLoader } from './lengths.js';
import type { PrefixSegment } from './request.js';
import { makeThinkSampler, thinkTimeSchema } from './think-time.js';

/** The `workload.sessions` block: closed-loop multi-turn chat. */
export const sessionsSchema = z
  .strictObject({
    count: z.number().int().min(1).max(MAX_SYNTHETIC_REQUESTS).optional().describe('Number of sessions (give count or durationS)'),
    durationS: z.number().positive().optional().describe('Start sessions in [0, durationS) (give count or durationS)'),
    arrival: arrivalSchema.describe('Arrival process of session starts (first turns)'),
    turns: plainLengthSchema.describe('Turns per session (a length distribution: its tokens, min, max, median count turns)'),
    userTokens: plainLengthSchema.describe('Tokens of each user message'),
    outputTokens: plainLengthSchema.describe('Tokens of each answer (the output of each turn)'),
    thinkS: thinkTimeSchema.describe('Seconds from the end of a turn to the next user message'),
    systemTokens: tokens().optional().describe('Tokens of one system prompt that opens every session (none if omitted)'),
    model: z.string().min(1).optional().describe('Model name for every request'),
  })
  .superRefine(countOrDuration);
/** The validated `workload.sessions` block. */
export type SessionsSpec = z.output<typeof sessionsSchema>;

// Session lengths have no empirical form (the schema leaves it out), so no file is ever read.
const noFiles: EmpiricalLoader = () => {
  throw new Error('session length distributions read no files');
};

/**
 * Generates chat sessions. Session s starts at the s-th arrival and has K_s turns. Turn k's prompt
 * is the conversation so far, every part a prefix segment with a fresh id: [system?, user_1,
 * answer_1, ..., user_{k-1}, answer_{k-1}, user_k], so promptTokens = system + sum_{j<k}(user_j +
 * output_j) + user_k; answer j keeps its id in every later turn (it is the same text) and the
 * system prompt has id 0 in every session. A turn that has a next one carries its answer's id as
 * `outputId`. Turn 1 arrives at the session start; turn k > 1 has arrivalS NaN (known at run time)
 * and a followUp on turn k-1 with a drawn think time. Requests are listed session by session, so
 * first turns (the open-loop ones) stay sorted by arrival and a follow-up always comes after the
 * turn it waits for. Each ingredient has its own stream
 * (`arrivals`, `turns`, `user`, `output`, `think`); the number of turns decides how many message
 * draws a session takes, so changing `turns` moves later sessions' lengths, nothing else does.
 */
export function generateSessions(spec: SessionsSpec, seed: number | string, place: InputLocation): DraftRequest[] {
  const starts = generateArrivals(spec.arrival, createStream(seed, 'arrivals'), spec.count, spec.durationS);
  const turns = makeLengthSampler(spec.turns, createStream(seed, 'turns'), 'prompt', noFiles);
  const user = makeLengthSampler(spec.userTokens, createStream(seed, 'user'), 'prompt', noFiles);
  const output = makeLengthSampler(spec.outputTokens, createStream(seed, 'output'), 'output', noFiles);
  const think = makeThinkSampler(spec.thinkS, createStream(seed, 'think'));
  let nextId = 0;
  const system: PrefixSegment | undefined = spec.systemTokens === undefined ? undefined : { id: nextId++, tokens: spec.systemTokens };
  const out: DraftRequest[] = [];
  for (let s = 0; s < starts.length; s++) {
    const k = turns(NaN);
    if (out.length + k > MAX_SYNTHETIC_REQUESTS) throw new InputError(place, `expected at most ${MAX_SYNTHETIC_REQUESTS} requests in all sessions, found more by session ${s}`);
    const chain: PrefixSegment[] = system ? [system] : [];
    // Tokens of the conversation before this turn's user message.
    let context = system ? system.tokens : 0;
    for (let t = 1; t <= k; t++) {
      const message: PrefixSegment = { id: nextId++, tokens: user(NaN) };
      chain.push(message);
      const d: DraftRequest = { id: out.length, arrivalS: t === 1 ? starts[s]! : NaN, promptTokens: context + message.tokens, outputTokens: output(NaN), prefix: chain.slice() };
      if (t > 1) d.followUp = { after: out.length - 1, thinkS: think() };
      if (spec.model !== undefined) d.model = spec.model;
      out.push(d);
      if (t < k) {
        // The answer is sent back as history: name the generated tokens so its KV blocks are cacheable.
        const answer = { id: nextId++, tokens: d.outputTokens };
        d.outputId = answer.id;
        chain.push(answer);
      }
      context = d.promptTokens + d.outputTokens;
    }
  }
  return out;
}
