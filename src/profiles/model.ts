/**
 * What devices need from a profile at simulation time. Profile files (YAML/JSON, with provenance)
 * are compiled into these by the profile loader; devices never read files.
 */

/** Request-level cost (the Wilkins et al. bilinear model), used by `slots` devices. */
export interface RequestCostModel {
  /** Seconds a request with these token counts holds a slot (clamped at the profile's floor). */
  serviceS(promptTokens: number, outputTokens: number): number;
  /** Joules the request costs (clamped at the floor); NaN when the profile has no energy model. */
  energyJ(promptTokens: number, outputTokens: number): number;
  /** True when the raw fit was below the floor for these token counts (runtime or energy). */
  clamped(promptTokens: number, outputTokens: number): boolean;
  /** Power of an idle slot, W (0 when the profile gives none; the summary says so). */
  readonly idlePowerW: number;
}

/**
 * Iteration-level cost (vLLM/Orca style), used by batching devices.
 * `decodeRunS` and `powerW` let a device advance many decode steps in one event.
 */
export interface IterationModel {
  /** Seconds to prefill `tokens` batched prompt tokens in one iteration (> 0 for tokens > 0). */
  prefillS(tokens: number): number;
  /** Seconds of one decode step for `batch` sequences holding `contextTokens` tokens in total. */
  decodeStepS(batch: number, contextTokens: number): number;
  /**
   * Seconds of `steps` consecutive decode steps of a fixed batch whose total context starts at
   * `contextTokens` and grows by `batch` each step. Must equal the sum of `decodeStepS` calls.
   */
  decodeRunS(batch: number, contextTokens: number, steps: number): number;
  /** Power while running a batch of `batch` sequences, W. */
  busyPowerW(batch: number): number;
  /** Power while idle, W. */
  readonly idlePowerW: number;
  /** KV-cache capacity in tokens on one replica (device memory minus weights, over KV bytes per token). */
  readonly kvCapacityTokens: number;
}
