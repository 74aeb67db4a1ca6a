import type { SimResult } from '../simulation/result.js';
import { STATUS_FINISHED } from './records.js';
import { roundOrNull } from './round.js';

/** What one model did in a run (all replicas serving it together). */
export interface ModelSummary {
  readonly model: string;
  readonly replicas: number;
  /** Finished requests served by a replica of this model. */
  readonly finished: number;
  /** Their prompt + output tokens. */
  readonly tokens: number;
  /** Busy + idle energy of its replicas, J. */
  readonly energyJ: number | null;
  /** Leaderboard accuracy A_K, %, null when the profile gives none. */
  readonly accuracyPct: number | null;
}

/**
 * Per-model counts, in order of each model's first replica. Devices whose stats do not name a
 * model (built outside simulate()) are grouped under their group name.
 */
export function summarizeModels(result: SimResult): ModelSummary[] {
  const { devices, records, requests } = result;
  const modelOf = devices.map((d) => d.model ?? d.group);
  const index = new Map<string, number>();
  for (const m of modelOf) if (!index.has(m)) index.set(m, index.size);
  const replicas = new Array<number>(index.size).fill(0);
  const finished = new Array<number>(index.size).fill(0);
  const tokens = new Array<number>(index.size).fill(0);
  const energyJ = new Array<number>(index.size).fill(0);
  const accuracy = new Array<number | undefined>(index.size).fill(undefined);
  devices.forEach((d, i) => {
    const k = index.get(modelOf[i]!)!;
    replicas[k]++;
    energyJ[k] += d.busyEnergyJ + d.idleEnergyJ;
    accuracy[k] ??= d.accuracyPct;
  });
  for (let i = 0; i < requests.length; i++) {
    if (records.status[i] !== STATUS_FINISHED) continue;
    const d = records.device[i]!;
    if (d < 0) continue;
    const k = index.get(modelOf[d]!)!;
    finished[k]++;
    tokens[k] += requests[i]!.promptTokens + requests[i]!.outputTokens;
  }
  return [...index.keys()].map((model, k) => ({
    model,
    replicas: replicas[k]!,
    finished: finished[k]!,
    tokens: tokens[k]!,
    energyJ: roundOrNull(energyJ[k]),
    accuracyPct: accuracy[k] ?? null,
  }));
}

/**
 * Wilkins et al.'s accuracy proxy a_K(q) = A_K*(tin + tout), summed over finished requests and
 * divided by their tokens: the leaderboard accuracy each token was served at, %. NaN when nothing
 * finished or some finished request ran on a model whose accuracy is unknown (a partial figure
 * would look like a real one).
 */
export function tokenWeightedAccuracy(result: SimResult): number {
  const { devices, records, requests } = result;
  let weighted = 0;
  let tokens = 0;
  for (let i = 0; i < requests.length; i++) {
    if (records.status[i] !== STATUS_FINISHED) continue;
    const d = records.device[i]!;
    const a = d >= 0 ? devices[d]!.accuracyPct : undefined;
    if (a === undefined) return NaN;
    const t = requests[i]!.promptTokens + requests[i]!.outputTokens;
    weighted += a * t;
    tokens += t;
  }
  return tokens > 0 ? weighted / tokens : NaN;
}
