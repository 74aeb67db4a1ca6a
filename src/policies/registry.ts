import { fifoPolicy } from './fifo.js';
import type { PolicyDefinition } from './policy.js';

/** Every policy llmsim knows. Adding a policy: write its file, add one line here. */
export const policies: readonly PolicyDefinition<any>[] = [
  fifoPolicy,
];

/** The policy registered under `name`, or undefined. */
export function findPolicy(name: string): PolicyDefinition<any> | undefined {
  return policies.find((p) => p.name === name);
}
