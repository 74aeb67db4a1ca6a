import { join } from 'node:path';
import Table from 'cli-table3';
import { ensureDir, writeFileAtomic } from '../metrics/atomic-write.js';
import { csvField } from '../metrics/requests-csv.js';
import { roundOrNull } from '../metrics/round.js';

const roundN = (x: number | null) => (x === null ? null : roundOrNull(x));
import { formatShown } from '../metrics/table.js';
import { csvValue } from '../sweep/outputs.js';
import type { CandidateResult } from './execute.js';
import type { CapacityPlan } from './plan.js';

/** File names in a capacity directory. */
export const CAPACITY_FILES = { manifest: 'capacity.json', journal: 'journal.jsonl', answers: 'capacity.csv', probes: 'probes.csv' } as const;

/** What a capacity directory says about itself (capacity.json); `llmsim report` reads it. */
export function writeCapacityManifest(dir: string, plan: CapacityPlan): void {
  ensureDir(dir);
  const manifest = {
    llmsimCapacity: 1,
    name: plan.name,
    fingerprint: plan.fingerprint,
    mode: plan.mode,
    rateField: plan.rateField,
    targets: plan.targets,
    candidates: plan.candidates.map((c) => ({ label: c.label, fields: c.fields, gpusPerReplica: c.gpusPerReplica })),
    seeds: plan.seeds,
    level: plan.level,
  };
  writeFileAtomic(join(dir, CAPACITY_FILES.manifest), (w) => w(`${JSON.stringify(manifest, null, 2)}\n`));
}

/** One candidate's answer as table cells. */
export interface AnswerRow {
  readonly group: string;
  readonly gpusPerReplica: number | null;
  readonly rate: number | null;
  readonly replicas: number | null;
  readonly gpus: number | null;
  /** USD per hour of those GPUs (GPUs x the group's price per GPU-hour), when it has a price. */
  readonly usdPerHour: number | null;
  /** The price per GPU-hour and where it comes from (`scenario`, or the hardware file and its page). */
  readonly usdPerGpuHour: number | null;
  readonly priceSource: string | null;
  /** The neighbouring failing value (replicas - 1's failure, or the rate that failed above the answer). */
  readonly failed: number | null;
  /** ok, none (nothing passes in range), unbounded (no failure up to the rate limit). */
  readonly status: 'ok' | 'none' | 'unbounded';
  readonly probes: number;
  readonly unsure: number;
  /** `yes`, or the contradicting pair. */
  readonly monotone: string;
}

/** The answer row of each candidate, in the order given. */
export function answerRows(plan: CapacityPlan, results: readonly CandidateResult[]): AnswerRow[] {
  return results.map(({ candidate: c, search, probes }) => {
    const replicas = plan.mode.kind === 'min-replicas' ? search.answer : search.answer === null ? null : plan.mode.replicas;
    const rate = plan.mode.kind === 'min-replicas' ? (search.answer === null ? null : plan.mode.rate) : search.answer;
    const v = search.monotoneViolation;
    return {
      group: c.label,
      gpusPerReplica: c.gpusPerReplica,
      rate,
      replicas,
      gpus: replicas !== null && c.gpusPerReplica !== null ? replicas * c.gpusPerReplica : null,
      usdPerHour: replicas !== null && c.gpusPerReplica !== null && c.pricePerGpuHour !== null ? replicas * c.gpusPerReplica * c.pricePerGpuHour : null,
      usdPerGpuHour: c.pricePerGpuHour,
      priceSource: c.priceSource,
      failed: search.failedNeighbour,
      status: search.answer === null ? 'none' : search.unbounded ? 'unbounded' : 'ok',
      probes: probes.length,
      unsure: probes.filter((p) => !p.sure).length,
      monotone: v === null ? 'yes' : `no: passed at ${formatShown(v.passed)}, failed at ${formatShown(v.failed)}`,
    };
  });
}

/**
 * Writes capacity.csv (one row per group: the answer) and probes.csv (every probe of every
 * group in search order, each target's mean and confidence interval over the seeds).
 */
export function writeCapacityCsvs(dir: string, plan: CapacityPlan, results: readonly CandidateResult[]): string[] {
  const answers = join(dir, CAPACITY_FILES.answers);
  const rows = answerRows(plan, results);
  writeFileAtomic(answers, (write) => {
    write('group,gpus_per_replica,rate,replicas,gpus,failed_neighbour,status,probes,unsure_probes,monotone,usd_per_hour,usd_per_gpu_hour,price_source\n');
    for (const r of rows) {
      write(`${[csvField(r.group), csvValue(r.gpusPerReplica), csvValue(roundN(r.rate)), csvValue(r.replicas), csvValue(r.gpus), csvValue(roundN(r.failed)), r.status, r.probes, r.unsure, csvField(r.monotone), csvValue(roundN(r.usdPerHour)), csvValue(r.usdPerGpuHour), csvField(r.priceSource ?? '')].join(',')}\n`);
    }
  });
  const probes = join(dir, CAPACITY_FILES.probes);
  writeFileAtomic(probes, (write) => {
    const stats = plan.targets.flatMap((t) => [`${t.label}.mean`, `${t.label}.low`, `${t.label}.high`]);
    write(`${['group', 'step', 'rate', 'replicas', 'pass', 'sure', ...stats].map(csvField).join(',')}\n`);
    for (const { candidate, probes: list } of results) {
      for (const p of list) {
        const cells = p.targets.flatMap((t) => [t.mean, t.low, t.high].map((x) => csvValue(roundN(x))));
        write(`${[csvField(candidate.label), p.step, csvValue(roundN(p.rate)), p.replicas, p.pass, p.sure, ...cells].join(',')}\n`);
      }
    }
  });
  return [answers, probes];
}

/** The answers as a plain table for stdout. */
export function formatCapacityTable(plan: CapacityPlan, results: readonly CandidateResult[]): string {
  const rows = answerRows(plan, results);
  const minReplicas = plan.mode.kind === 'min-replicas';
  const rateHead = plan.rateField === 'workload.rateScale' ? 'rateScale' : 'rate (req/s)';
  const priced = rows.some((r) => r.usdPerHour !== null);
  const t = new Table({
    head: ['group', 'GPUs/replica', rateHead, 'replicas', 'GPUs', ...(priced ? ['$/h'] : []), minReplicas ? 'fails at' : 'fails at rate', 'probes', 'unsure', 'monotone'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    const answer = (x: number | null) => (r.status === 'none' ? 'none' : r.status === 'unbounded' ? `>= ${formatShown(x)}` : formatShown(x));
    const cost = priced ? [formatShown(r.usdPerHour)] : [];
    t.push([r.group, formatShown(r.gpusPerReplica), minReplicas ? formatShown(r.rate ?? plan.mode.rate) : answer(r.rate), minReplicas ? answer(r.replicas) : formatShown(plan.mode.replicas), formatShown(r.gpus), ...cost, formatShown(r.failed), String(r.probes), String(r.unsure), r.monotone]);
  }
  const goal = plan.targets.map((x) => `${x.label} ${x.sense === 'max' ? '<=' : '>='} ${x.bound}`).join(', ');
  const what = minReplicas ? `fewest replicas for ${plan.rateField === 'workload.rateScale' ? 'rateScale' : 'rate'} ${plan.mode.rate}` : `highest ${plan.rateField === 'workload.rateScale' ? 'rateScale' : 'rate'} on ${plan.mode.replicas} replica(s)`;
  const sources = [...new Set(rows.filter((r) => r.usdPerGpuHour !== null).map((r) => `${formatShown(r.usdPerGpuHour)} USD/GPU-h from ${r.priceSource === 'scenario' ? 'the scenario' : r.priceSource}`))];
  const priceLines = sources.map((s) => `$/h at ${s}\n`).join('');
  return `capacity ${plan.name}: ${what} meeting ${goal} (mean of ${plan.seeds.length} seed(s), ${plan.level * 100}% intervals)\n${t.toString()}\n${priceLines}`;
}
