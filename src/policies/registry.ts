import { fifoPolicy } from './fifo.js';
import { leastLoadedPolicy } from './least-loaded.js';
import type { PolicyDefinition } from './policy.js';
import { randomPolicy } from './random.js';
import { roundRobinPolicy } from './round-robin.js';
import { sjfOraclePolicy } from './sjf-oracle.js';
import { uncertaintyPriorityPolicy } from './uncertainty-priority.js';
import { wilkinsOfflinePolicy } from './wilkins-offline.js';
import { wilkinsOnlinePolicy } from './wilkins-online.js';
import { wilkinsThresholdPolicy } from './wilkins-threshold.js';

/** Every policy llmsim knows. Adding a policy: write its file, add one line here. */
export const policies: readonly PolicyDefinition<any>[] = [
  fifoPolicy,
  randomPolicy,
  roundRobinPolicy,
  leastLoadedPolicy,
  sjfOraclePolicy,
  uncertaintyPriorityPolicy,
  wilkinsOfflinePolicy,
  wilkinsOnlinePolicy,
  wilkinsThresholdPolicy,
];

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
