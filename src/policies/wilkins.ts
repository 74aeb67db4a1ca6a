/**
 * Shared pieces of the Wilkins, Keshav, Mortier (HotCarbon 2024) energy-optimal routers: what a
 * "target" is, per-query energy / accuracy / runtime estimates from the replicas' profiles, and
 * the weighted objective.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { DeviceView } from '../devices/device.js';
import { estimatorOf } from './backlog.js';

/** The second objective term: accuracy (targets are models) or runtime (targets are device groups: heterogeneous hardware). */
export const objectiveParam = z
  .enum(['accuracy', 'runtime'])
  .default('accuracy')
  .describe('accuracy: minimize zeta*e_hat - (1-zeta)*a_hat over models; runtime: minimize zeta*e_hat + (1-zeta)*r_hat over device groups (heterogeneous hardware)');

/** The energy weight zeta. */
export const zetaParam = z.number().min(0).max(1).default(0.5).describe('Weight of energy against the other term: 1 = energy only, 0 = accuracy (or runtime) only');

/** A model (or device group) queries are assigned to, with the replicas that serve it. */
export interface Target {
  readonly name: string;
  readonly replicas: readonly number[];
  /** The replica whose profile stands for the target (all replicas of a target share a profile in practice). */
  readonly representative: DeviceView;
}

/** Groups `devices` into targets: by model for the accuracy objective, by device group for runtime. */
export function targetsOf(devices: readonly DeviceView[], objective: 'accuracy' | 'runtime'): Target[] {
  const byName = new Map<string, number[]>();
  for (const d of devices) {
    const key = objective === 'accuracy' ? d.model : d.group;
    const list = byName.get(key);
    if (list) list.push(d.index);
    else byName.set(key, [d.index]);
  }
  return [...byName].map(([name, replicas]) => ({ name, replicas, representative: devices[replicas[0]!]! }));
}

/** Per-query figures of one target: energy e (J), and the objective's second term. */
export interface TargetFigures {
  energyJ(promptTokens: number, outputTokens: number): number;
  /** Accuracy proxy a = A_K * (tin + tout) (Wilkins et al.), or runtime r (s). */
  other(promptTokens: number, outputTokens: number): number;
}

/** The figures of target `t` from its profile; an InputError when the profile lacks what the objective needs. */
export function targetFigures(t: Target, objective: 'accuracy' | 'runtime', policy: string): TargetFigures {
  const est = estimatorOf(t.representative, policy);
  const name = t.representative.name;
  if (!(est.energyJ(100, 100) >= 0)) throw new InputError({ field: 'policy.name' }, `expected an energy model in the profile of ${name} for policy "${policy}", found none`);
  const energyJ = (p: number, o: number) => est.energyJ(p, o);
  if (objective === 'runtime') return { energyJ, other: (p, o) => est.serviceS(p, o) };
  const accuracy = t.representative.accuracy;
  if (accuracy === undefined) throw new InputError({ field: 'policy.name' }, `expected a leaderboard accuracy in the profile of ${name} for policy "${policy}", found none`);
  return { energyJ, other: (p, o) => accuracy * (p + o) };
}

/** (v - lo) / (hi - lo): min-max normalization; 0 when the range is empty. */
export function normalize(v: number, lo: number, hi: number): number {
  return hi > lo ? (v - lo) / (hi - lo) : 0;
}

/** The weighted cost of one (query, target) pair from normalized terms. */
export function weightedCost(zeta: number, eHat: number, otherHat: number, objective: 'accuracy' | 'runtime'): number {
  return objective === 'accuracy' ? zeta * eHat - (1 - zeta) * otherHat : zeta * eHat + (1 - zeta) * otherHat;
}
