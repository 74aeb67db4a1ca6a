import { carbonAwarePolicy } from './carbon-aware.js';
import { fifoPolicy } from './fifo.js';
import { leastLoadedPolicy } from './least-loaded.js';
import type { PolicyDefinition } from './policy.js';
import { prefixAffinityPolicy } from './prefix-affinity.js';
import { randomPolicy } from './random.js';
import { roundRobinPolicy } from './round-robin.js';
import { withRefreshParam } from './signals.js';
import { sjfOraclePolicy } from './sjf-oracle.js';
import { uncertaintyPriorityPolicy } from './uncertainty-priority.js';
import { weightedPolicy } from './weighted.js';
import { wilkinsOfflinePolicy } from './wilkins-offline.js';
import { wilkinsOnlinePolicy } from './wilkins-online.js';
import { wilkinsThresholdPolicy } from './wilkins-threshold.js';

/** Every policy llmsim knows. Adding a policy: write its file, add one line here. */
const registered: readonly PolicyDefinition<any>[] = [
  fifoPolicy,
  randomPolicy,
  roundRobinPolicy,
  leastLoadedPolicy,
  sjfOraclePolicy,
  uncertaintyPriorityPolicy,
  wilkinsOfflinePolicy,
  wilkinsOnlinePolicy,
  wilkinsThresholdPolicy,
  carbonAwarePolicy,
  prefixAffinityPolicy,
  weightedPolicy,
];

/** The registered policies, each also taking `refreshS` (stale routing signals, signals.ts), which simulate() applies. */
export const policies: readonly PolicyDefinition<any>[] = registered.map((p) => withRefreshParam(p));

/** The policy registered under `name`, or undefined. */
export function findPolicy(name: string): PolicyDefinition<any> | undefined {
  return policies.find((p) => p.name === name);
}

/**
 * Loads what the named policies need before they run (see PolicyDefinition.load); unknown names
 * are left to scenario validation. Every entry point that simulates awaits this first.
 */
export async function loadPolicies(names: Iterable<string>): Promise<void> {
  for (const name of names) await findPolicy(name)?.load?.();
}
