/** Outcome of a request, as stored in RecordTable.status. */
export const STATUS_PENDING = 0;
export const STATUS_FINISHED = 1;
export const STATUS_REJECTED = 2;
/** The client gave up (its timeout passed) before the request finished. */
export const STATUS_TIMED_OUT = 3;

/**
 * Per-request outcomes as columns (struct of arrays): cheap for a million requests and free of
 * per-request objects on the hot path. Row i belongs to the request with id i. Times are
 * absolute simulation seconds; NaN means "did not happen". A streamed run (src/simulation/stream.ts)
 * reuses rows: row i then belongs to whichever request holds slot i, and the table grows when more
 * requests are in flight than it has rows (so hold the arrays through the table, not in locals).
 */
export class RecordTable {
  size: number;
  /** Time the request first started service (left the queue). */
  startS: Float64Array;
  /** Time the first output token was produced (end of prefill). */
  firstTokenS: Float64Array;
  /** Time the last output token was produced. */
  finishS: Float64Array;
  /** Energy attributed to the request, J (its share of the iterations it took part in). */
  energyJ: Float64Array;
  /** Index of the device replica that served it (into SimResult.devices), -1 if none. */
  device: Int32Array;
  /** STATUS_PENDING, STATUS_FINISHED or STATUS_REJECTED. */
  status: Uint8Array;
  /** Prompt tokens found in the prefix cache when the request first started (not prefilled). */
  cachedTokens: Int32Array;
  /** Times the request was preempted (KV cache exhausted) and recomputed. */
  preemptions: Uint32Array;
  // Made at its first use: most runs time nothing out (see `timedOutS`).
  private timedOut: Float64Array | undefined;
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
  }

  /**
   * Time the client gave up on a timed-out request. Made at its first use: a column of NaN that
   * most runs never write, 8 MB per million requests that would count against the 64 MB of
   * typed-array memory after which V8 runs a full collection (see QuantileAccumulator's values).
   */
  get timedOutS(): Float64Array {
    return (this.timedOut ??= new Float64Array(this.size).fill(NaN));
  }

  /** True once `timedOutS` was made (some request may have timed out); else every entry is NaN. */
  get hasTimedOutS(): boolean {
    return this.timedOut !== undefined;
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

  /** Grows the table to `size` rows (new rows empty); what the rows hold is kept. */
  grow(size: number): void {
    if (size <= this.size) return;
    const more = <T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(old: T, fill: number): T => {
      const next = new (old.constructor as new (n: number) => T)(size);
      next.set(old);
      if (fill !== 0) next.fill(fill, old.length);
      return next;
    };
    this.startS = more(this.startS, NaN);
    this.firstTokenS = more(this.firstTokenS, NaN);
    this.finishS = more(this.finishS, NaN);
    this.energyJ = more(this.energyJ, 0);
    this.device = more(this.device, -1);
    this.status = more(this.status, 0);
    this.preemptions = more(this.preemptions, 0);
    this.cachedTokens = more(this.cachedTokens, 0);
    if (this.timedOut) this.timedOut = more(this.timedOut, NaN);
    this.size = size;
  }

  /** Empties row `id` for reuse by another request (streamed runs). */
  clearRow(id: number): void {
    if (this.status[id] === STATUS_REJECTED) this.rejectReason.delete(id); // only reject() sets a reason
    this.startS[id] = NaN;
    this.firstTokenS[id] = NaN;
    this.finishS[id] = NaN;
    this.energyJ[id] = 0;
    this.device[id] = -1;
    this.status[id] = STATUS_PENDING;
    this.preemptions[id] = 0;
    this.cachedTokens[id] = 0;
    if (this.timedOut) this.timedOut[id] = NaN;
  }
}
