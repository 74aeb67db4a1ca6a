/**
 * The simulation kernel: a clock and an event queue ordered by (time, rank, sequence), in the
 * spirit of SimPy's core. It knows nothing about LLMs: an event is a target index and an integer
 * argument, dispatched to one handler. Storage is typed arrays, so scheduling allocates nothing
 * once the arrays have grown to the run's peak number of pending events.
 *
 * The queue is a two-tier ladder queue (Tang, Goh and Thng, "Ladder queue: an O(1) priority queue
 * structure for large-scale discrete event simulation", ACM TOMACS 15(3), 2005), reduced to one
 * rung: a small heap holds the near future; later events wait unsorted in time buckets (the rung)
 * or, beyond the rung, in one unsorted list (the top). Buckets are opened into the heap in time
 * order; when the rung is used up, the top is spread over a new rung. An event's place is a
 * monotone function of its time alone, `f(t) = (t - start) * inv`: f < cur -> heap, f < nb ->
 * bucket floor(f), else top. So every event in the heap is earlier than every event outside it,
 * and events at the same time always share a container, where the heap orders them by (rank,
 * sequence): the dispatch order is exactly the sort by (time, rank, sequence), as with a single
 * heap. Only speed depends on how times spread (all at one time: the heap does all the work).
 */

/** Receives each event in order: the target it was scheduled for and its argument. */
export type EventHandler = (target: number, arg: number) => void;

const RANK_BITS = 2 ** 44; // sequence numbers stay below 2^44 (1.7e13 events), ranks below 2^8

/** Children per heap node: a 4-ary heap is half as deep as a binary one, and its children share a cache line. */
const ARITY = 4;
/** A top of at most this many events goes straight into the heap instead of being spread over buckets. */
const SMALL_TOP = 32;
/**
 * Buckets per event when the top is spread: with two, most buckets hold zero or one event, so an
 * opened bucket rarely needs sorting. Instructions per event, counted with callgrind on the
 * bench's hold model (10k pending; 4M minus 2M events): 1/4 bucket per event 761, 1/2 688,
 * 1 647, 2 622, 4 636.
 */
const BUCKETS_PER_EVENT = 2;

export class Engine {
  /** Current simulation time, s. Never decreases. */
  nowS = 0;
  /** Events dispatched so far. */
  processed = 0;

  // Every pending event is a node of a pool (its time, key, target, argument), wherever it waits.
  // Hot paths pass node indices, never times: a double argument to a call V8 does not inline is boxed.
  private nodeTimes: Float64Array;
  /** rank * 2^44 + sequence: one float carries both tie-breakers exactly. */
  private nodeKeys: Float64Array;
  private nodeTargets: Int32Array;
  private nodeArgs: Int32Array;
  /** Next node in the same bucket, the top or the free list; -1 ends a list. */
  private nextNode: Int32Array;
  private freeNode = -1;

  // The heap: node indices and (a copy of) their times, so that sifting compares contiguous times.
  private heapTimes: Float64Array;
  private heapNodes: Int32Array;
  private count = 0;
  private sequence = 0;
  private running = false;
  /**
   * True while a handler runs and the event it handles still occupies the root: the first event
   * the handler schedules into the heap replaces it (one sift-down instead of a pop and a push);
   * otherwise the root is popped when the handler returns. Events leave in the same order either
   * way: the order is the keys', and keys are unique.
   */
  private rootSpent = false;

  // The rung and the top: events outside the heap.
  /** Events in buckets and the top. */
  private outside = 0;
  /** First node of each bucket, -1 when empty. */
  private heads = new Int32Array(0);
  /** f(t) = (t - start) * inv places an event: f < cur: heap; f < nb: bucket floor(f); else top. */
  private start = 0;
  private inv = 0;
  private cur = 0;
  private nb = 0;
  private topHead = -1;
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;

  // The held event (`scheduleHeld`): one event waiting in these fields instead of the queue. Its
  // time is Infinity when there is none (no event is ever at Infinity), so `run` tests one number.
  private heldTime = Infinity;
  private heldKey = 0;
  private heldTarget = 0;
  private heldArg = 0;

  constructor(initialCapacity = 1024) {
    const n = Math.max(1, initialCapacity);
    this.heapTimes = new Float64Array(n);
    this.heapNodes = new Int32Array(n);
    this.nodeTimes = new Float64Array(0);
    this.nodeKeys = new Float64Array(0);
    this.nodeTargets = new Int32Array(0);
    this.nodeArgs = new Int32Array(0);
    this.nextNode = new Int32Array(0);
    this.growNodes(n);
  }

  /** Pending events. */
  get pending(): number {
    return (this.rootSpent ? this.count - 1 : this.count) + this.outside + (this.heldTime < Infinity ? 1 : 0);
  }

  /**
   * Schedules an event. Among events at the same time, lower `rank` runs first, then the one
   * scheduled first. Throws on NaN, infinite or past times: those are bugs, not inputs.
   */
  schedule(timeS: number, rank: number, target: number, arg: number): void {
    if (!(timeS >= this.nowS) || timeS === Infinity || (rank & 255) !== rank) this.refuse(timeS, rank);
    let n = this.freeNode;
    if (n < 0) n = this.growNodes(this.nodeTimes.length);
    this.freeNode = this.nextNode[n]!;
    this.nodeTimes[n] = timeS;
    this.nodeKeys[n] = rank * RANK_BITS + this.sequence++;
    this.nodeTargets[n] = target;
    this.nodeArgs[n] = arg;
    if ((timeS - this.start) * this.inv >= this.cur) {
      this.outside++;
      this.link(n);
    } else if (this.rootSpent) {
      this.rootSpent = false;
      this.freeRoot();
      this.siftDown(n, this.count);
    } else this.push(n);
  }

  /**
   * The same as `schedule`, for a stream of events of which one at a time is pending, each
   * scheduled once the one before it was dispatched (arrivals pulled from a source as the clock
   * reaches them): the event waits in a register beside the queue, so it is never sifted through
   * the heap or linked into a bucket. It gets its sequence number here as `schedule` gives it, and
   * `run` dispatches whichever of it and the queue's first event is first by (time, rank,
   * sequence), so the order of events is the same as with `schedule`. When the register is taken,
   * the event goes into the queue.
   */
  scheduleHeld(timeS: number, rank: number, target: number, arg: number): void {
    if (this.heldTime < Infinity) {
      this.schedule(timeS, rank, target, arg);
      return;
    }
    if (!(timeS >= this.nowS) || timeS === Infinity || (rank & 255) !== rank) this.refuse(timeS, rank);
    this.heldTime = timeS;
    this.heldKey = rank * RANK_BITS + this.sequence++;
    this.heldTarget = target;
    this.heldArg = arg;
  }

  /**
   * Dispatches events in order until none remain (or `untilS` is passed). Handlers may schedule
   * events but must not call `run` themselves: simulation steps never nest.
   */
  run(handler: EventHandler, untilS = Infinity): void {
    if (this.running) throw new Error('Engine.run called from inside an event handler');
    this.running = true;
    try {
      for (;;) {
        if (this.count === 0 && !this.refill()) {
          if (!(this.heldTime < Infinity) || !this.runHeld(handler, untilS)) break;
          continue;
        }
        const t = this.heapTimes[0]!;
        const ht = this.heldTime;
        if (ht <= t && (ht < t || this.heldKey < this.nodeKeys[this.heapNodes[0]!]!)) {
          if (!this.runHeld(handler, untilS)) break;
          continue;
        }
        if (!(t <= untilS)) break;
        this.nowS = t;
        this.processed++;
        this.rootSpent = true;
        const n = this.heapNodes[0]!;
        handler(this.nodeTargets[n]!, this.nodeArgs[n]!);
        if (this.rootSpent) this.popRoot();
      }
    } finally {
      if (this.rootSpent) this.popRoot();
      this.running = false;
    }
  }

  /** Dispatches the held event unless it is later than `untilS` (then false). */
  private runHeld(handler: EventHandler, untilS: number): boolean {
    const t = this.heldTime;
    if (!(t <= untilS)) return false;
    this.nowS = t;
    this.processed++;
    this.heldTime = Infinity;
    handler(this.heldTarget, this.heldArg);
    return true;
  }

  /** Throws for a bad time or rank; kept out of `schedule` so that the hot path stays small enough for V8 to inline. */
  private refuse(timeS: number, rank: number): never {
    if (!(timeS >= this.nowS) || timeS === Infinity) {
      throw new Error(`cannot schedule an event at t=${timeS} (now ${this.nowS}): time must be finite and not in the past`);
    }
    throw new Error(`event rank must be an integer in [0, 255], got ${rank}`);
  }

  /** Links node `n` (f(t) >= cur) into its bucket, or the top. */
  private link(n: number): void {
    const t = this.nodeTimes[n]!;
    const f = (t - this.start) * this.inv;
    if (f < this.nb) {
      const b = f | 0;
      this.nextNode[n] = this.heads[b]!;
      this.heads[b] = n;
      return;
    }
    this.nextNode[n] = this.topHead;
    this.topHead = n;
    this.topCount++;
    if (t < this.topMin) this.topMin = t;
    if (t > this.topMax) this.topMax = t;
  }

  /** With the heap empty: opens buckets (spreading the top over a new rung when needed) until the heap has an event; false if none are left. */
  private refill(): boolean {
    for (;;) {
      // In locals: a field is reloaded at every use in a loop. (Instructions per event, callgrind on
      // the bench's hold model, 4M minus 2M events, --no-concurrent-recompilation: 605 -> 582.)
      const heads = this.heads;
      const nb = this.nb;
      let cur = this.cur;
      while (cur < nb) {
        const n = heads[cur++]!;
        if (n >= 0) {
          this.cur = cur;
          this.moveToHeap(n);
          return true;
        }
      }
      this.cur = cur;
      if (this.topCount === 0) return false;
      this.spread();
      if (this.count > 0) return true;
    }
  }

  /** Moves the list starting at node `n` into the heap. */
  private moveToHeap(n: number): void {
    if (this.count === 0 && this.nextNode[n]! < 0) {
      // One event into the empty heap, the common case (a bucket holds about half an event): it is
      // the root. (582 -> 567 instructions per event, measured as above.)
      this.heapTimes[0] = this.nodeTimes[n]!;
      this.heapNodes[0] = n;
      this.count = 1;
      this.outside--;
      return;
    }
    while (n >= 0) {
      const next = this.nextNode[n]!;
      this.outside--;
      this.push(n);
      n = next;
    }
  }

  /** With the heap and the rung empty: a new rung over the top's span; a small top goes straight into the heap. */
  private spread(): void {
    const count = this.topCount;
    const min = this.topMin;
    const span = this.topMax - min;
    const n = this.topHead;
    this.topHead = -1;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.start = min;
    if (count <= SMALL_TOP || !(span > 0)) {
      // Everything into the heap; later events up to about min + 2 * span (or 3 * min) follow it there.
      const inv = span > 0 ? 1 / span : 1 / (min > 0 ? min : 1);
      this.inv = inv < Infinity ? inv : 0;
      this.nb = this.cur = 2;
      this.moveToHeap(n);
      return;
    }
    // BUCKETS_PER_EVENT * count buckets; the latest event lands in the last one (rounding may leave
    // it in the top, which is also correct).
    const nb = BUCKETS_PER_EVENT * count;
    const inv = (nb - 1) / span;
    this.inv = inv < Infinity ? inv : 0;
    this.cur = 0;
    this.nb = nb;
    if (this.heads.length < nb) this.heads = new Int32Array(Math.max(nb, 2 * this.heads.length));
    this.heads.fill(-1, 0, nb);
    for (let m = n; m >= 0; ) {
      const next = this.nextNode[m]!;
      this.link(m);
      m = next;
    }
  }

  /** Adds node `n` to the heap: sift up, moving parents down until its place is found. */
  private push(n: number): void {
    if (this.count === this.heapTimes.length) this.growHeap();
    const t = this.nodeTimes[n]!;
    const times = this.heapTimes;
    const nodes = this.heapNodes;
    let i = this.count++;
    while (i > 0) {
      const parent = ((i - 1) / ARITY) | 0;
      const pt = times[parent]!;
      if (pt < t || (pt === t && this.nodeKeys[nodes[parent]!]! < this.nodeKeys[n]!)) break;
      times[i] = pt;
      nodes[i] = nodes[parent]!;
      i = parent;
    }
    times[i] = t;
    nodes[i] = n;
  }

  /** Gives the root's node back to the free list (its heap entry is overwritten next). */
  private freeRoot(): void {
    const root = this.heapNodes[0]!;
    this.nextNode[root] = this.freeNode;
    this.freeNode = root;
  }

  /** Removes the root: the last event takes its place and sinks. */
  private popRoot(): void {
    this.rootSpent = false;
    this.freeRoot();
    const last = --this.count;
    if (last > 0) this.siftDown(this.heapNodes[last]!, last);
  }

  /** Puts node `n` at the root of the first `size` heap entries and sinks it to its place. */
  private siftDown(n: number, size: number): void {
    const times = this.heapTimes;
    const nodes = this.heapNodes;
    const keys = this.nodeKeys;
    const t = this.nodeTimes[n]!;
    let i = 0;
    for (;;) {
      const first = ARITY * i + 1;
      if (first >= size) break;
      // The smallest child.
      let c = first;
      let ct = times[first]!;
      const end = first + ARITY < size ? first + ARITY : size;
      for (let j = first + 1; j < end; j++) {
        const jt = times[j]!;
        if (jt < ct || (jt === ct && keys[nodes[j]!]! < keys[nodes[c]!]!)) {
          c = j;
          ct = jt;
        }
      }
      if (t < ct || (t === ct && keys[n]! < keys[nodes[c]!]!)) break;
      times[i] = ct;
      nodes[i] = nodes[c]!;
      i = c;
    }
    times[i] = t;
    nodes[i] = n;
  }

  private growHeap(): void {
    const size = this.heapTimes.length * 2;
    const times = new Float64Array(size); times.set(this.heapTimes); this.heapTimes = times;
    const nodes = new Int32Array(size); nodes.set(this.heapNodes); this.heapNodes = nodes;
  }

  /** Adds `more` free nodes to the pool; returns the first. */
  private growNodes(more: number): number {
    const old = this.nodeTimes.length;
    const size = old + more;
    const times = new Float64Array(size); times.set(this.nodeTimes); this.nodeTimes = times;
    const keys = new Float64Array(size); keys.set(this.nodeKeys); this.nodeKeys = keys;
    const targets = new Int32Array(size); targets.set(this.nodeTargets); this.nodeTargets = targets;
    const args = new Int32Array(size); args.set(this.nodeArgs); this.nodeArgs = args;
    const next = new Int32Array(size); next.set(this.nextNode); this.nextNode = next;
    for (let i = old; i < size - 1; i++) next[i] = i + 1;
    next[size - 1] = this.freeNode;
    this.freeNode = old;
    return old;
  }
}
