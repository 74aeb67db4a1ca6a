import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { solveAssignment, type AssignmentProblem } from '../../src/policies/assignment.js';

function randomProblem(n: number, k: number, seed: string, minCount: number[]): AssignmentProblem {
  const rng = seedrandom.alea(seed);
  const cost = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) cost[i] = rng() * 2 - 1;
  return { queries: n, targets: k, cost, minCount };
}

/** Exhaustive search over all k^n assignments: the independent oracle for tiny instances. */
function bruteForce(p: AssignmentProblem): number {
  const { queries: n, targets: k } = p;
  let best = Infinity;
  const pick = new Array<number>(n).fill(0);
  for (let code = 0; code < k ** n; code++) {
    let c = code;
    for (let q = 0; q < n; q++) {
      pick[q] = c % k;
      c = Math.floor(c / k);
    }
    const counts = new Array<number>(k).fill(0);
    let total = 0;
    pick.forEach((t, q) => {
      counts[t]!++;
      total += p.cost[q * k + t]!;
    });
    if (counts.every((n, t) => n >= p.minCount[t]!) && total < best) best = total;
  }
  return best;
}

describe('quota-constrained assignment (HiGHS)', () => {
  it('LP and MILP both find the exhaustive-search optimum on tiny instances', () => {
    for (let s = 0; s < 12; s++) {
      const p = randomProblem(7, 3, `tiny${s}`, [1 + (s % 3), 2, s % 2]);
      const best = bruteForce(p);
      expect(solveAssignment(p, 'lp').objective).toBeCloseTo(best, 9);
      expect(solveAssignment(p, 'milp').objective).toBeCloseTo(best, 9);
    }
  });

  it('the LP optimum is integral and equals the MILP optimum at 200 queries (quotas binding)', () => {
    // Quotas max(1, 0.25 * gamma * n) with the paper's GPU shares, on costs that favour target 0.
    for (let s = 0; s < 3; s++) {
      const n = 200;
      const p = randomProblem(n, 3, `q200-${s}`, [0.05, 0.2, 0.75].map((g) => Math.ceil(Math.max(1, 0.25 * g * n))));
      for (let q = 0; q < n; q++) p.cost[q * 3]! -= 1.5; // target 0 cheapest: the other quotas bind
      const lp = solveAssignment(p, 'lp');
      const milp = solveAssignment(p, 'milp');
      expect(lp.objective).toBeCloseTo(milp.objective, 8);
      const counts = [0, 0, 0];
      for (const t of lp.target) counts[t]!++;
      expect(counts[1]).toBe(10); // exactly the quotas 10 and 38: binding
      expect(counts[2]).toBe(38);
    }
  });

  it('refuses quotas that the queries cannot meet', () => {
    expect(() => solveAssignment(randomProblem(3, 2, 'x', [2, 2]))).toThrow(/quotas need 4 queries but there are 3/);
  });
});
