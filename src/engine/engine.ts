/**
 * The simulation kernel: a clock and an event heap ordered by (time, rank, sequence), in the
 * spirit of SimPy's core. It knows nothing about LLMs: an event is a target index and an integer
 * argument, dispatched to one handler. Heap storage is typed arrays, so scheduling allocates
 * nothing once the arrays have grown to the run's peak number of pending events.
 */

/** Receives each event in order: the target it was scheduled for and its argument. */
export type EventHandler = (target: number, arg: number) => void;

const RANK_BITS = 2 ** 44; // sequence numbers stay below 2^44 (1.7e13 events), ranks below 2^8

/** Children per heap node: a 4-ary heap is half as deep as a binary one, and its children share a cache line. */
const ARITY = 4;

export class Engine {
  /** Current simulation time, s. Never decreases. */
  nowS = 0;
  /** Events dispatched so far. */
  processed = 0;

  private times: Float64Array;
  /** rank * 2^44 + sequence: one float carries both tie-breakers exactly. */
  private keys: Float64Array;
  private targets: Int32Array;
  private args: Int32Array;
  private count = 0;
  private sequence = 0;
  private running = false;
  /**
   * True while a handler runs and the event it handles still occupies the root: the first event
   * the handler schedules replaces it (one sift-down instead of a pop and a push); if it
   * schedules none, the root is popped when it returns. Events leave in the same order either way:
   * the order is the keys', and keys are unique.
   */
  private rootSpent = false;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.keys = new Float64Array(initialCapacity);
    this.targets = new Int32Array(initialCapacity);
    this.args = new Int32Array(initialCapacity);
  }

  /** Pending events. */
  get pending(): number {
    return this.rootSpent ? this.count - 1 : this.count;
  }

  /**
   * Schedules an event. Among events at the same time, lower `rank` runs first, then the one
   * scheduled first. Throws on NaN, infinite or past times: those are bugs, not inputs.
   */
  schedule(timeS: number, rank: number, target: number, arg: number): void {
    if (!(timeS >= this.nowS) || timeS === Infinity) {
      throw new Error(`cannot schedule an event at t=${timeS} (now ${this.nowS}): time must be finite and not in the past`);
    }
    if (rank < 0 || rank > 255 || !Number.isInteger(rank)) throw new Error(`event rank must be an integer in [0, 255], got ${rank}`);
    const key = rank * RANK_BITS + this.sequence++;
    if (this.rootSpent) {
      this.rootSpent = false;
      this.siftDown(timeS, key, target, arg, this.count);
      return;
    }
    if (this.count === this.times.length) this.grow();
    // Sift up: move parents down until the new event's place is found.
    let i = this.count++;
    const times = this.times;
    const keys = this.keys;
    const targets = this.targets;
    const args = this.args;
    while (i > 0) {
      const parent = ((i - 1) / ARITY) | 0;
      const pt = times[parent]!;
      if (pt < timeS || (pt === timeS && keys[parent]! < key)) break;
      times[i] = pt;
      keys[i] = keys[parent]!;
      targets[i] = targets[parent]!;
      args[i] = args[parent]!;
      i = parent;
    }
    times[i] = timeS;
    keys[i] = key;
    targets[i] = target;
    args[i] = arg;
  }

  /**
   * Dispatches events in order until none remain (or `untilS` is passed). Handlers may schedule
   * events but must not call `run` themselves: simulation steps never nest.
   */
  run(handler: EventHandler, untilS = Infinity): void {
    if (this.running) throw new Error('Engine.run called from inside an event handler');
    this.running = true;
    try {
      while (this.count > 0 && this.times[0]! <= untilS) {
        this.nowS = this.times[0]!;
        this.processed++;
        this.rootSpent = true;
        handler(this.targets[0]!, this.args[0]!);
        if (this.rootSpent) this.popRoot();
      }
    } finally {
      if (this.rootSpent) this.popRoot();
      this.running = false;
    }
  }

  /** Removes the root: the last event takes its place and sinks. */
  private popRoot(): void {
    this.rootSpent = false;
    const last = --this.count;
    if (last > 0) this.siftDown(this.times[last]!, this.keys[last]!, this.targets[last]!, this.args[last]!, last);
  }

  /** Puts an event at the root of the first `size` entries and sinks it to its place. */
  private siftDown(t: number, k: number, target: number, arg: number, size: number): void {
    const times = this.times;
    const keys = this.keys;
    const targets = this.targets;
    const args = this.args;
    let i = 0;
    for (;;) {
      const first = ARITY * i + 1;
      if (first >= size) break;
      // The smallest child.
      let c = first;
      let ct = times[first]!;
      let ck = keys[first]!;
      const end = first + ARITY < size ? first + ARITY : size;
      for (let j = first + 1; j < end; j++) {
        const jt = times[j]!;
        if (jt < ct || (jt === ct && keys[j]! < ck)) {
          c = j;
          ct = jt;
          ck = keys[j]!;
        }
      }
      if (t < ct || (t === ct && k < ck)) break;
      times[i] = ct;
      keys[i] = ck;
      targets[i] = targets[c]!;
      args[i] = args[c]!;
      i = c;
    }
    times[i] = t;
    keys[i] = k;
    targets[i] = target;
    args[i] = arg;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n); times.set(this.times); this.times = times;
    const keys = new Float64Array(n); keys.set(this.keys); this.keys = keys;
    const targets = new Int32Array(n); targets.set(this.targets); this.targets = targets;
    const args = new Int32Array(n); args.set(this.args); this.args = args;
  }
}
