import { describe, expect, it } from 'vitest';
import { validate } from '../../src/util/validate.js';
import { finalizeIds } from '../../src/workload/draft.js';
import { buildWorkload, workloadSchema, type WorkloadInput } from '../../src/workload/index.js';
import type { Request } from '../../src/workload/request.js';
import { mean } from './stats.js';

type SessionsInput = NonNullable<WorkloadInput['sessions']>;
// Sessions start at 1, 2, 3, ... s; 2 turns each; messages of 10 tokens, answers of 100; 2 s to think.
const FIXED: SessionsInput = {
  count: 2,
  arrival: { process: 'deterministic', rateRps: 1 },
  turns: { dist: 'fixed', tokens: 3 },
  userTokens: { dist: 'fixed', tokens: 10 },
  outputTokens: { dist: 'fixed', tokens: 100 },
  thinkS: { dist: 'fixed', valueS: 2 },
};

function sessions(over: Partial<SessionsInput> = {}, seed = 1, extra: Partial<WorkloadInput> = {}): Request[] {
  return buildWorkload(validate(workloadSchema, { sessions: { ...FIXED, ...over }, ...extra }), { baseDir: '/', seed, specFile: 's.yaml' });
}

describe('sessions, by hand (fixed lengths)', () => {
  it('turn k: prompt = system + sum of earlier messages and answers + its message; the prefix names each part', () => {
    const r = sessions({ systemTokens: 50 });
    const sys = { id: 0, tokens: 50 };
    const u = (id: number) => ({ id, tokens: 10 });
    const a = (id: number) => ({ id, tokens: 100 });
    expect(r).toEqual([
      // A turn that has a successor names its answer (outputId): the next turn sends it back as history.
      { id: 0, arrivalS: 1, promptTokens: 60, outputTokens: 100, prefix: [sys, u(1)], outputId: 2 },
      { id: 1, arrivalS: NaN, promptTokens: 170, outputTokens: 100, prefix: [sys, u(1), a(2), u(3)], followUp: { after: 0, thinkS: 2 }, outputId: 4 },
      { id: 2, arrivalS: NaN, promptTokens: 280, outputTokens: 100, prefix: [sys, u(1), a(2), u(3), a(4), u(5)], followUp: { after: 1, thinkS: 2 } },
      { id: 3, arrivalS: 2, promptTokens: 60, outputTokens: 100, prefix: [sys, u(6)], outputId: 7 },
      { id: 4, arrivalS: NaN, promptTokens: 170, outputTokens: 100, prefix: [sys, u(6), a(7), u(8)], followUp: { after: 3, thinkS: 2 }, outputId: 9 },
      { id: 5, arrivalS: NaN, promptTokens: 280, outputTokens: 100, prefix: [sys, u(6), a(7), u(8), a(9), u(10)], followUp: { after: 4, thinkS: 2 } },
    ]);
    // The last turn's answer is never sent back, so it has no outputId.
    expect('outputId' in r[2]!).toBe(false);
  });

  it('without a system prompt the first message has id 0; a model applies to every turn', () => {
    const r = sessions({ count: 1, turns: { dist: 'fixed', tokens: 2 }, model: 'm' });
    expect(r.map((x) => x.prefix)).toEqual([[{ id: 0, tokens: 10 }], [{ id: 0, tokens: 10 }, { id: 1, tokens: 100 }, { id: 2, tokens: 10 }]]);
    expect(r.map((x) => x.promptTokens)).toEqual([10, 120]);
    expect(r.every((x) => x.model === 'm')).toBe(true);
  });
});

describe('workload steps on sessions', () => {
  // Four sessions of two turns starting at 1, 2, 3, 4 s: requests 0-1, 2-3, 4-5, 6-7.
  const four = { count: 4, turns: { dist: 'fixed', tokens: 2 } } as const;

  it('rateScale divides session starts, not think times', () => {
    const r = sessions(four, 1, { rateScale: 2 });
    expect(r.map((x) => x.arrivalS)).toEqual([0.5, NaN, 1, NaN, 1.5, NaN, 2, NaN]);
    expect(r.filter((x) => x.followUp).map((x) => x.followUp!.thinkS)).toEqual([2, 2, 2, 2]);
  });

  it('window keeps whole sessions by their start and renumbers the follow-ups', () => {
    const r = sessions(four, 1, { window: { startS: 2, endS: 4 } });
    // Sessions starting at 2 and 3 s, shifted by 2 s.
    expect(r.map((x) => [x.id, x.arrivalS, x.followUp?.after])).toEqual([[0, 0, undefined], [1, NaN, 0], [2, 1, undefined], [3, NaN, 2]]);
    // Session 2's first message: each two-turn session names 3 parts (message, answer, message).
    expect(r[2]!.prefix).toEqual([{ id: 6, tokens: 10 }]);
  });

  it('limit keeps the first N requests, cutting only the last session short; deadlines apply to every turn', () => {
    const r = sessions(four, 1, { limit: 3, deadline: { fixedS: 9 } });
    expect(r.map((x) => [x.arrivalS, x.followUp?.after, x.deadlineS])).toEqual([[1, undefined, 9], [NaN, 0, 9], [2, undefined, 9]]);
  });

  it('think times stay finite even where a draw would overflow (simulate refuses Infinity)', () => {
    const think = sessions({ count: 200, turns: { dist: 'fixed', tokens: 2 }, thinkS: { dist: 'lognormal', medianS: 1e9, sigma: 20 } })
      .filter((x) => x.followUp)
      .map((x) => x.followUp!.thinkS);
    // Half the draws exceed the median, the largest allowed (MAX_TIME_S): those are clamped to it.
    expect(think.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
    expect(think.filter((s) => s === 1e9).length).toBeGreaterThan(0);
  });

  it('finalizeIds renumbers follow-ups and refuses one whose request is not before it', () => {
    const a = () => ({ id: 7, arrivalS: 0, promptTokens: 1, outputTokens: 1 });
    expect(finalizeIds([a(), { ...a(), id: 9, arrivalS: NaN, followUp: { after: 7, thinkS: 1 } }])[1]!.followUp).toEqual({ after: 0, thinkS: 1 });
    expect(() => finalizeIds([{ ...a(), followUp: { after: 3, thinkS: 1 } }])).toThrow('request 7 follows request 3, which is not before it in the workload');
  });

  it('a duration too short for one session is an InputError at sessions.durationS', () => {
    expect(() => sessions({ count: undefined, durationS: 0.5 })).toThrow('s.yaml: workload.sessions.durationS: expected a duration long enough for one arrival, found none in 0.5 s at 1 req/s');
  });

  it('more than 1,000 turns per session, or 100,000,000 prefix segments in all, is an InputError at sessions', () => {
    expect(() => sessions({ turns: { dist: 'fixed', tokens: 1001 } })).toThrow('sessions.turns.tokens: expected at most 1000 turns per session, found 1001');
    expect(() => validate(workloadSchema, { sessions: { ...FIXED, count: 300, turns: { dist: 'fixed', tokens: 1000 } } })).toThrow('sessions.count: expected count x turns^2 <= 100000000 prefix segments (turns 1000), found 300');
  });
});

describe('sessions, random', () => {
  const RANDOM: Partial<SessionsInput> = {
    count: 4000,
    arrival: { process: 'poisson', rateRps: 2 },
    turns: { dist: 'uniform', min: 1, max: 8 },
    userTokens: { dist: 'lognormal', median: 60, sigma: 0.8 },
    outputTokens: { dist: 'lognormal', median: 200, sigma: 0.6 },
    thinkS: { dist: 'exponential', meanS: 5 },
    systemTokens: 30,
  };
  const r = sessions(RANDOM);

  it('every turn extends the one before it by an answer and a message; ids are fresh', () => {
    const seen = new Set<number>([0]);
    let sessionsSeen = 0;
    let lastStartS = 0;
    const bad: string[] = [];
    const check = (ok: boolean, what: string, i: number) => ok || bad.push(`request ${i}: ${what}`);
    r.forEach((x, i) => {
      const prefix = x.prefix!;
      check(prefix.reduce((sum, p) => sum + p.tokens, 0) === x.promptTokens, 'prefix covers the prompt', i);
      check(prefix[0]!.id === 0 && prefix[0]!.tokens === 30, 'system prompt first', i);
      if (!x.followUp) {
        sessionsSeen++;
        check(prefix.length === 2 && x.arrivalS >= lastStartS, 'a first turn: system + message, starts in order', i);
        lastStartS = x.arrivalS;
      } else {
        const prev = r[i - 1]!;
        check(x.followUp.after === i - 1 && Number.isNaN(x.arrivalS), 'follows the turn before, arrival NaN', i);
        check(JSON.stringify(prefix.slice(0, -2)) === JSON.stringify(prev.prefix), "extends the previous turn's prefix", i);
        check(prefix.at(-2)!.tokens === prev.outputTokens && prefix.at(-2)!.id === prev.outputId, "names the previous answer by the previous turn's outputId", i);
        check(x.promptTokens === prev.promptTokens + prev.outputTokens + prefix.at(-1)!.tokens, 'prompt = previous prompt + answer + message', i);
      }
      for (const p of prefix.slice(x.followUp ? -2 : -1)) {
        check(!seen.has(p.id), `fresh id ${p.id}`, i);
        seen.add(p.id);
      }
    });
    expect(bad.slice(0, 5)).toEqual([]);
    expect(sessionsSeen).toBe(4000);
  });

  it('turn counts follow the distribution (uniform 1..8); think times have mean 5 s', () => {
    const counts = new Array<number>(9).fill(0);
    let k = 0;
    for (let i = 0; i <= r.length; i++) {
      if (i > 0 && (i === r.length || !r[i]!.followUp)) counts[k]!++;
      k = i < r.length && !r[i]!.followUp ? 1 : k + 1;
    }
    expect(counts[0]).toBe(0);
    // Each count ~ Binomial(4000, 1/8): mean 500, sd 20.9.
    for (let t = 1; t <= 8; t++) expect(Math.abs(counts[t]! - 500)).toBeLessThan(4.5 * 20.9);
    const think = r.filter((x) => x.followUp).map((x) => x.followUp!.thinkS);
    expect(Math.abs(mean(think) - 5)).toBeLessThan((4.5 * 5) / Math.sqrt(think.length));
  });

  it('only last turns lack an outputId', () => {
    r.forEach((x, i) => expect(x.outputId === undefined, `request ${i}`).toBe(i + 1 === r.length || !r[i + 1]!.followUp));
  });

  it('the seed fixes everything; each part draws from its own stream', () => {
    expect(sessions(RANDOM)).toEqual(r);
    expect(sessions(RANDOM, 2)).not.toEqual(r);
    const userTokens = (x: Request) => x.prefix!.at(-1)!.tokens;
    const other = sessions({ ...RANDOM, thinkS: { dist: 'lognormal', medianS: 3, sigma: 1 }, outputTokens: { dist: 'fixed', tokens: 7 } });
    expect(other.map((x) => [x.arrivalS, x.followUp?.after, userTokens(x)])).toEqual(r.map((x) => [x.arrivalS, x.followUp?.after, userTokens(x)]));
    expect(other.every((x) => x.outputTokens === 7)).toBe(true);
  });
});

describe('sessions schema', () => {
  it('one source only; session lengths have no empirical form', () => {
    const bad = (input: unknown) => () => validate(workloadSchema, input);
    expect(bad({ sessions: FIXED, synthetic: { count: 1, arrival: FIXED.arrival, prompt: FIXED.userTokens, output: FIXED.outputTokens } })).toThrow(
      'sessions: expected exactly one of trace, synthetic or sessions',
    );
    expect(bad({ sessions: { ...FIXED, userTokens: { dist: 'empirical', path: 'x.csv' } } })).toThrow(/sessions\.userTokens\.dist: expected dist to be one of "fixed", "uniform", "lognormal", found "empirical"/);
    expect(bad({ sessions: { ...FIXED, thinkS: { dist: 'exponential', meanS: 0 } } })).toThrow(/sessions\.thinkS\.meanS: expected > 0, found 0/);
    expect(bad({ sessions: { ...FIXED, count: undefined } })).toThrow(/sessions: expected count or durationS \(or both\)/);
  });
});
