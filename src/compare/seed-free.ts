import type { Scenario } from '../scenario/schema.js';
import type { PolicyVariant } from './variants.js';

/**
 * Policies that draw random numbers from the scenario seed (`createStream(env.seed, ...)`). A test
 * (test/commands/compare-seeds.test.ts) reads every policy's source and fails when another one
 * does, so this list cannot fall behind.
 */
export const SEEDED_POLICIES: readonly string[] = ['random'];

/**
 * True when no run of the comparison depends on the seed: the workload is a trace (no
 * synthetic arrivals or lengths, no sessions) without a derived uncertainty signal, no device
 * resamples profile noise, and no policy draws random numbers. Every seed then gives identical
 * results, so one seed is enough. (The seed feeds nothing else: see src/util/rng.ts callers.)
 */
export function seedFree(scenario: Scenario, variants: readonly PolicyVariant[]): boolean {
  const w = scenario.workload;
  if (w.trace === undefined || w.uncertainty !== undefined) return false;
  if (scenario.cluster.devices.some((d) => (d as { noise?: boolean }).noise === true)) return false;
  return variants.every((v) => !SEEDED_POLICIES.includes(v.name));
}
