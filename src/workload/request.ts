/**
 * One inference request: immutable input. Outcomes live in a RecordTable, never here.
 * `outputTokens` is the truth; policies see it only when they declare themselves oracles.
 */
export interface Request {
  /** 0-based index in arrival order; also the row of the request's record. */
  readonly id: number;
  /** Arrival time, seconds from the start of the run. */
  readonly arrivalS: number;
  /** Prompt (input) tokens, >= 1. */
  readonly promptTokens: number;
  /** Output tokens the request will generate, >= 1 (hidden from non-oracle policies). */
  readonly outputTokens: number;
  /** Model the request asks for, if the workload names one. */
  readonly model?: string;
  /** Input-uncertainty score in [0, 1] (RT-LM), if known or derived. */
  readonly uncertainty?: number;
  /** Relative deadline: seconds after arrival by which it should finish. */
  readonly deadlineS?: number;
  /** Tenant or request class label. */
  readonly class?: string;
}
