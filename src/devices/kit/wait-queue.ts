/** Requests waiting on a replica: FIFO, or ordered by a static priority key (smaller first). */
export interface WaitQueue {
  readonly size: number;
  /** Next request id to serve, or -1 when empty. */
  peek(): number;
  /** Removes and returns the next id (-1 when empty). */
  shift(): number;
  /** Adds an arriving request. */
  push(id: number): void;
  /** Puts a preempted request back: at the front for FIFO, at its own key for priorities. */
  requeue(id: number): void;
  /** Takes out request `id`, which the caller knows is waiting here (a client gave up). */
  remove(id: number): void;
}

/** Creates a FIFO ring buffer, or a keyed heap when a priority function is given. */
export function createWaitQueue(priority?: (id: number) => number): WaitQueue {
  return new Removable(priority ? new KeyedQueue(priority) : new FifoQueue());
}

type Inner = Omit<WaitQueue, 'remove'>;

/**
 * Removal by lazy deletion: a removed id stays in the inner queue, marked, and is dropped when it
 * reaches the head, so removing costs O(1) and the queues stay simple. Removals are rare (timeouts).
 */
class Removable implements WaitQueue {
  private readonly removed = new Set<number>();
  /** Requests waiting (the inner queue's size less the removed ones): a field, as routers read it per replica per request. */
  size = 0;

  constructor(private readonly inner: Inner) {}

  peek(): number {
    this.drop();
    return this.inner.peek();
  }

  shift(): number {
    this.drop();
    const id = this.inner.shift();
    if (id >= 0) this.size--;
    return id;
  }

  push(id: number): void {
    this.inner.push(id);
    this.size++;
  }

  requeue(id: number): void {
    this.inner.requeue(id);
    this.size++;
  }

  remove(id: number): void {
    if (this.removed.has(id)) throw new Error(`request ${id} removed twice from a wait queue`);
    this.removed.add(id);
    this.size--;
  }

  private drop(): void {
    if (this.removed.size === 0) return;
    while (this.inner.size > 0 && this.removed.delete(this.inner.peek())) this.inner.shift();
  }
}

class FifoQueue implements Inner {
  private buf = new Int32Array(64);
  private head = 0;
  size = 0;

  peek(): number {
    return this.size === 0 ? -1 : this.buf[this.head]!;
  }

  shift(): number {
    if (this.size === 0) return -1;
    const id = this.buf[this.head]!;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.size--;
    return id;
  }

  push(id: number): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = id;
    this.size++;
  }

  requeue(id: number): void {
    if (this.size === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = id;
    this.size++;
  }

  private grow(): void {
    const next = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)]!;
    this.buf = next;
    this.head = 0;
  }
}

/** Binary heap on (key, insertion sequence): equal keys keep FIFO order. */
class KeyedQueue implements Inner {
  private keys: number[] = [];
  private seqs: number[] = [];
  private ids: number[] = [];
  private sequence = 0;

  constructor(private readonly priority: (id: number) => number) {}

  get size(): number {
    return this.ids.length;
  }

  peek(): number {
    return this.ids.length === 0 ? -1 : this.ids[0]!;
  }

  push(id: number): void {
    this.insert(this.priority(id), id);
  }

  requeue(id: number): void {
    this.insert(this.priority(id), id);
  }

  shift(): number {
    const n = this.ids.length;
    if (n === 0) return -1;
    const top = this.ids[0]!;
    const key = this.keys.pop()!;
    const seq = this.seqs.pop()!;
    const id = this.ids.pop()!;
    if (n > 1) this.siftDown(key, seq, id);
    return top;
  }

  private less(k1: number, s1: number, k2: number, s2: number): boolean {
    return k1 < k2 || (k1 === k2 && s1 < s2);
  }

  private insert(key: number, id: number): void {
    if (Number.isNaN(key)) throw new Error(`priority of request ${id} is NaN`);
    const seq = this.sequence++;
    let i = this.ids.length;
    this.keys.push(key); this.seqs.push(seq); this.ids.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(key, seq, this.keys[p]!, this.seqs[p]!)) break;
      this.keys[i] = this.keys[p]!; this.seqs[i] = this.seqs[p]!; this.ids[i] = this.ids[p]!;
      i = p;
    }
    this.keys[i] = key; this.seqs[i] = seq; this.ids[i] = id;
  }

  private siftDown(key: number, seq: number, id: number): void {
    const n = this.ids.length;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(this.keys[c + 1]!, this.seqs[c + 1]!, this.keys[c]!, this.seqs[c]!)) c++;
      if (!this.less(this.keys[c]!, this.seqs[c]!, key, seq)) break;
      this.keys[i] = this.keys[c]!; this.seqs[i] = this.seqs[c]!; this.ids[i] = this.ids[c]!;
      i = c;
    }
    this.keys[i] = key; this.seqs[i] = seq; this.ids[i] = id;
  }
}
