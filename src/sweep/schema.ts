import { z } from 'zod';
import { MAX_SEEDS, MAX_SWEEP_POINTS, MAX_SWEEP_RUNS } from '../limits.js';

/**
 * A scenario field path as a sweep names it: dotted keys with optional list indexes,
 * e.g. `workload.rateScale`, `policy.params.routing`, `cluster.devices[0].replicas`.
 */
export const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*)*$/;

const seed = z.number().int().min(0).max(2 ** 32 - 1);

/** Most runs one sweep may expand to: beyond this a typo in the grid is likelier than intent (src/limits.ts). */
export { MAX_SWEEP_RUNS };

/** The scenario's `sweep:` block: a grid over scenario fields times replications by seed. */
export const sweepSchema = z.strictObject({
  grid: z
    .record(z.string(), z.array(z.unknown()).min(1))
    // Checked here rather than by a key regex so the error names the key and says what a path looks like.
    .superRefine((grid, ctx) => {
      for (const key of Object.keys(grid)) {
        if (!FIELD_PATH.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `expected a field path such as workload.rateScale or cluster.devices[0].replicas, found "${key}"` });
      }
    })
    .meta({ propertyNames: { pattern: FIELD_PATH.source } })
    .default({})
    .describe(`Field path -> list of values; every combination is a grid point (the last path varies fastest); at most ${MAX_SWEEP_POINTS} points and ${MAX_SWEEP_RUNS} runs (points x seeds)`),
  seeds: z
    .union([z.number().int().min(1).max(MAX_SEEDS), z.array(seed).min(1).max(MAX_SEEDS)])
    // A repeated seed repeats a run exactly: it adds no information and narrows the intervals falsely.
    .superRefine((seeds, ctx) => {
      if (!Array.isArray(seeds)) return;
      const first = new Map<number, number>();
      seeds.forEach((s, i) => {
        const j = first.get(s);
        if (j === undefined) first.set(s, i);
        else ctx.addIssue({ code: 'custom', path: [i], message: `expected each seed once (${s} is also sweep.seeds[${j}])` });
      });
    })
    .default(1)
    .describe(`Replications per grid point: N (seeds seed, seed+1, ..., seed+N-1) or an explicit list of seeds; at most ${MAX_SEEDS}`),
  level: z.number().gt(0).lt(1).default(0.95).describe('Confidence level of the per-point intervals in points.csv'),
});

/** A validated `sweep:` block. */
export type SweepSpec = z.output<typeof sweepSchema>;
