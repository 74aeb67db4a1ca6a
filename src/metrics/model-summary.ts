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
