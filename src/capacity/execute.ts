import type { Journal } from '../sweep/journal.js';
import type { FlatMetrics } from '../sweep/metrics.js';
import { runEach, type RunPool } from '../sweep/pool.js';
import { judge, MAX_PROBES, runNumber, withKnobs, type CapacityPlan, type PlannedCandidate, type ProbeVerdict } from './plan.js';
import { searchMaxRate, searchMinReplicas, type SearchResult } from './search.js';
import { MAX_RATE_RPS, MIN_RATE_RPS, MAX_RATE_SCALE, MIN_RATE_SCALE } from '../limits.js';

/** One probe as recorded: where it was, and its verdict. */
export interface ProbeRecord extends ProbeVerdict {
  readonly step: number;
  readonly rate: number;
  readonly replicas: number;
}

/** A candidate's search, done. */
export interface CandidateResult {
  readonly candidate: PlannedCandidate;
  readonly search: SearchResult;
  readonly probes: readonly ProbeRecord[];
}

/** Journal key of a run's probe value, checked on resume. */
const VALUE_KEY = 'capacity.value';

/** How many doublings the rate search may go above or below the scenario's rate. */
const RATE_OCTAVES = 6;

/**
 * Runs every candidate's search; candidates proceed concurrently, and each probe's seeds run in
 * parallel on the pool. A run already in the journal is not run again (resume). Results do not
 * depend on the order runs finish in: each search is sequential in its probes.
 */
export async function executeCapacity(plan: CapacityPlan, pool: RunPool, journal: Journal, onRun: () => void, onProbe: (group: string, probe: ProbeRecord) => void = () => {}): Promise<CandidateResult[]> {
  let failure: unknown;
  const one = async (c: PlannedCandidate): Promise<CandidateResult> => {
    const probes: ProbeRecord[] = [];
    const evaluate = async (value: number): Promise<boolean> => {
      if (failure !== undefined) throw failure;
      const step = probes.length;
      if (step >= MAX_PROBES) throw new Error(`capacity: more than ${MAX_PROBES} probes for group ${c.label}`);
      const rate = plan.mode.kind === 'min-replicas' ? plan.mode.rate : value;
      const replicas = plan.mode.kind === 'min-replicas' ? value : plan.mode.replicas;
      const runs = new Map<number, FlatMetrics>();
      const todo: number[] = [];
      plan.seeds.forEach((_, s) => {
        const done = journal.done.get(runNumber(plan, c.index, step, s));
        if (done === undefined) todo.push(s);
        else if (done[VALUE_KEY] !== value) throw new Error(`capacity journal: run ${runNumber(plan, c.index, step, s)} holds value ${done[VALUE_KEY]}, expected ${value}`);
        else runs.set(s, done);
      });
      await runEach(
        todo,
        pool,
        (s) => ({ file: plan.file, baseDir: plan.baseDir, data: withKnobs(c.data, plan.rateField, rate, replicas, plan.seeds[s]!) }),
        (s, metrics) => {
          const m = { ...metrics, [VALUE_KEY]: value };
          journal.append(runNumber(plan, c.index, step, s), m);
          runs.set(s, m);
          onRun();
        },
        (s) => `group "${c.label}", ${replicas} replica(s) at rate ${rate}, seed ${plan.seeds[s]}`,
      );
      const verdict = judge(plan.targets, plan.seeds.map((_, s) => runs.get(s)!), plan.level);
      const record = { step, rate, replicas, ...verdict };
      probes.push(record);
      onProbe(c.label, record);
      return verdict.pass;
    };
    try {
      const search =
        plan.mode.kind === 'min-replicas'
          ? await searchMinReplicas(evaluate, plan.mode.maxReplicas)
          : await searchMaxRate(evaluate, rateLimits(plan, plan.mode.tolerance));
      return { candidate: c, search, probes };
    } catch (err) {
      failure ??= err;
      throw err;
    }
  };
  const settled = await Promise.allSettled(plan.candidates.map(one));
  if (failure !== undefined) throw failure;
  return settled.map((s) => (s as PromiseFulfilledResult<CandidateResult>).value);
}

function rateLimits(plan: CapacityPlan, tolerance: number) {
  const [lowest, highest] = plan.rateField === 'workload.rateScale' ? [MIN_RATE_SCALE, MAX_RATE_SCALE] : [MIN_RATE_RPS, MAX_RATE_RPS];
  const start = plan.scenarioRate;
  return { start, tolerance, min: Math.max(lowest, start / 2 ** RATE_OCTAVES), max: Math.min(highest, start * 2 ** RATE_OCTAVES) };
}
