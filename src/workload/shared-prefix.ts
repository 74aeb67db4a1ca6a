import { z } from 'zod';
import type { RandomStream } from '../util/rng.js';
import { tokens } from './dist-schema.js';
import type { PrefixSegment } from './request.js';

// Content ids go up to groups * (usersPerGroup + 1) - 1; 65,535 per axis keeps them below 2^32,
// the range the prefix cache keys blocks by exactly (id * 2^21 + offset must stay below 2^53).
const perAxis = () => z.number().int().min(1).max(65_535);

/** `synthetic.prompt` of kind `shared-prefix`: a fixed set of prompts sharing system prompts. */
export const sharedPrefixPromptSchema = z.strictObject({
  dist: z.literal('shared-prefix').describe("groups x usersPerGroup prompts, each a group's system prompt then its own question (inference-perf's shared_prefix data)"),
  groups: perAxis().describe('Distinct system prompts (at most 65,535)'),
  usersPerGroup: perAxis().describe('Distinct questions per system prompt (at most 65,535)'),
  systemTokens: tokens().describe('Tokens of each system prompt'),
  questionTokens: tokens().describe('Tokens of each question'),
  order: z
    .enum(['cycle', 'random'])
    .default('cycle')
    .describe('cycle: request i uses prompt i mod (groups * usersPerGroup), as inference-perf walks its prompt list; random: a uniform draw per request'),
});
/** A validated shared-prefix prompt spec. */
export type SharedPrefixSpec = z.output<typeof sharedPrefixPromptSchema>;

/**
 * The prefix of request i of a shared-prefix workload. Prompt p (p = i mod groups * usersPerGroup
 * for `cycle`, a uniform draw from `rng` for `random`) belongs to group g = floor(p / usersPerGroup)
 * and is [system prompt g, question p]: the whole prompt is named, so a repeated prompt is a full
 * hit. Ids: system prompt g is g and question p is groups + p, so the two kinds never collide.
 */
export function makeSharedPrefixPrompts(spec: SharedPrefixSpec, rng: RandomStream): (i: number) => readonly PrefixSegment[] {
  const { groups, usersPerGroup, systemTokens, questionTokens } = spec;
  const total = groups * usersPerGroup;
  // Prompts repeat (that is the point), so each one's segments are built once and shared.
  const built = new Map<number, readonly PrefixSegment[]>();
  return (i) => {
    const p = spec.order === 'cycle' ? i % total : rng.int(0, total - 1);
    let prefix = built.get(p);
    if (prefix === undefined) {
      prefix = [
        { id: Math.floor(p / usersPerGroup), tokens: systemTokens },
        { id: groups + p, tokens: questionTokens },
      ];
      built.set(p, prefix);
    }
    return prefix;
  };
}
