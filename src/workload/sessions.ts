import { z } from 'zod';
import { MAX_PREFIX_SEGMENTS, MAX_TIME_S, MAX_TOKENS, MAX_TURNS } from '../limits.js';
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
    durationS: z.number().positive().max(MAX_TIME_S).optional().describe('Start sessions in [0, durationS) (give count or durationS)'),
    arrival: arrivalSchema.describe('Arrival process of session starts (first turns)'),
    turns: plainLengthSchema.describe(`Turns per session (a length distribution: its tokens, min, max, median count turns); at most ${MAX_TURNS} turns`),
    userTokens: plainLengthSchema.describe('Tokens of each user message'),
    outputTokens: plainLengthSchema.describe('Tokens of each answer (the output of each turn)'),
    thinkS: thinkTimeSchema.optional().describe('Seconds from the end of a turn to the next user message (required unless tool is given)'),
    systemTokens: tokens().optional().describe('Tokens of one system prompt that opens every session (none if omitted)'),
    model: z.string().min(1).optional().describe('Model name for every request'),
    history: z
      .boolean()
      .default(true)
      .describe('true: each turn sends the conversation so far (chat); false: each turn sends only the system prompt and its own message, a closed-loop population of independent requests'),
    tool: z
      .strictObject({
        durationS: thinkTimeSchema.describe('Seconds a tool call takes, from the end of a call to the next call'),
        resultTokens: plainLengthSchema.describe('Tokens of each tool result, appended to the next call'),
      })
      .optional()
      .describe('Agent sessions: after each call but the last a tool runs (durationS) and the next call sends the conversation so far plus its result (no user message); replaces thinkS'),
  })
  .superRefine((v, ctx) => {
    countOrDuration(v, ctx);
    if ((v.thinkS === undefined) === (v.tool === undefined)) ctx.addIssue({ code: 'custom', path: v.tool ? ['thinkS'] : [], message: `expected exactly one of thinkS (users) or tool (agents), found ${v.tool ? 'both' : 'neither'}` });
    if (v.tool && !v.history) ctx.addIssue({ code: 'custom', path: ['history'], message: 'expected history: true with tool (an agent call sends the conversation so far)' });
    const t = v.turns;
    const [key, most] = t.dist === 'fixed' ? ['tokens', t.tokens] : t.dist === 'uniform' ? ['max', t.max] : ['median', t.median];
    if (most > MAX_TURNS) ctx.addIssue({ code: 'custom', path: ['turns', key], message: `expected at most ${MAX_TURNS} turns per session` });
    // Turn k's prefix names ~2k segments, so a session of K turns holds ~K^2: say so before generating.
    else if (t.dist === 'fixed' && v.count !== undefined && v.count * t.tokens ** 2 > MAX_PREFIX_SEGMENTS) {
      ctx.addIssue({ code: 'custom', path: ['count'], message: `expected count x turns^2 <= ${MAX_PREFIX_SEGMENTS} prefix segments (turns ${t.tokens})` });
    }
  });
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
  const starts = generateArrivals(spec.arrival, () => createStream(seed, 'arrivals'), spec.count, spec.durationS);
  const turns = makeLengthSampler(spec.turns, createStream(seed, 'turns'), 'prompt', noFiles);
  const user = makeLengthSampler(spec.userTokens, createStream(seed, 'user'), 'prompt', noFiles);
  const output = makeLengthSampler(spec.outputTokens, createStream(seed, 'output'), 'output', noFiles);
  // Agents: the wait is the tool's duration and the next call's new part its result (own streams).
  const think = spec.tool ? makeThinkSampler(spec.tool.durationS, createStream(seed, 'tool')) : makeThinkSampler(spec.thinkS!, createStream(seed, 'think'));
  const toolResult = spec.tool && makeLengthSampler(spec.tool.resultTokens, createStream(seed, 'tool-result'), 'prompt', noFiles);
  let nextId = 0;
  const system: PrefixSegment | undefined = spec.systemTokens === undefined ? undefined : { id: nextId++, tokens: spec.systemTokens };
  const out: DraftRequest[] = [];
  let segments = 0;
  for (let s = 0; s < starts.length; s++) {
    const k = turns(NaN);
    if (k > MAX_TURNS) throw new InputError({ ...place, field: `${place.field}.turns` }, `expected at most ${MAX_TURNS} turns per session, found ${k} drawn in session ${s} (give the distribution a max)`);
    if (out.length + k > MAX_SYNTHETIC_REQUESTS) throw new InputError(place, `expected at most ${MAX_SYNTHETIC_REQUESTS} requests in all sessions, found more by session ${s}`);
    const chain: PrefixSegment[] = system ? [system] : [];
    // Tokens of the conversation before this turn's user message.
    let context = system ? system.tokens : 0;
    for (let t = 1; t <= k; t++) {
      // Without history a turn is the system prompt and its own message only.
      if (!spec.history) (chain.length = system ? 1 : 0), (context = system ? system.tokens : 0);
      const message: PrefixSegment = { id: nextId++, tokens: t > 1 && toolResult ? toolResult(NaN) : user(NaN) };
      chain.push(message);
      segments += chain.length;
      if (segments > MAX_PREFIX_SEGMENTS) throw new InputError(place, `expected at most ${MAX_PREFIX_SEGMENTS} prefix segments in all sessions (turn k names about 2k), found more by session ${s}; use fewer sessions or turns`);
      const d: DraftRequest = { id: out.length, arrivalS: t === 1 ? starts[s]! : NaN, promptTokens: context + message.tokens, outputTokens: output(NaN), prefix: chain.slice() };
      if (t > 1) d.followUp = { after: out.length - 1, thinkS: think() };
      if (spec.model !== undefined) d.model = spec.model;
      out.push(d);
      if (t < k && spec.history) {
        // The answer is sent back as history: name the generated tokens so its KV blocks are cacheable.
        const answer = { id: nextId++, tokens: d.outputTokens };
        d.outputId = answer.id;
        chain.push(answer);
      }
      context = d.promptTokens + d.outputTokens;
      if (context > MAX_TOKENS && t < k) throw new InputError(place, `expected conversations of at most ${MAX_TOKENS} tokens, found ${context} after turn ${t} of session ${s}`);
    }
  }
  return out;
}
