/** Outcome of a request, as stored in RecordTable.status. */
export const STATUS_PENDING = 0;
export const STATUS_FINISHED = 1;
export const STATUS_REJECTED = 2;
/** The client gave up (its timeout passed) before the request finished. */
export const STATUS_TIMED_OUT = 3;

/**
 * Per-request outcomes as columns (struct of arrays): cheap for a million requests and free of
 * per-request objects on the hot path. Row i belongs to the request with id i. Times are
 * absolute simulation seconds; NaN means "did not happen".
 */
export class RecordTable {
  readonly size: number;
  /** Time the request first started service (left the queue). */
  readonly startS: Float64Array;
  /** Time the first output token was produced (end of prefill). */
  readonly firstTokenS: Float64Array;
  /** Time the last output token was produced. */
  readonly finishS: Float64Array;
  /** Energy attributed to the request, J (its share of the iterations it took part in). */
  readonly energyJ: Float64Array;
  /** Index of the device replica that served it (into SimResult.devices), -1 if none. */
  readonly device: Int32Array;
  /** STATUS_PENDING, STATUS_FINISHED or STATUS_REJECTED. */
  readonly status: Uint8Array;
  /** Prompt tokens found in the prefix cache when the request first started (not prefilled). */
  readonly cachedTokens: Int32Array;
  /** Times the request was preempted (KV cache exhausted) and recomputed. */
  readonly preemptions: Uint32Array;
  /** Time the client gave up on a timed-out request. */
  readonly timedOutS: Float64Array;
  /** Why a request was rejected, by request id (sparse). */
  readonly rejectReason = new Map<number, string>();

  constructor(size: number) {
    this.size = size;
    this.startS = new Float64Array(size).fill(NaN);
    this.firstTokenS = new Float64Array(size).fill(NaN);
    this.finishS = new Float64Array(size).fill(NaN);
    this.energyJ = new Float64Array(size);
    this.device = new Int32Array(size).fill(-1);
    this.status = new Uint8Array(size);
    this.preemptions = new Uint32Array(size);
    this.cachedTokens = new Int32Array(size);
    this.timedOutS = new Float64Array(size).fill(NaN);
  }

  /** Marks request `id` finished at `timeS`. */
  finish(id: number, timeS: number): void {
    if (this.status[id] !== STATUS_PENDING) throw new Error(`request ${id} finished twice or after rejection`);
    this.status[id] = STATUS_FINISHED;
    this.finishS[id] = timeS;
  }

  /** Marks request `id` timed out: its client gave up at `timeS`. */
  timeOut(id: number, timeS: number): void {
    if (this.status[id] !== STATUS_PENDING) throw new Error(`request ${id} timed out after it ended`);
    this.status[id] = STATUS_TIMED_OUT;
    this.timedOutS[id] = timeS;
  }

  /** Marks request `id` rejected with a human-readable reason. */
  reject(id: number, reason: string): void {
    if (this.status[id] !== STATUS_PENDING) throw new Error(`request ${id} rejected twice or after finishing`);
    this.status[id] = STATUS_REJECTED;
    this.rejectReason.set(id, reason);
  }
}
