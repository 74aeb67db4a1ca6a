import { highsRuntime } from './highs.js';

/**
 * Assign each of n queries to one of k targets (models, or hardware) at minimum total cost, with
 * at least minCount[t] queries on target t:
 *
 *   minimize  sum_q sum_t cost[q][t] x[q][t]
 *   s.t.      sum_t x[q][t] = 1          for every query q
 *             sum_q x[q][t] >= minCount[t] for every target t
 *             x binary (MILP), or 0 <= x <= 1 (LP)
 *
 * This is a transportation problem: its constraint matrix is the incidence matrix of a bipartite
 * graph (queries x targets), which is totally unimodular, so with integer minCounts every vertex
 * of the LP is integral and a simplex solve (which ends on a vertex) gives an optimal *binary*
 * assignment. The LP is what scales (50,000 queries x 3 targets in about two seconds); the MILP
 * exists to check it on small cases.
 */
export interface AssignmentProblem {
  readonly queries: number;
  readonly targets: number;
  /** cost[q * targets + t]. */
  readonly cost: Float64Array;
  /** Least number of queries per target (integers). */
  readonly minCount: readonly number[];
}

/** An optimal assignment. */
export interface Assignment {
  /** Target of each query. */
  readonly target: Int32Array;
  /** sum of cost over the assignment. */
  readonly objective: number;
}

/** Solves the problem with HiGHS: `lp` (dual simplex, integral by total unimodularity) or `milp` (branch and cut, gap 0). */
export function solveAssignment(p: AssignmentProblem, method: 'lp' | 'milp' = 'lp'): Assignment {
  const { queries: n, targets: k } = p;
  if (p.cost.length !== n * k) throw new Error(`solveAssignment: ${p.cost.length} costs for ${n} x ${k}`);
  const need = p.minCount.reduce((a, b) => a + b, 0);
  if (need > n) throw new Error(`solveAssignment: quotas need ${need} queries but there are ${n}`);
  for (const c of p.cost) if (!Number.isFinite(c)) throw new Error('solveAssignment: costs must be finite');
  const highs = highsRuntime();
  const cols = n * k;
  // Column x[q][t] = q*k + t has a 1 in assignment row q and in quota row n + t.
  const starts = new Int32Array(cols + 1);
  const indices = new Int32Array(2 * cols);
  const values = new Float64Array(2 * cols).fill(1);
  for (let j = 0; j < cols; j++) {
    starts[j] = 2 * j;
    indices[2 * j] = Math.floor(j / k);
    indices[2 * j + 1] = n + (j % k);
  }
  starts[cols] = 2 * cols;
  const rowLower = new Float64Array(n + k).fill(1);
  const rowUpper = new Float64Array(n + k).fill(1);
  for (let t = 0; t < k; t++) {
    rowLower[n + t] = p.minCount[t]!;
    rowUpper[n + t] = highs.infinity;
  }
  const model = {
    numCols: cols,
    numRows: n + k,
    colCost: p.cost,
    colLower: new Float64Array(cols),
    colUpper: new Float64Array(cols).fill(1),
    rowLower,
    rowUpper,
    matrix: { format: 'csc' as const, numRows: n + k, numCols: cols, starts, indices, values },
    ...(method === 'milp' ? { integrality: new Int32Array(cols).fill(highs.constants.variableType.integer) } : {}),
  };
  const x = highs.withModel(model, (m) => {
    m.options.set(method === 'lp' ? { output_flag: false, solver: 'simplex' } : { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0 });
    const run = m.run();
    if (run.modelStatus !== highs.constants.modelStatus.optimal) throw new Error(`solveAssignment: HiGHS ended with model status ${run.modelStatus}, not optimal`);
    return m.getSolution().colValue;
  });
  return readAssignment(p, x);
}

/** Reads the 0/1 solution back, checking that it is integral and feasible (a broken invariant otherwise). */
function readAssignment(p: AssignmentProblem, x: Float64Array): Assignment {
  const { queries: n, targets: k } = p;
  const target = new Int32Array(n).fill(-1);
  const counts = new Array<number>(k).fill(0);
  let objective = 0;
  for (let q = 0; q < n; q++) {
    for (let t = 0; t < k; t++) {
      const v = x[q * k + t]!;
      if (v > 1e-6 && v < 1 - 1e-6) throw new Error(`solveAssignment: fractional value ${v} for query ${q}, target ${t}`);
      if (v >= 0.5) {
        if (target[q] !== -1) throw new Error(`solveAssignment: query ${q} assigned twice`);
        target[q] = t;
        counts[t]!++;
        objective += p.cost[q * k + t]!;
      }
    }
    if (target[q] === -1) throw new Error(`solveAssignment: query ${q} not assigned`);
  }
  counts.forEach((c, t) => {
    if (c < p.minCount[t]!) throw new Error(`solveAssignment: target ${t} got ${c} queries, quota ${p.minCount[t]}`);
  });
  return { target, objective };
}
