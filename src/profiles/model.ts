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
 * What one iteration (one forward pass) computes: prompt chunks and decodes batched together.
 * Devices fill one object and reuse it (no allocation per iteration).
 */
export interface IterationShape {
  /** Prompt chunks in the pass (a recompute after preemption counts as a prompt). */
  prefillSeqs: number;
  /** Tokens of those chunks. */
  prefillTokens: number;
  /** Tokens already in the KV cache before each chunk, summed over chunks (what the chunks read back). */
  prefillPastTokens: number;
  /**
   * Causal query-key pairs of the chunks: sum over chunks of c * (past + (c + 1) / 2) for a chunk of
   * c tokens after `past` cached ones (attention FLOPs are proportional to it).
   */
  prefillPairs: number;
  /** Sequences generating one token each. */
  decodeSeqs: number;
  /** Context the decodes attend to, summed over them (their KV tokens including this step's). */
  decodeContextTokens: number;
}

/** An empty shape, to fill in place. */
export function emptyShape(): IterationShape {
  return { prefillSeqs: 0, prefillTokens: 0, prefillPastTokens: 0, prefillPairs: 0, decodeSeqs: 0, decodeContextTokens: 0 };
}

/**
 * Iteration-level cost (vLLM/Orca style), used by batching devices.
 * `decodeRunS` lets a device advance many decode steps in one event; `iterationS` prices a whole
 * mixed batch as one forward pass.
 */
export interface IterationModel {
  /**
   * Seconds of one forward pass of this shape (prefill chunks and decodes together), 0 for an
   * empty shape. A shape of decodes only must cost exactly `decodeStepS(decodeSeqs,
   * decodeContextTokens)`: devices fast-forward runs of such steps with `decodeRunS`.
   */
  iterationS(shape: IterationShape): number;
  /** Power while running an iteration of this shape, W. */
  iterationPowerW(shape: IterationShape): number;
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
  /**
   * Seconds a request spends in the server's front end (HTTP, tokenization) before the scheduler
   * sees it: part of its TTFT, not of any iteration. 0 or absent: none.
   */
  readonly frontendS?: number;
}
