/**
 * vitest setup file: tests call runScenario and the policies synchronously, in-process, as the
 * CLI does after `loadPolicies`; load every policy's asynchronous part (the HiGHS solver) first.
 */
import { loadPolicies, policies } from '../../src/policies/registry.js';

await loadPolicies(policies.map((p) => p.name));
