/**
 * Prints the tables of the paper reproductions as markdown, running each grid through the library
 * (checkScenario + prepareRun + simulate + summarize) with the seed varied; cells are the mean over
 * seeds ± the half-width of its 95% Student-t interval.
 *
 *   npx tsx scripts/paper-tables.ts                     # every table, 3 seeds
 *   npx tsx scripts/paper-tables.ts wilkins-offline     # one table: wilkins-offline, lp-scale,
 *                                                       #   wilkins-online, wilkins-hetero, rtlm-load, rtlm-rho
 *   npx tsx scripts/paper-tables.ts rtlm-load --seeds 5
 *
 * Each scenario file under scenarios/ is one grid point of its table (the defaults), runnable with
 * `llmsim run`; the grids are listed in the files' comments and in docs/policies.md. Seeds change
 * the synthetic workloads (Wilkins) or the uncertainty signal's noise (RT-LM, a fixed trace).
 */
import { parseArgs } from 'node:util';
import { rtlmLoadTable, rtlmRhoTable } from './paper/rtlm.js';
import { lpScaleTable, wilkinsHeteroTable, wilkinsOfflineTable, wilkinsOnlineTable } from './paper/wilkins.js';
import { loadPolicies, policies } from '../src/policies/registry.js';

const TABLES: Record<string, { title: string; make: (seeds: number[]) => string }> = {
  'wilkins-offline': { title: 'Wilkins et al. offline: Llama-2 7B/13B/70B on 80 A100s, 52,002 Alpaca-like queries (scenarios/wilkins-offline.yaml)', make: wilkinsOfflineTable },
  'lp-scale': { title: 'Offline assignment solved by HiGHS: the quota LP against the binary MILP (zeta 0.5, seed 1; wall-clock seconds on this machine)', make: () => lpScaleTable() },
  'wilkins-online': { title: 'Wilkins et al. online greedy router with and without queue penalty, 5,000 queries (scenarios/wilkins-online.yaml)', make: wilkinsOnlineTable },
  'wilkins-hetero': { title: 'Wilkins et al. heterogeneous hardware: Llama-2 7B on 2 A100 slots and 8 M1 Pro slots (M1 Pro is a roofline ESTIMATE), 5,000 queries', make: wilkinsHeteroTable },
  'rtlm-load': { title: 'RT-LM vs FCFS at rising load: Azure conv trace (2,000 requests), Llama-2-70B static batching on 4xA100 + CPU offload, rho 0.8, 120 s deadlines (scenarios/rtlm-vs-fifo.yaml)', make: rtlmLoadTable },
  'rtlm-rho': { title: 'RT-LM: how good must the uncertainty signal be? rho swept at rateScale 0.05 (scenarios/rtlm-vs-fifo.yaml)', make: rtlmRhoTable },
};

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seeds: { type: 'string', default: '3' } } });
const count = Number(values.seeds);
if (!(Number.isInteger(count) && count >= 1)) throw new Error(`--seeds: expected a positive integer, found "${values.seeds}"`);
const seeds = Array.from({ length: count }, (_, i) => i + 1);
// The tables run policies synchronously: load every policy's solver first.
await loadPolicies(policies.map((p) => p.name));
const wanted = positionals.length > 0 ? positionals : Object.keys(TABLES);
for (const name of wanted) {
  const table = TABLES[name];
  if (!table) throw new Error(`unknown table "${name}"; expected one of: ${Object.keys(TABLES).join(', ')}`);
  process.stdout.write(`### ${table.title}\n\n${table.make(seeds)}\n\n`);
}
