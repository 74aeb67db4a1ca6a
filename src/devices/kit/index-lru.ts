/**
 * A least-recently-used order over dense integer ids (cache nodes, block identities): an intrusive
 * doubly linked list in typed arrays, grown by doubling, so appending, unlinking and taking the
 * oldest allocate nothing in steady state. Membership is the caller's to track (an id must be
 * appended only when absent and unlinked only when present).
 */
export const NONE = -1;

export class IndexLru {
  /** The least recent id, NONE when empty. */
  head = NONE;
  private tail = NONE;
  private prev = new Int32Array(0);
  private nextOf = new Int32Array(0);

  /** The id after `id` (more recent), NONE at the end. */
  next(id: number): number {
    return this.nextOf[id]!;
  }

  /** Makes `id` the most recent. */
  append(id: number): void {
    if (id >= this.prev.length) this.grow(id + 1);
    this.prev[id] = this.tail;
    this.nextOf[id] = NONE;
    if (this.tail === NONE) this.head = id;
    else this.nextOf[this.tail] = id;
    this.tail = id;
  }

  /** Takes `id` out of the order. */
  unlink(id: number): void {
    const p = this.prev[id]!, n = this.nextOf[id]!;
    if (p === NONE) this.head = n;
    else this.nextOf[p] = n;
    if (n === NONE) this.tail = p;
    else this.prev[n] = p;
  }

  private grow(atLeast: number): void {
    const n = Math.max(256, atLeast, this.prev.length * 2);
    const prev = new Int32Array(n);
    const next = new Int32Array(n);
    prev.set(this.prev);
    next.set(this.nextOf);
    this.prev = prev;
    this.nextOf = next;
  }
}
