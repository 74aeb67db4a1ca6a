// A policy must route each request to one of the replicas it was offered (those serving the
// request's model). simulate and simulateStream check that with a per-array mask (O(1) per
// request) instead of scanning the array. Oracles: Array.prototype.includes, and hand-picked
// choices in a two-model cluster whose eligible sets are known.
import { describe, expect, it } from 'vitest';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { definePolicy } from '../../src/policies/policy.js';
import { STATUS_FINISHED } from '../../src/metrics/records.js';
import { eligibilityCheck, simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import { simulateStream } from '../../src/simulation/stream.js';
import type { Request } from '../../src/workload/request.js';
import { req, slotsGroup, tokenTimeCost } from '../support/models.js';

describe('eligibilityCheck', () => {
  it('answers as includes() for members, non-members, and choices that are no replica index', () => {
    const sets: number[][] = [[0, 1, 2, 3, 4, 5], [1, 3, 5], [0], [4, 2], []];
    const check = eligibilityCheck(6);
    const choices = [-1, 0, 1, 2, 3, 4, 5, 6, 7, 1.5, -0, NaN, Infinity, 2 ** 31];
    // Alternate between the arrays, so both the kept last mask and the stored ones are read.
    for (let round = 0; round < 3; round++) {
      for (const s of sets) for (const c of choices) expect([s, c, check(s, c)]).toEqual([s, c, s.includes(c)]);
      for (const c of choices) for (const s of sets) expect([s, c, check(s, c)]).toEqual([s, c, s.includes(c)]);
    }
  });

  it('keeps one mask per array: an equal array of other identity is its own set', () => {
    const check = eligibilityCheck(4);
    const a = [0, 1];
    const b = [2, 3];
    expect(check(a, 1)).toBe(true);
    expect(check(b, 1)).toBe(false);
    expect(check(a, 2)).toBe(false);
    expect(check(b, 2)).toBe(true);
    expect(check([2], 2)).toBe(true);
    expect(check([2], 0)).toBe(false);
  });
});

/** Two models: replicas 0-1 serve "m", replicas 2-3 serve "n"; even ids ask for m, odd for n. */
function cluster(): PreparedDeviceGroup[] {
  const m = { ...slotsGroup(tokenTimeCost(0.01), 2, 2), name: 'm', model: 'm' };
  const n = { ...slotsGroup(tokenTimeCost(0.01), 2, 2), name: 'n', model: 'n' };
  return [m, n];
}

function workload(count: number): Request[] {
  return Array.from({ length: count }, (_v, i) => ({ ...req(i, i * 0.1, 10, 1 + (i % 7)), model: i % 2 === 0 ? 'm' : 'n' }));
}

/** Routes request `badId` to `bad`, every other request to the last replica it was offered. */
function policyChoosing(badId: number, bad: number) {
  const offered: number[][] = [];
  const policy = definePolicy({
    ...fifoPolicy,
    name: 'pick',
    create: () => ({
      route(r, eligible) {
        offered.push([...eligible]);
        return r.id === badId ? bad : eligible[eligible.length - 1]!;
      },
    }),
  });
  return { policy, offered };
}

function run(streamed: boolean, badId: number, bad: number) {
  const { policy, offered } = policyChoosing(badId, bad);
  const requests = workload(40);
  const input = { cluster: cluster(), policy, policyParams: fifoPolicy.params.parse({}), seed: 1 };
  if (!streamed) {
    const result = simulate({ ...input, requests });
    return { finished: result.records.status.filter((s) => s === STATUS_FINISHED).length, offered };
  }
  let i = 0;
  let finished = 0;
  simulateStream({ ...input, source: { next: () => requests[i++] } }, { take: (_r, records, row) => void (records.status[row] === STATUS_FINISHED && finished++) });
  return { finished, offered };
}

describe.each([false, true])('routing check, streamed %s', (streamed) => {
  it('accepts a choice among the replicas of the request model', () => {
    const { finished, offered } = run(streamed, -1, 0);
    expect(finished).toBe(40);
    // Each request was offered exactly its model's replicas.
    expect(offered).toEqual(workload(40).map((r) => (r.model === 'm' ? [0, 1] : [2, 3])));
  });

  it.each([
    [6, 0, true], // a replica of m for a request of m: eligible (the check lets it through)
    [6, 1, true],
    [6, 2, false], // a replica of n for a request of m
    [7, 1, false], // a replica of m for a request of n
    [7, 4, false], // no such replica
    [7, -1, false],
    [6, 0.5, false],
    [6, NaN, false],
  ])('request %i routed to replica %s: eligible %s', (id, chosen, ok) => {
    const go = () => run(streamed, id, chosen);
    if (ok) expect(go().finished).toBe(40);
    else expect(go).toThrow(`policy pick routed request ${id} to replica ${chosen}, which is not eligible`);
  });
});

// A source must hand out requests 0, 1, ... in arrival order, open loop only: the streamed run
// refuses anything else at the request that breaks the rule (hand-made sequences).
describe('streamed run: what the source hands out is checked', () => {
  const streamOf = (requests: Request[]) => () => {
    let i = 0;
    const input = { cluster: cluster(), policy: fifoPolicy, policyParams: fifoPolicy.params.parse({}), seed: 1 };
    simulateStream({ ...input, source: { next: () => requests[i++] } }, { take: () => {} });
  };
  it.each([
    ['an id out of place', [req(0, 0, 10, 2), req(2, 1, 10, 2)], 'simulate: request at position 1 has id 2'],
    ['a closed-loop turn', [req(0, 0, 10, 2), { ...req(1, 1, 10, 2), followUp: { after: 0, thinkS: 1 } }], 'simulate: request 1 is a closed-loop turn, which a streamed run does not take'],
    ['an arrival before the one before it', [req(0, 2, 10, 2), req(1, 1, 10, 2)], 'simulate: requests not sorted by arrival at id 1'],
    ['a NaN arrival', [req(0, 0, 10, 2), req(1, NaN, 10, 2)], 'simulate: requests not sorted by arrival at id 1'],
  ])('%s', (_what, requests, message) => {
    expect(streamOf(requests.map((r) => ({ ...r, model: 'm' })) as Request[])).toThrow(message);
  });
  it('takes the same requests when they keep the rules', () => {
    expect(streamOf([req(0, 0, 10, 2), req(1, 0, 10, 2), req(2, 3, 10, 2)].map((r) => ({ ...r, model: 'm' })))).not.toThrow();
  });
});
