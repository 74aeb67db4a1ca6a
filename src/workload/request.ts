/** A run of prompt tokens whose content is named by `id`: equal ids mean equal tokens. */
export interface PrefixSegment {
  /** Content id, unique within a workload (a Mooncake hash id, a system prompt, a conversation turn). */
  readonly id: number;
  /** Tokens of the run, >= 1. */
  readonly tokens: number;
}

/** A turn that the client sends only after an earlier request of its session has ended. */
export interface FollowUp {
  /** Id of the request whose end (finish, rejection, abort or timeout) releases this one. */
  readonly after: number;
  /** Seconds the client waits after that end before sending this request ("think time"), >= 0. */
  readonly thinkS: number;
}

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
  /** The client gives up this many seconds after arrival if the request has not finished by then. */
  readonly timeoutS?: number;
  /**
   * The prompt's first tokens as named segments, in order; tokens past them are unique to this
   * request. Their tokens add up to at most promptTokens. Prefix caching matches on them.
   */
  readonly prefix?: readonly PrefixSegment[];
  /**
   * Content id of the tokens this request generates, when a later request sends them back (a
   * conversation's answer in the next turn's history): their KV blocks are then cacheable too.
   * Only meaningful when `prefix` names the whole prompt.
   */
  readonly outputId?: number;
  /**
   * Closed loop: sent `thinkS` after request `after` ends, so its arrival is known only at run
   * time (`arrivalS` is then NaN). `after` is a smaller id.
   */
  readonly followUp?: FollowUp;
}
