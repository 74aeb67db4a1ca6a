/**
 * The simulation kernel: a clock and an event heap ordered by (time, rank, sequence), in the
 * spirit of SimPy's core. It knows nothing about LLMs: an event is a target index and an integer
 * argument, dispatched to one handler. Heap storage is typed arrays, so scheduling allocates
 * nothing once the arrays have grown to the run's peak number of pending events.
 */

/** Receives each event in order: the target it was scheduled for and its argument. */
export type EventHandler = (target: number, arg: number) => void;

const RANK_BITS = 2 ** 44; // sequence numbers stay below 2^44 (1.7e13 events), ranks below 2^8

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

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.keys = new Float64Array(initialCapacity);
    this.targets = new Int32Array(initialCapacity);
    this.args = new Int32Array(initialCapacity);
  }

  /** Pending events. */
  get pending(): number {
    return this.count;
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
    if (this.count === this.times.length) this.grow();
    const key = rank * RANK_BITS + this.sequence++;
    // Sift up: move parents down until the new event's place is found.
    let i = this.count++;
    const times = this.times;
    const keys = this.keys;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < timeS || (pt === timeS && keys[parent]! < key)) break;
      this.move(parent, i);
      i = parent;
    }
    times[i] = timeS;
    keys[i] = key;
    this.targets[i] = target;
    this.args[i] = arg;
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
        const timeS = this.times[0]!;
        const target = this.targets[0]!;
        const arg = this.args[0]!;
        this.pop();
        this.nowS = timeS;
        this.processed++;
        handler(target, arg);
      }
    } finally {
      this.running = false;
    }
  }

  private pop(): void {
    const last = --this.count;
    if (last === 0) return;
    const times = this.times;
    const keys = this.keys;
    const t = times[last]!;
    const k = keys[last]!;
    const target = this.targets[last]!;
    const arg = this.args[last]!;
    // Sift down from the root with the last element.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last && (times[right]! < times[child]! || (times[right] === times[child] && keys[right]! < keys[child]!))) child = right;
      const ct = times[child]!;
      if (t < ct || (t === ct && k < keys[child]!)) break;
      this.move(child, i);
      i = child;
    }
    times[i] = t;
    keys[i] = k;
    this.targets[i] = target;
    this.args[i] = arg;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.keys[to] = this.keys[from]!;
    this.targets[to] = this.targets[from]!;
    this.args[to] = this.args[from]!;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n); times.set(this.times); this.times = times;
    const keys = new Float64Array(n); keys.set(this.keys); this.keys = keys;
    const targets = new Int32Array(n); targets.set(this.targets); this.targets = targets;
    const args = new Int32Array(n); args.set(this.args); this.args = args;
  }
}
