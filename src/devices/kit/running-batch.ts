import type { BlockKey } from './prefix-cache.js';

/**
 * The sequences a batching replica is running, in admission order (preemption takes the newest,
 * from the end), as parallel typed arrays: no object per sequence on the hot path.
 *
 * Token accounting, per sequence: `computed` tokens have their KV in the cache; the sequence is in
 * its prefill phase until `computed` reaches `target` (its prompt, plus the tokens it had generated
 * before a preemption: a recompute prefills those too); each iteration that completes the prefill,
 * and each decode step after it, generates one token (`gen`). `sched` is the tokens scheduled in the
 * iteration being formed (a prompt chunk, or 1 for a decode); `out` the tokens it will generate in
 * all (copied from the request so the hot loops stay in these arrays). With prefix caching, `nodes`
 * lists the cached blocks a sequence holds (its leading blocks, in order) and `keys` the content of
 * its named blocks; both are undefined for sequences with nothing nameable. `energy` is the
 * request's energy share, kept here while it runs when the lifecycle lets the device keep it
 * (Lifecycle.keptEnergy; else unused): a charge is then one addition in place, not a call.
 */
export class RunningBatch {
  n = 0;
  readonly id: Int32Array;
  readonly computed: Int32Array;
  readonly target: Int32Array;
  readonly gen: Int32Array;
  readonly sched: Int32Array;
  readonly out: Int32Array;
  readonly energy: Float64Array;
  readonly nodes: (number[] | undefined)[] = [];
  readonly keys: (readonly BlockKey[] | undefined)[] = [];
  /** Sequences holding cached blocks (`hold`, `drop`): while 0, every `nodes` and `keys` entry is undefined and `move` skips them. */
  holders = 0;

  constructor(readonly max: number) {
    this.id = new Int32Array(max);
    this.computed = new Int32Array(max);
    this.target = new Int32Array(max);
    this.gen = new Int32Array(max);
    this.sched = new Int32Array(max);
    this.out = new Int32Array(max);
    this.energy = new Float64Array(max);
  }

  /** Appends a sequence with nothing computed yet, its energy share so far `energyJ`; returns its index. */
  push(rid: number, target: number, gen: number, out: number, energyJ: number): number {
    if (this.n === this.max) throw new Error(`running batch full (${this.max})`);
    const i = this.n++;
    this.id[i] = rid;
    this.computed[i] = 0;
    this.target[i] = target;
    this.gen[i] = gen;
    this.sched[i] = 0;
    this.out[i] = out;
    this.energy[i] = energyJ;
    this.nodes[i] = undefined;
    this.keys[i] = undefined;
    return i;
  }

  /** True while sequence i still has prompt (or recompute) tokens to prefill. */
  prefilling(i: number): boolean {
    return this.computed[i]! < this.target[i]!;
  }

  /** Copies sequence `from` into slot `to` (to < from: compaction keeping the order). */
  move(from: number, to: number): void {
    this.id[to] = this.id[from]!;
    this.computed[to] = this.computed[from]!;
    this.target[to] = this.target[from]!;
    this.gen[to] = this.gen[from]!;
    this.sched[to] = this.sched[from]!;
    this.out[to] = this.out[from]!;
    this.energy[to] = this.energy[from]!;
    if (this.holders === 0) return;
    this.nodes[to] = this.nodes[from];
    this.keys[to] = this.keys[from];
  }

  /** Sequence i now holds the cached blocks `nodes` (its leading blocks), of named content `keys`. */
  hold(i: number, nodes: number[], keys: readonly BlockKey[]): void {
    if (this.nodes[i] !== undefined) throw new Error(`running batch: sequence ${i} already holds cached blocks`);
    this.nodes[i] = nodes;
    this.keys[i] = keys;
    this.holders++;
  }

  /** Sequence i no longer holds cached blocks. */
  drop(i: number): void {
    if (this.nodes[i] === undefined) return;
    this.nodes[i] = undefined;
    this.keys[i] = undefined;
    this.holders--;
  }

  /** Removes sequence i, keeping the order of the others. */
  removeAt(i: number): void {
    for (let j = i + 1; j < this.n; j++) this.move(j, j - 1);
    this.n--;
  }

  /**
   * Removes the sequences that generated all their tokens (gen >= out), calling `ended(i)` for
   * each just before it goes; the others keep their order (one pass, no call for those kept).
   */
  removeFinished(ended: (i: number) => void): void {
    const { gen, out } = this;
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      if (gen[i]! >= out[i]!) {
        ended(i);
        continue;
      }
      if (w !== i) this.move(i, w);
      w++;
    }
    this.n = w;
  }

  /** Keeps the sequences for which `keep(i)` is true, in order (one pass). */
  retain(keep: (i: number) => boolean): void {
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      if (!keep(i)) continue;
      if (w !== i) this.move(i, w);
      w++;
    }
    this.n = w;
  }
}
