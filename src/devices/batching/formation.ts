/**
 * Batch formation: at each iteration boundary, which running sequences compute how many tokens,
 * whom to preempt, and whom to admit from the queue. One function per scheduler mode; the device
 * (device.ts) owns the clock, pricing, accounting and fast-forward. A formation changes the batch
 * only through the kit (admit, preempt, abort); it sets `batch.sched[i]` through `kit.schedule`,
 * except on the decode hot paths, which write `batch.sched` and `kv.used` themselves.
 */
import type { KvBlocks } from '../kit/kv-blocks.js';
import type { RunningBatch } from '../kit/running-batch.js';
import type { WaitQueue } from '../kit/wait-queue.js';

/** What a formation may look at and do. */
export interface FormationKit {
  readonly batch: RunningBatch;
  readonly queue: WaitQueue;
  readonly kv: KvBlocks;
  /** Tokens a waiting request must compute before it generates: its prompt plus what it generated before a preemption. */
  pendingTokens(rid: number): number;
  /** True when waiting request `rid` was preempted before (it is a recompute). */
  resumed(rid: number): boolean;
  /** KV blocks admitting waiting request `rid` with `tokens` scheduled takes from the free pool (cached hits included). */
  admitCost(rid: number, tokens: number): number;
  /** Schedules `tokens` for running sequence i and takes the KV blocks they need (the caller checked they fit). */
  schedule(i: number, tokens: number): void;
  /** Admits the queue head with `tokens` scheduled (the caller checked blocks and limits); returns its index. */
  admitHead(tokens: number): number;
  /** Sends the newest running sequence back to the queue, to be recomputed. */
  preemptNewest(): void;
  /** Sends running sequence i back to the queue, to be recomputed (priority preemption). */
  preemptAt(i: number): void;
  /** Wait-queue key of request `rid` (smaller runs first), or undefined when the replica serves FIFO. */
  priorityKey?(rid: number): number;
  /** Ends running sequence i now: it can never fit the KV cache, even alone (recorded as `aborted: <reason>`). */
  abort(i: number, reason: string): void;
  /** Sequences preempted while forming this iteration. */
  preemptedNow: number;
  /**
   * True when the device has already scheduled one decode token for every running sequence (all of
   * them decode, within the mode's decodeLimit, and it took their blocks, which were free): what a
   * `decodesFirst` mode's formation does first. Only ever set for such modes.
   */
  decoded: boolean;
}

/** Decides the next iteration. */
export type Formation = (kit: FormationKit) => void;

/**
 * llmsim 0.1's scheduler, kept so old results reproduce: every running sequence decodes; new
 * prompts are prefilled whole in the same iteration (priced as a prefill pass plus a decode step)
 * while the prefill token budget, batch size and KV blocks allow, with the next token's block
 * reserved (lookahead 1). A lone recompute may exceed the budget. KV short: preempt the newest.
 */
export function legacyFormation(maxBatch: number, budget: number): Formation {
  return (kit) => {
    const { batch, queue, kv } = kit;
    let need = 0;
    for (let i = 0; i < batch.n; i++) need += kv.growth(batch.computed[i]!, 1);
    while (kv.used + need > kv.capacityBlocks) {
      const last = batch.n - 1;
      need -= kv.growth(batch.computed[last]!, 1);
      kit.preemptNewest();
    }
    batch.sched.fill(1, 0, batch.n);
    kv.used += need;
    const firstNew = batch.n;
    let prefillTokens = 0;
    while (queue.size > 0 && batch.n < maxBatch) {
      const rid = queue.peek();
      const tokens = kit.pendingTokens(rid);
      const overBudget = prefillTokens + tokens > budget && !(kit.resumed(rid) && batch.n === firstNew);
      if (overBudget || kit.admitCost(rid, tokens) > kv.free()) break;
      kit.admitHead(tokens);
      prefillTokens += tokens;
    }
  };
}

/** Settings of the chunked (vLLM v1 / Sarathi-Serve) formation. */
export interface ChunkedSettings {
  readonly maxBatch: number;
  /** Tokens one iteration computes at most, decodes included. */
  readonly budget: number;
  /** A prompt chunk is at most this many tokens (0 = no limit beyond the budget). */
  readonly longPrefillThreshold: number;
  /** False: a new prompt is admitted only whole, within the budget left (vLLM V1 with chunked prefill off). */
  readonly chunking?: boolean;
  /** A queue head of higher priority that finds the batch or the KV cache full preempts lower-priority sequences. */
  readonly priorityPreemption?: boolean;
}

/**
 * Chunked prefill under one token budget (vLLM v1's scheduler; Sarathi-Serve's stall-free batching
 * with the chunk size as budget): running decodes first, one token each; then the next chunks of
 * sequences still prefilling, in admission order; then new requests in queue order while the
 * budget, the batch size and the KV cache allow. KV short: see `makeRoom`. After a preemption no
 * new request is admitted in that iteration (as vLLM v1).
 */
export function chunkedFormation(s: ChunkedSettings): Formation {
  const cap = s.longPrefillThreshold > 0 ? s.longPrefillThreshold : Infinity;
  return (kit) => {
    const { batch, queue, kv } = kit;
    const byPriority = s.priorityPreemption === true && kit.priorityKey !== undefined;
    moved = 0;
    let budget = s.budget;
    let prefilling = 0;
    // Pass 0 done by the device (every sequence decodes, every block was free): the budget is what is left.
    if (kit.decoded) budget -= batch.n;
    // Pass 0: decodes (the hot path: a block is free, or the sequence's last block has room).
    else for (let i = 0; i < batch.n && budget > 0; i++) {
      const computed = batch.computed[i]!;
      if (computed < batch.target[i]!) {
        prefilling++;
        continue;
      }
      // A decode needs a new block exactly when its last one is full (computed >= 1 here).
      const grow = kv.endsBlock(computed) ? 1 : 0;
      if (grow > kv.capacityBlocks - kv.used) {
        const tokens = byPriority ? priorityRoom(kit, i, 1) : makeRoom(kit, i, 1); // default: only the newest leave (i itself last), indices below stay valid
        i -= moved;
        if (tokens === 0) continue;
        kit.schedule(i, 1);
      } else {
        kv.used += grow;
        batch.sched[i] = 1;
      }
      budget--;
    }
    // Pass 1: the next chunks of sequences still prefilling, in admission order.
    if (prefilling > 0) {
      for (let i = 0; i < batch.n && budget > 0; i++) {
        if (batch.sched[i]! > 0 || !batch.prefilling(i)) continue;
        const want = Math.min(batch.target[i]! - batch.computed[i]!, budget, cap);
        const tokens = byPriority ? priorityRoom(kit, i, want) : makeRoom(kit, i, want);
        i -= moved;
        if (tokens === 0) continue;
        kit.schedule(i, tokens);
        budget -= tokens;
      }
    }
    if (kit.preemptedNow > 0) return;
    while (queue.size > 0 && budget > 0) {
      const rid = queue.peek();
      const pending = kit.pendingTokens(rid);
      if (s.chunking === false && pending > budget) break;
      const want = Math.min(pending, budget, cap);
      if (batch.n >= s.maxBatch || kit.admitCost(rid, want) > kv.free()) {
        const victim = s.priorityPreemption ? lowerPriorityVictim(kit, rid) : -1;
        if (victim < 0) break;
        budget += batch.sched[victim]!; // its tokens in this pass are not computed
        kit.preemptAt(victim);
        continue;
      }
      kit.admitHead(want);
      budget -= want;
    }
  };
}

/**
 * The running sequence that waiting request `rid` may preempt: the one of lowest priority (largest
 * key), the newest among equals, provided its priority is strictly below rid's; -1 when none.
 */
function lowerPriorityVictim(kit: FormationKit, rid: number): number {
  const key = kit.priorityKey;
  if (key === undefined) return -1;
  const { batch } = kit;
  const mine = key(rid);
  let victim = -1, worst = mine;
  for (let i = 0; i < batch.n; i++) {
    const k = key(batch.id[i]!);
    if (k > worst || (k === worst && victim >= 0)) {
      victim = i;
      worst = k;
    }
  }
  return victim;
}

/**
 * vLLM v0's default scheduler (Orca-style, no chunking): when a waiting prompt fits, an iteration
 * prefills whole prompts only (decodes pause) while the token budget, batch size and KV blocks
 * allow; otherwise every running sequence decodes (KV short: see `makeRoom`).
 */
export function prefillFirstFormation(maxBatch: number, budget: number): Formation {
  return (kit) => {
    const { batch, queue, kv } = kit;
    let tokens = 0;
    while (queue.size > 0 && batch.n < maxBatch) {
      const rid = queue.peek();
      const want = kit.pendingTokens(rid);
      if (tokens + want > budget || kit.admitCost(rid, want) > kv.free()) break;
      kit.admitHead(want);
      tokens += want;
    }
    if (tokens > 0) return;
    for (let i = 0; i < batch.n; i++) if (makeRoom(kit, i, 1) > 0) kit.schedule(i, 1);
  };
}

/**
 * Tokens running sequence i can compute now, at most `want`, making room in the KV cache by
 * preempting the newest running sequences (recompute; vLLM's victim under FCFS) - never one already
 * scheduled in this iteration (i then waits: 0). When i is itself the newest it is preempted (0).
 * Alone, a prompt chunk shrinks to what fits; a decode that does not fit alone never will: aborted.
 */
function makeRoom(kit: FormationKit, i: number, want: number): number {
  const { batch, kv } = kit;
  while (kv.growth(batch.computed[i]!, want) > kv.free()) {
    const last = batch.n - 1;
    if (last !== i) {
      if (batch.sched[last]! > 0) return 0;
      kit.preemptNewest();
      continue;
    }
    if (i > 0) {
      kit.preemptNewest();
      return 0;
    }
    const computed = batch.computed[i]!;
    const fit = (kv.held(computed) + kv.free()) * kv.blockSize - kv.lookahead - computed;
    if (batch.prefilling(i) && fit > 0) return Math.min(fit, want);
    kit.abort(i, 'the sequence outgrew the KV cache of its replica while running alone');
    return 0;
  }
  return want;
}

/** How far the sequence `priorityRoom` was called for moved down (victims before it left, or it left itself); 0 after `makeRoom`. */
let moved = 0;

/**
 * `makeRoom` with priorities (priorityPreemption with class or policy priorities): the victim is the
 * running sequence of lowest priority (largest key), the newest among equals, among those not yet
 * scheduled in this iteration - never one of higher priority than i. With none, i leaves when it is
 * the newest and otherwise waits (0), as in `makeRoom`. A victim before i moves i down: `moved` says
 * by how much (plus 1 when i itself left), so the caller's loop index stays on the next sequence.
 */
function priorityRoom(kit: FormationKit, i: number, want: number): number {
  const { batch, kv } = kit;
  const key = kit.priorityKey!;
  moved = 0;
  while (kv.growth(batch.computed[i]!, want) > kv.free()) {
    if (batch.n === 1) return makeRoom(kit, i, want);
    const mine = key(batch.id[i]!);
    let victim = -1, worst = mine;
    for (let j = 0; j < batch.n; j++) {
      if (j === i || batch.sched[j]! > 0) continue;
      const k = key(batch.id[j]!);
      if (k >= worst) {
        victim = j;
        worst = k;
      }
    }
    if (victim < 0) {
      if (i !== batch.n - 1) return 0;
      kit.preemptAt(i);
      moved++;
      return 0;
    }
    kit.preemptAt(victim);
    if (victim < i) {
      i--;
      moved++;
    }
  }
  return want;
}
