import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { leastLoadedPolicy } from '../../src/policies/least-loaded.js';
import { randomPolicy } from '../../src/policies/random.js';
import { roundRobinPolicy } from '../../src/policies/round-robin.js';
import { simulate } from '../../src/simulation/simulate.js';
import { slotsGroup, tokenTimeCost } from '../support/models.js';
import { cluster, make, request, view } from './views.js';

const workload = Array.from({ length: 3000 }, (_, i) => request(i, i, 10, 10));
// Two models: model a on replicas 0, 1, 2 (group ga), model b on replica 3 (group gb).
const views = () => [view(0, { group: 'ga', model: 'a' }), view(1, { group: 'ga', model: 'a' }), view(2, { group: 'ga', model: 'a' }), view(3, { group: 'gb', model: 'b' })];
const ALL = [0, 1, 2, 3];

describe('baseline routing on hand-built views', () => {
  it('round-robin cycles over replicas, or over models then the least-loaded replica', () => {
    const c = cluster(views());
    const rr = make(roundRobinPolicy, {}, workload, c);
    expect([0, 1, 2, 3, 4].map((i) => rr.route(workload[i]!, ALL, c))).toEqual([0, 1, 2, 3, 0]);
    const byModel = make(roundRobinPolicy, { level: 'model' }, workload, c);
    c.devices[0]!.q = 2; // replica 0 busier: model a's least-loaded replica is 1
    expect([0, 1, 2, 3].map((i) => byModel.route(workload[i]!, ALL, c))).toEqual([1, 3, 1, 3]);
    expect(rr.priority).toBeUndefined(); // FCFS
  });

  it('least-loaded picks the fewest queued + running, ties to the lower index, within groups', () => {
    const c = cluster(views());
    c.devices[0]!.q = 1; c.devices[1]!.r = 1; c.devices[2]!.q = 2; c.devices[3]!.q = 3;
    expect(make(leastLoadedPolicy, {}, workload, c).route(workload[0]!, ALL, c)).toBe(0);
    c.devices[0]!.r = 1;
    expect(make(leastLoadedPolicy, {}, workload, c).route(workload[0]!, ALL, c)).toBe(1);
    expect(make(leastLoadedPolicy, { groups: ['gb'] }, workload, c).route(workload[0]!, ALL, c)).toBe(3);
    expect(make(fifoPolicy, { groups: ['gb'] }, workload, c).route(workload[0]!, ALL, c)).toBe(3);
  });

  it('rejects a group the cluster does not have, naming the parameter', () => {
    const c = cluster(views());
    const p = make(leastLoadedPolicy, { groups: ['ga', 'gpu'] }, workload, c);
    expect(() => p.route(workload[0]!, ALL, c)).toThrow(InputError);
    expect(() => make(leastLoadedPolicy, { groups: ['ga', 'gpu'] }, workload, c).route(workload[0]!, ALL, c)).toThrow(/policy\.params\.groups\[1\]: expected a device group of the cluster \(ga, gb\), found "gpu"/);
  });

  it('random is uniform over replicas (chi-square) and over models, and seeded', () => {
    const c = cluster(views());
    const counts = [0, 0, 0, 0];
    const p = make(randomPolicy, {}, workload, c, 7);
    for (const r of workload) counts[p.route(r, ALL, c)]!++;
    // Chi-square with 3 degrees of freedom; 16.27 is the 0.999 quantile (table value).
    const chi = counts.reduce((s, k) => s + (k - 750) ** 2 / 750, 0);
    expect(chi).toBeLessThan(16.27);
    const byModel = make(randomPolicy, { level: 'model' }, workload, c, 7);
    let toB = 0;
    for (const r of workload) if (byModel.route(r, ALL, c) === 3) toB++;
    // Half the queries to model b: binomial(3000, 0.5), sd 27.4; 4 sd either side.
    expect(Math.abs(toB - 1500)).toBeLessThan(110);
    const again = make(randomPolicy, {}, workload, c, 7);
    const first = workload.slice(0, 50).map((r) => again.route(r, ALL, c));
    const same = make(randomPolicy, {}, workload, c, 7);
    expect(workload.slice(0, 50).map((r) => same.route(r, ALL, c))).toEqual(first);
  });
});

describe('baselines end to end', () => {
  it('round-robin over two single-slot replicas gives the hand-computed finish times', () => {
    // Service = 1 s per output token. Arrivals at 0, 0, 0, 1 with 3, 2, 1, 1 tokens:
    // replica 0 gets requests 0 and 2 (0-3, 3-4), replica 1 gets 1 and 3 (0-2, 2-3).
    const requests = [request(0, 0, 1, 3), request(1, 0, 1, 2), request(2, 0, 1, 1), request(3, 1, 1, 1)];
    const res = simulate({ requests, cluster: [slotsGroup(tokenTimeCost(1), 1, 2)], policy: roundRobinPolicy, policyParams: roundRobinPolicy.params.parse({}), seed: 1 });
    expect(Array.from(res.records.finishS)).toEqual([3, 2, 4, 3]);
    expect(Array.from(res.records.device)).toEqual([0, 1, 0, 1]);
  });
});
