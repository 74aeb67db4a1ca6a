/**
 * The iteration loop of a batching replica: at each boundary a formation (formation.ts) decides the
 * next iteration; the loop prices it, runs it as one event, applies its progress, retires finished
 * sequences and accounts time and energy.
 *
 * Fast-forward: while the batch is fixed and every sequence decodes (nothing admissible, nothing
 * finishing, the KV cache holding), k decode steps are one event. Boundaries of such a "run" are
 * always computed from its start, as start + decodeRunS(batch, context0, j), and the run's time and
 * energy are accounted when it closes, so one event per step (fastForward: false) and one per run
 * give the same floats, byte for byte. An arrival cuts a run at the first boundary after it, unless
 * the batch is full (nothing could join before a sequence finishes, which ends the run anyway).
 */
import type { IterationModel } from '../../profiles/model.js';
import { emptyShape } from '../../profiles/model.js';
import type { Device, DeviceContext, DeviceStats } from '../device.js';
import { createKvBlocks } from '../kit/kv-blocks.js';
import { RunningBatch } from '../kit/running-batch.js';
import { createWaitQueue } from '../kit/wait-queue.js';
import type { ReplicaIdentity } from '../slots.js';
import type { ContinuousBatchingDeviceSpec } from './schema.js';
import { admissionCheck, decodeLimitOf, decodesFirstOf, formationOf } from './modes.js';
import { createPrefixKeeper } from './prefix.js';
import { createCpuTier, kvTierExtra } from './kv-tiers.js';
import type { FormationKit } from './formation.js';

const KICK = -1; // event arg: an idle replica starts once every request arriving now is queued
const FROM_FRONTEND = -2; // event arg FROM_FRONTEND - rid: request rid leaves the front end
const SMI_MAX = 2 ** 30 - 1; // above any token count (MAX_TOKENS), and a small integer for V8

/** Creates one replica of a `continuous-batching` device entry. */
export function createBatchingDevice(spec: ContinuousBatchingDeviceSpec, model: IterationModel, ctx: DeviceContext, id: ReplicaIdentity): Device {
  const { requests, lifecycle, engine } = ctx;
  // The running requests' energy kept in the batch's column (RunningBatch.energy) and given back
  // to the lifecycle when each leaves: a charge is then an addition in place, not a call.
  const keepsEnergy = lifecycle.keptEnergy;
  const legacy = spec.scheduler === 'legacy';
  const kv = createKvBlocks(spec.kvCapacityTokens ?? model.kvCapacityTokens, spec.blockSize, legacy ? 1 : 0);
  const batch = new RunningBatch(spec.maxBatchSize);
  const queue = createWaitQueue(ctx.priority && ((rid: number) => ctx.priority!(requests[rid]!)));
  const resumeGen = new Map<number, number>(); // tokens generated before a preemption (rare: a map is fine)
  const formation = formationOf(spec);
  const decodeLimit = decodeLimitOf(spec);
  const decodesFirst = decodesFirstOf(spec);
  const rejectReason = admissionCheck(spec, kv, id.group);
  const shape = emptyShape();
  const role = spec.role;
  // KV tiers (kvTiers): a CPU tier for swapped-out sequences and offloaded prefix blocks; PCIe
  // copies stall the iteration they are part of (hot.stallS, added to its time).
  const tiers = spec.kvTiers;
  const cpu = tiers && createCpuTier(tiers, kv.blockSize, tiers.kvBytesPerToken!);
  const swapping = tiers?.preemptionMode === 'swap';
  const swapped = new Map<number, { computed: number; target: number; gen: number; blocks: number }>(); // rid -> state at swap-out
  const tierHits = { gpuTokens: 0, gpuRequests: 0, cpuTokens: 0, cpuRequests: 0 };
  // Fractional numbers written at every event, as fields of one object: a closure's `let` holding
  // one is a boxed number, reallocated at each assignment. segStartS/segEndS: the segment in flight;
  // runStartS: the open run's start; busyS, busyEnergyJ, batchSeqS: the replica's sums; stallS:
  // PCIe time of the iteration being formed (KV tiers); segPrefillS: legacy, the prefill pass's
  // part of the iteration (energy is split by it).
  const hot = { segStartS: 0, segEndS: 0, runStartS: 0, busyS: 0, busyEnergyJ: 0, batchSeqS: 0, stallS: 0, segPrefillS: 0 };
  const offload = cpu && tiers!.prefixOffload ? { tier: cpu, stall: (s: number) => void (hot.stallS += s) } : undefined;
  const prefix = spec.prefixCaching && !legacy && role === undefined ? createPrefixKeeper(requests, batch, kv, offload) : undefined;
  const target = (rid: number) => requests[rid]!.promptTokens + (resumeGen.size > 0 ? (resumeGen.get(rid) ?? 0) : 0);
  const hitTokens = (rid: number) => (prefix ? prefix.lookup(rid, target(rid)).blocks * kv.blockSize : 0);
  /** A request ends while swapped out: its CPU blocks are freed (no copy). */
  const dropSwapped = (rid: number) => {
    const s = swapped.get(rid);
    if (s === undefined) return;
    swapped.delete(rid);
    cpu!.discard(s.blocks);
  };

  // The segment in flight: one iteration (runSteps 0), or runSteps decode steps of the open run.
  let active = false, epoch = 0, runSteps = 0;
  // The open run: `runBatch` sequences decoding since hot.runStartS from total context runCtx0, runDone steps so far.
  let runOpen = false, runCtx0 = 0, runBatch = 0, runDone = 0;
  // Steps from the run's start after which its first sequence finishes (the batch is fixed in a run).
  let runFinishAt = Infinity;
  // From decodeAll, for startRun: the fewest tokens a sequence has left, the batch's cached tokens (-1: scan).
  let runLeft = -1, runContext = 0;
  // The batch as the pass that just applied a segment's progress left it (survivors only), for the
  // boundary's decodeAll, so it need not scan again: whether every survivor decodes, the blocks
  // their next decode takes, their cached tokens, the fewest tokens one has left, how many.
  // Valid only from that pass to the next decodeAll (which consumes it): nothing in between
  // changes the batch.
  // (sumLeft starts at a small integer, not Infinity: a closure variable once fractional is a boxed
  // number, reallocated at each assignment.)
  let sumOk = false, sumAll = true, sumGrow = 0, sumContext = 0, sumLeft = SMI_MAX, sumN = 0;
  // Set when decodeAll scheduled every decode ahead of the formation (kit.decoded): how many
  // sequences, and their cached tokens; -1 otherwise (decodeAll resets it at every boundary, so a
  // boundary that ends idle leaves nothing for the next).
  let decodedN = -1, decodedContext = 0;
  let iterations = 0, preemptions = 0, finished = 0;
  let kickPending = false;
  let abandonedHere = 0; // running sequences whose client gave up: removed at the next boundary
  // The cluster's load board (ctx.loads: least-loaded routing reads it instead of calling queued()
  // and running() on every replica): queue.size + batch.n, posted at the end of every entry point
  // that can change either (admit, cancel, fire). Not kept with a P/D role (its queued() also counts
  // handoffs; the kind does not ask for a board then).
  const loads = role === undefined ? ctx.loads : undefined;
  const frontendS = model.frontendS ?? 0;
  const inFrontend = new Set<number>(); // requests still in the front end (only when frontendS > 0)
  // P/D (role set): KV blocks held outside the running batch, counted in kv.used: on a prefill
  // replica the KV of prefilled requests not yet sent (`parked`); on a decode replica blocks
  // reserved for KV in transfer (`inTransfer`) or landed and waiting for a batch slot (`landed`).
  const handoff = role !== undefined ? ctx.handoff : undefined;
  if (role !== undefined && !handoff) throw new Error(`${id.name}: role ${role} needs the cluster's disaggregation block`);
  let heldOutside = 0, handedOff = 0, received = 0;
  let completing = false; // inside a boundary (completeSegment + startIteration): it will form the next iteration itself
  const parked = new Map<number, number>();
  const handed: number[] = []; // prefilled in the segment just completed, reported after it
  const incoming: number[] = []; // decode: waiting for KV room, FIFO
  const inTransfer = new Map<number, number>();
  const landed: number[] = []; // decode: KV here, waiting for a batch slot, FIFO

  const kit: FormationKit = {
    batch,
    queue,
    kv,
    preemptedNow: 0,
    decoded: false,
    pendingTokens(rid) {
      const s = swapped.size > 0 ? swapped.get(rid) : undefined;
      // Swapped in, it goes on where it stopped: the rest of its prompt, or one decode.
      if (s !== undefined) return s.target > s.computed ? s.target - s.computed : 1;
      return target(rid) - hitTokens(rid);
    },
    resumed: (rid) => resumeGen.has(rid),
    admitCost(rid, tokens) {
      const s = swapped.size > 0 ? swapped.get(rid) : undefined;
      if (s !== undefined) return kv.held(s.computed + tokens);
      if (!prefix) return kv.growth(0, tokens);
      const hit = prefix.lookup(rid, target(rid));
      return kv.growth(hit.blocks * kv.blockSize, tokens) + hit.freeBlocks;
    },
    schedule(i, tokens) {
      kv.used += kv.growth(batch.computed[i]!, tokens);
      batch.sched[i] = tokens;
      // Room for new blocks comes from free cached ones, least recently used first.
      if (prefix) prefix.cache.reclaim(kv.used - prefix.cache.inUse);
    },
    admitHead(tokens) {
      closeRun();
      const rid = queue.shift();
      if (swapped.size > 0 && swapped.has(rid)) return swapIn(rid, tokens);
      const done = resumeGen.get(rid) ?? 0;
      resumeGen.delete(rid);
      const r = requests[rid]!;
      const i = batch.push(rid, r.promptTokens + done, done, role === 'prefill' ? 1 : r.outputTokens, joining(rid));
      let cached = 0;
      if (prefix) {
        const hit = prefix.lookup(rid, r.promptTokens + done);
        kv.used += hit.freeBlocks;
        if (cpu) countHits(hit.blocks - hit.cpuBlocks, hit.cpuBlocks);
        cached = prefix.attach(i, rid, hit);
      }
      lifecycle.started(rid, id.index, engine.nowS, cached);
      kit.schedule(i, tokens);
      return i;
    },
    preemptNewest() {
      kit.preemptAt(batch.n - 1);
    },
    preemptAt(i) {
      closeRun();
      settle(i);
      const rid = batch.id[i]!;
      prefix?.release(i);
      const blocks = swapping ? kv.held(batch.computed[i]!) : 0;
      const outS = blocks > 0 ? cpu!.swapOut(blocks) : undefined;
      if (outS !== undefined) {
        // Swap (vLLM v0): its GPU blocks are free for this iteration; the copy runs first, stalling it.
        hot.stallS += outS;
        swapped.set(rid, { computed: batch.computed[i]!, target: batch.target[i]!, gen: batch.gen[i]!, blocks });
      } else resumeGen.set(rid, batch.gen[i]!);
      lifecycle.preempted(rid);
      preemptions++;
      kit.preemptedNow++;
      batch.removeAt(i);
      kv.used = usedBlocks();
      queue.requeue(rid);
    },
    priorityKey: ctx.priority && ((rid: number) => ctx.priority!(requests[rid]!)),
    abort(i, reason) {
      closeRun();
      settle(i);
      const rid = batch.id[i]!;
      prefix?.release(i);
      prefix?.forget(rid);
      batch.removeAt(i);
      kv.used = usedBlocks();
      lifecycle.aborted(rid, reason);
    },
  };

  /** Admits swapped-out request `rid` (just taken from the queue): its blocks come back, then it computes `tokens`. */
  function swapIn(rid: number, tokens: number): number {
    const s = swapped.get(rid)!;
    swapped.delete(rid);
    const i = batch.push(rid, s.target, s.gen, requests[rid]!.outputTokens, joining(rid));
    batch.computed[i] = s.computed;
    kv.used += s.blocks;
    hot.stallS += cpu!.swapIn(s.blocks);
    lifecycle.started(rid, id.index, engine.nowS);
    kit.schedule(i, tokens);
    return i;
  }

  /** The energy share a request brings into the batch (kept there from now on), or 0 when the lifecycle keeps it. */
  function joining(rid: number): number {
    return keepsEnergy ? lifecycle.energyOf(rid) : 0;
  }

  /** Sequence i leaves the batch or ends: the energy kept for it goes back to the lifecycle first. */
  function settle(i: number): void {
    if (keepsEnergy) lifecycle.settleEnergy(batch.id[i]!, batch.energy[i]!);
  }

  /** Charges sequence i `energyJ`: in the batch's column when it keeps energy, else through the lifecycle. */
  function charge(i: number, energyJ: number): void {
    if (keepsEnergy) batch.energy[i]! += energyJ;
    else lifecycle.chargeEnergy(batch.id[i]!, energyJ);
  }

  /** Prefix hits of one admission, per tier (KV tiers' figures). */
  function countHits(gpuBlocks: number, cpuBlocks: number): void {
    if (gpuBlocks > 0) (tierHits.gpuTokens += gpuBlocks * kv.blockSize), tierHits.gpuRequests++;
    if (cpuBlocks > 0) (tierHits.cpuTokens += cpuBlocks * kv.blockSize), tierHits.cpuRequests++;
  }

  /**
   * KV blocks in use: each sequence's blocks (with this iteration's scheduled tokens), counting a
   * cached block shared by several sequences once.
   */
  function usedBlocks(): number {
    let used = 0;
    for (let i = 0; i < batch.n; i++) used += kv.held(batch.computed[i]! + batch.sched[i]!) - (batch.nodes[i]?.length ?? 0);
    used += heldOutside;
    return prefix ? used + prefix.cache.inUse : used;
  }

  /** Accounts the open run's time and energy (its batch is still the current one) and closes it. */
  function closeRun(): void {
    if (!runOpen) return;
    const share = closeRunShare();
    const n = batch.n; // locals: see endRun
    if (keepsEnergy) {
      const energy = batch.energy;
      for (let i = 0; i < n; i++) energy[i]! += share;
      return;
    }
    const ids = batch.id, life = lifecycle;
    for (let i = 0; i < n; i++) life.chargeEnergy(ids[i]!, share);
  }

  /** closeRun without the charges: accounts the run's time and energy, closes it and returns each sequence's share. */
  function closeRunShare(): number {
    runOpen = false;
    const durS = engine.nowS - hot.runStartS;
    const energyJ = model.busyPowerW(runBatch) * durS;
    hot.busyS += durS;
    hot.busyEnergyJ += energyJ;
    hot.batchSeqS += runBatch * durS;
    return energyJ / runBatch;
  }

  /** Applies the progress of the segment that just ended and retires finished sequences. */
  function completeSegment(): void {
    active = false;
    const { computed, gen, sched, out, id: ids } = batch;
    let used = 0, done = false;
    // The survivors' summary (sumOk), summed here in locals.
    let all = true, grow = 0, context = 0, fewest = SMI_MAX, kept = 0;
    if (runSteps > 0) {
      // The run's last segment, nothing cached to name, nobody abandoned, no P/D role: one pass.
      if (runDone + runSteps >= runFinishAt && role === undefined && abandonedHere === 0 && !(prefix && (prefix.keyed > 0 || prefix.cache.named > 0))) return endRun();
      const n = batch.n, steps = runSteps, blocks = kv; // locals: see endRun
      for (let i = 0; i < n; i++) {
        const c = (computed[i]! += steps);
        used += blocks.held(c);
        const left = out[i]! - (gen[i]! += steps);
        if (left <= 0) {
          done = true;
          continue;
        }
        // Every sequence of a run decodes; its next decode needs a new block exactly when its last one is full.
        if (blocks.endsBlock(c)) grow++;
        context += c;
        if (left < fewest) fewest = left;
        kept++;
      }
      runDone += steps;
      iterations += steps;
    } else {
      // One-pass split (not legacy): each sequence's share, charged in the loop below.
      const energyJ = accountIteration();
      const tokens = shape.prefillTokens + shape.decodeSeqs;
      // A decode's share, (energyJ * 1) / tokens, is energyJ / tokens exactly: divided once.
      const perToken = energyJ / tokens;
      const n = batch.n, targets = batch.target, shared = !legacy, life = lifecycle, blocks = kv, own = keepsEnergy, energy = batch.energy; // locals: see endRun
      for (let i = 0; i < n; i++) {
        const s = sched[i]!;
        if (s > 0 && shared) {
          const share = s === 1 ? perToken : (energyJ * s) / tokens;
          if (own) energy[i]! += share;
          else life.chargeEnergy(ids[i]!, share);
        }
        sched[i] = 0;
        const c = (computed[i]! += s);
        used += blocks.held(c);
        // A chunk that does not end the prompt yields no token.
        if (s > 0 && c >= targets[i]!) {
          if (gen[i]++ === 0) life.firstToken(ids[i]!, hot.segEndS);
          if (gen[i]! >= out[i]!) {
            done = true;
            continue;
          }
        }
        kept++;
        if (c < targets[i]! || c === 0) {
          all = false;
          continue;
        }
        if (blocks.endsBlock(c)) grow++;
        context += c;
        const left = out[i]! - gen[i]!;
        if (left < fewest) fewest = left;
      }
      iterations++;
    }
    if (prefix && (prefix.keyed > 0 || prefix.cache.named > 0)) {
      // A run's later steps took blocks too: make room among the free cached ones (as each step
      // would have), then name the blocks that filled (which does not change the count).
      // Before naming, sequences that just filled a block of the same content each hold a copy:
      // that is the peak (naming merges the copies).
      const before = usedBlocks();
      prefix.cache.reclaim(before - prefix.cache.inUse);
      if (before > kv.peak) kv.peak = before;
      for (let i = 0; i < batch.n; i++) prefix.fill(i);
      used = usedBlocks() - heldOutside; // held outside the batch: added below, once
      if (used + heldOutside + prefix.cache.cachedFree > kv.capacityBlocks) throw new Error(`${id.name}: KV cache over capacity with cached blocks`);
    }
    used += heldOutside;
    // KV held now is the segment's peak; formations keep it within capacity.
    if (used > kv.capacityBlocks) throw new Error(`${id.name}: KV cache over capacity (${used} > ${kv.capacityBlocks} blocks)`);
    kv.used = used;
    if (used > kv.peak) kv.peak = used;
    const dropped = abandonedHere > 0;
    if (dropped) dropAbandoned();
    // Without cached blocks held or P/D roles, the batch changes only by these retirements: one pass.
    const fused = role === undefined && !(prefix && prefix.keyed > 0);
    sumOk = !dropped && (!done || fused);
    summary(all, grow, context, fewest, kept);
    if (!done) return;
    if (fused) return retireFused();
    closeRun();
    // Blocks of the finished sequences, when none held cached blocks (else they are recounted).
    let freed = 0, recount = false;
    batch.removeFinished((i) => {
      const rid = batch.id[i]!;
      settle(i);
      if (role === 'prefill' && requests[rid]!.outputTokens > 1) {
        // Its KV stays here until it has been sent to a decode replica.
        const blocks = kv.held(batch.computed[i]!);
        parked.set(rid, blocks);
        heldOutside += blocks;
        handed.push(rid);
        handedOff++;
        return;
      }
      finished++;
      if (batch.nodes[i] === undefined) freed += kv.held(batch.computed[i]!);
      else recount = true;
      if (prefix) {
        prefix.release(i);
        prefix.forget(rid);
      }
      lifecycle.finished(rid, hot.segEndS);
    });
    // kv.used was usedBlocks() before the retirements: it drops by their blocks unless cached ones were shared.
    kv.used = recount ? usedBlocks() : kv.used - freed;
    if (handed.length > 0) {
      for (const rid of handed) handoff!.prefilled(rid, id.index);
      handed.length = 0;
    }
  }

  /** Keeps the summary of the sequences that go on after a segment (sumOk says whether it is valid). */
  function summary(all: boolean, grow: number, context: number, fewest: number, kept: number): void {
    sumAll = all;
    sumGrow = grow;
    sumContext = context;
    sumLeft = fewest;
    sumN = kept;
  }

  /**
   * completeSegment's retirements in one pass when no sequence holds cached blocks and no P/D role
   * parks KV: what closeRun's charges and removeFinished would do, each request getting the same
   * charges in the same order (its run share just before it is retired, rather than every share
   * first: no request's record depends on another's).
   */
  function retireFused(): void {
    const closing = runOpen;
    const share = closing ? closeRunShare() : 0;
    const { computed, gen, out, id: ids, energy } = batch;
    const n = batch.n, life = lifecycle, own = keepsEnergy; // locals: see endRun
    let freed = 0, w = 0;
    for (let i = 0; i < n; i++) {
      const rid = ids[i]!;
      if (closing) {
        if (own) energy[i]! += share;
        else life.chargeEnergy(rid, share);
      }
      if (gen[i]! >= out[i]!) {
        finished++;
        freed += kv.held(computed[i]!);
        prefix?.forget(rid);
        if (own) life.settleEnergy(rid, energy[i]!);
        lifecycle.finished(rid, hot.segEndS);
        continue;
      }
      if (w !== i) batch.move(i, w);
      w++;
    }
    batch.n = w;
    kv.used -= freed;
  }

  /**
   * completeSegment for the segment that ends a run when nothing else changes the batch: the
   * segment's progress, the run's close and the retirements in one pass (completeSegment's loop,
   * closeRun's and retireFused's), each sequence and each KV figure getting the same values and
   * each request the same calls in the same order.
   */
  function endRun(): void {
    const share = closeRunShare();
    const { computed, gen, out, id: ids, energy } = batch;
    // In locals: closure variables are reloaded (and checked) at every use, as any call may change them.
    const n = batch.n, steps = runSteps, blocks = kv, life = lifecycle, own = keepsEnergy;
    let used = 0, freed = 0, w = 0, done = false;
    let grow = 0, context = 0, fewest = SMI_MAX; // the survivors' summary (sumOk)
    for (let i = 0; i < n; i++) {
      const rid = ids[i]!;
      const c = (computed[i]! += steps);
      const held = blocks.held(c);
      used += held;
      if (own) energy[i]! += share;
      else life.chargeEnergy(rid, share);
      if ((gen[i]! += steps) >= out[i]!) {
        done = true;
        finished++;
        freed += held;
        prefix?.forget(rid);
        if (own) life.settleEnergy(rid, energy[i]!);
        life.finished(rid, hot.segEndS);
        continue;
      }
      if (blocks.endsBlock(c)) grow++;
      context += c;
      const left = out[i]! - gen[i]!;
      if (left < fewest) fewest = left;
      if (w !== i) batch.move(i, w);
      w++;
    }
    if (!done) throw new Error(`${id.name}: a decode run ended with no sequence finished`);
    sumOk = true;
    summary(true, grow, context, fewest, w);
    batch.n = w;
    iterations += steps;
    // KV held at the step's end, before the retirements, is the segment's peak.
    if (used > kv.capacityBlocks) throw new Error(`${id.name}: KV cache over capacity (${used} > ${kv.capacityBlocks} blocks)`);
    if (used > kv.peak) kv.peak = used;
    kv.used = used - freed;
  }

  /** Ends the sequences whose client gave up (as vLLM handles aborts between steps), freeing their blocks. */
  function dropAbandoned(): void {
    closeRun();
    batch.retain((i) => {
      const rid = batch.id[i]!;
      if (!lifecycle.abandoned(rid)) return true;
      settle(i);
      prefix?.release(i);
      prefix?.forget(rid);
      lifecycle.timedOut(rid, engine.nowS);
      abandonedHere--;
      return false;
    });
    kv.used = usedBlocks();
  }

  /**
   * Time and energy of the single iteration that just ended; returns its energy. Legacy charges
   * the sequences their shares here; otherwise completeSegment does, by tokens computed, as it
   * applies their progress.
   */
  function accountIteration(): number {
    const durS = hot.segEndS - hot.segStartS;
    const seqs = shape.prefillSeqs + shape.decodeSeqs;
    const energyJ = model.iterationPowerW(shape) * durS;
    hot.busyS += durS;
    hot.busyEnergyJ += energyJ;
    hot.batchSeqS += seqs * durS;
    if (legacy) {
      // Legacy split: the prefill pass's share to the prompts by tokens, the decode step's evenly.
      const prefillJ = durS > 0 ? energyJ * (hot.segPrefillS / durS) : 0;
      for (let i = 0; i < batch.n; i++) {
        const s = batch.sched[i]!;
        if (batch.prefilling(i)) charge(i, (prefillJ * s) / shape.prefillTokens);
        else charge(i, (energyJ - prefillJ) / shape.decodeSeqs);
      }
    }
    return energyJ;
  }

  /** Boundary: form the next iteration and start it (or go idle). */
  function startIteration(): void {
    kit.preemptedNow = 0;
    hot.stallS = 0;
    const decodesOnly = decodeAll(); // formed in one pass (shape filled): skip the formation
    if (landed.length > 0 && !decodesOnly) admitLanded();
    if (!decodesOnly) formation(kit);
    kit.decoded = false;
    // An empty replica that cannot take the queue head never will: end it rather than hang
    // (unless KV held outside the batch will be freed: P/D).
    while (batch.n === 0 && queue.size > 0 && heldOutside === 0) {
      const rid = queue.shift();
      resumeGen.delete(rid);
      dropSwapped(rid);
      prefix?.forget(rid);
      lifecycle.aborted(rid, `its recompute no longer fits the token budget or KV cache of a ${id.group} replica`);
      formation(kit);
    }
    if (incoming.length > 0) reserveIncoming();
    if (batch.n === 0) {
      closeRun();
      return; // idle
    }
    if (!decodesOnly) {
      // Decodes scheduled by decodeAll and still in place (nobody preempted): their part is known.
      if (decodedN >= 0 && kit.preemptedNow === 0) fillShape(decodedN, decodedContext + decodedN);
      else fillShape(0, 0);
    }
    if (shape.prefillSeqs + shape.decodeSeqs === 0) throw new Error(`${id.name}: an iteration with nothing scheduled at t=${engine.nowS}`);
    hot.segStartS = engine.nowS;
    epoch++;
    active = true;
    // PCIe copies (KV tiers) stall this iteration: it is not part of a decode run.
    if (shape.prefillSeqs === 0 && shape.decodeSeqs === batch.n && hot.stallS === 0) startRun();
    else {
      closeRun();
      runSteps = 0;
      hot.segEndS = engine.nowS + hot.stallS + (legacy ? legacyIterationS() : model.iterationS(shape));
    }
    if (!(hot.segEndS > hot.segStartS)) throw new Error(`${id.name}: iteration of non-positive length at t=${hot.segStartS}; check the profile`);
    ctx.schedule(hot.segEndS, epoch);
  }

  /** Every sequence decodes: continue the open run (same batch) or open one, for as many steps as nothing changes. */
  function startRun(): void {
    if (!runOpen) {
      runOpen = true;
      hot.runStartS = engine.nowS;
      runCtx0 = shape.decodeContextTokens;
      runBatch = batch.n;
      runDone = 0;
    } else if (runBatch !== batch.n || runCtx0 + runDone * runBatch !== shape.decodeContextTokens) {
      throw new Error(`${id.name}: a decode run continued with a changed batch`);
    }
    let steps = runLeft;
    let context = runContext; // tokens in the cache, summed: bounds the KV the run will hold (below)
    runLeft = -1;
    if (steps < 0) {
      steps = Infinity;
      context = 0;
      const { out, gen, sched, computed } = batch;
      for (let i = 0; i < batch.n; i++) {
        const left = out[i]! - gen[i]!;
        if (left < steps) steps = left;
        context += computed[i]!;
        sched[i] = 0; // a run's steps are applied by completeSegment, not as one scheduled token
      }
    }
    runFinishAt = runDone + steps;
    // A named output block is cached as it fills, which can change what later steps evict: stop there.
    if (prefix && prefix.keyed > 0) for (let i = 0; i < batch.n; i++) steps = Math.min(steps, prefix.stepsToNextNamed(i));
    // After a preemption a mode may admit at the very next boundary (vLLM v1 admits nothing in the
    // iteration that preempted; V0 freed blocks its queue head may now fit): run one step. Legacy
    // preempts, then admits at the same boundary, so its queue stays blocked for the whole run.
    if (!spec.fastForward || (!legacy && kit.preemptedNow > 0 && queue.size > 0)) steps = 1;
    else if (!fitsSurely(context, steps) && heldAfter(steps) > kv.capacityBlocks) steps = lastFittingStep(steps);
    runSteps = steps;
    hot.segEndS = runBoundaryS(steps);
  }

  /**
   * The common boundary in one pass: every running sequence decodes, nobody waits (queue, P/D
   * handoffs) and the KV cache has the blocks of this step. Then every mode's formation schedules
   * one token per sequence, taking a block where the last one is full; this does what the
   * formation, fillShape and startRun's scan would (same blocks, same shape, same run length:
   * `runLeft`, `runContext`), without their three passes. False: form as usual; when requests wait
   * and every sequence decodes with its block free, the formation's first pass is done here too
   * (kit.decoded) and fillShape starts after those decodes. After a segment, the pass that applied
   * it has already summed what this needs (sumOk): no pass here at all.
   */
  function decodeAll(): boolean {
    const n = batch.n;
    const known = sumOk;
    sumOk = false;
    decodedN = -1;
    if (n === 0 || n > decodeLimit || landed.length + incoming.length > 0) return false;
    // The pass that applied the segment looked at these very sequences.
    if (known && sumN !== n) throw new Error(`${id.name}: boundary summary of ${sumN} sequences for a batch of ${n}`);
    if (queue.size > 0) {
      // Requests wait, so the formation runs; but when every sequence decodes and their blocks are
      // free, its first pass is known: schedule each one token here (as that pass would) and say so.
      if (known && sumAll && decodesFirst && sumGrow <= kv.capacityBlocks - kv.used) {
        batch.sched.fill(1, 0, n);
        kv.used += sumGrow;
        kit.decoded = true;
        decodedN = n;
        decodedContext = sumContext;
      }
      return false;
    }
    let grow = 0, steps = Infinity, context = 0;
    if (known) {
      if (!sumAll) return false;
      grow = sumGrow;
      steps = sumLeft;
      context = sumContext;
    } else {
      const { out, gen, computed, target } = batch;
      for (let i = 0; i < n; i++) {
        const c = computed[i]!;
        if (c < target[i]! || c === 0) return false; // still prefilling
        if (kv.endsBlock(c)) grow++; // a decode needs a new block exactly when its last one is full
        context += c;
        const left = out[i]! - gen[i]!;
        if (left < steps) steps = left;
      }
    }
    if (grow > kv.capacityBlocks - kv.used) return false;
    kv.used += grow;
    shape.prefillSeqs = shape.prefillTokens = shape.prefillPastTokens = shape.prefillPairs = 0;
    shape.decodeSeqs = n;
    shape.decodeContextTokens = context + n;
    runLeft = steps;
    runContext = context;
    return true;
  }

  /** Legacy price: a prefill pass plus a decode step, added (each asked only when it has work: noisy models draw per call). */
  function legacyIterationS(): number {
    hot.segPrefillS = shape.prefillTokens > 0 ? model.prefillS(shape.prefillTokens) : 0;
    return hot.segPrefillS + (shape.decodeSeqs > 0 ? model.decodeStepS(shape.decodeSeqs, shape.decodeContextTokens) : 0);
  }

  /** The iteration's shape from what is scheduled; sequences below `from` are known decodes, of `decodeContext` tokens in all (their context plus the new one). */
  function fillShape(from: number, decodeContext: number): void {
    shape.prefillSeqs = shape.prefillTokens = shape.prefillPastTokens = shape.prefillPairs = 0;
    shape.decodeSeqs = from;
    shape.decodeContextTokens = decodeContext;
    for (let i = from; i < batch.n; i++) {
      const s = batch.sched[i]!;
      if (s === 0) continue;
      const past = batch.computed[i]!;
      if (batch.prefilling(i)) {
        shape.prefillSeqs++;
        shape.prefillTokens += s;
        shape.prefillPastTokens += past;
        shape.prefillPairs += s * (past + (s + 1) / 2);
      } else {
        shape.decodeSeqs++;
        shape.decodeContextTokens += past + 1;
      }
    }
  }

  /** KV blocks the batch holds after `j` more decode steps. */
  function heldAfter(j: number): number {
    let total = 0;
    const { computed } = batch;
    for (let i = 0; i < batch.n; i++) total += kv.held(computed[i]! + j);
    total += heldOutside;
    // Cached blocks a sequence holds are counted once, in cache.inUse.
    if (!prefix || prefix.keyed === 0) return total;
    for (let i = 0; i < batch.n; i++) total -= batch.nodes[i]?.length ?? 0;
    return total + prefix.cache.inUse;
  }

  /**
   * A cheap sufficient test of heldAfter(j) <= capacity from the batch's total context: a sequence
   * of c tokens holds at most (c + j + lookahead + blockSize - 1) / blockSize blocks after j steps.
   * Without named blocks only (their sharing is counted apart); false means "ask heldAfter".
   */
  function fitsSurely(context: number, j: number): boolean {
    if (prefix && prefix.keyed > 0) return false;
    return context + batch.n * (j + kv.lookahead + kv.blockSize - 1) <= (kv.capacityBlocks - heldOutside) * kv.blockSize;
  }

  /** Largest j in [1, hi) whose KV need fits (j = 1 fits: the formation ensured it). */
  function lastFittingStep(hi: number): number {
    let lo = 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (heldAfter(mid) <= kv.capacityBlocks) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /**
   * An arrival cuts the run in flight at its first step boundary after now (not when the batch is
   * full: nothing could join); so does a client giving up (`force`).
   */
  function cutAfterNow(force = false): void {
    if (!active || runSteps <= 1 || (!force && batch.n >= batch.max)) return;
    const hi = stepsDoneNow() + 1; // the first boundary strictly after now
    if (hi === runSteps) return;
    runSteps = hi;
    hot.segEndS = runBoundaryS(hi);
    epoch++;
    ctx.schedule(hot.segEndS, epoch);
  }

  /** The time of the open run's boundary `j` steps into the segment in flight (j = 0: its start). */
  function runBoundaryS(j: number): number {
    return hot.runStartS + model.decodeRunS(runBatch, runCtx0, runDone + j);
  }

  /** P/D, decode: reserves KV blocks for waiting prefilled requests, in order, while they fit the free blocks. */
  function reserveIncoming(): void {
    while (incoming.length > 0) {
      const rid = incoming[0]!;
      const need = kv.held(requests[rid]!.promptTokens);
      if (need > kv.free()) return;
      incoming.shift();
      heldOutside += need;
      kv.used += need;
      if (kv.used > kv.peak) kv.peak = kv.used;
      inTransfer.set(rid, need);
      handoff!.reserved(rid, id.index);
    }
  }

  /** P/D, decode: landed sequences join the running batch (their KV is here: they decode next). */
  function admitLanded(): void {
    while (landed.length > 0 && batch.n < batch.max) {
      closeRun();
      const rid = landed.shift()!;
      const r = requests[rid]!;
      heldOutside -= kv.held(r.promptTokens);
      const i = batch.push(rid, r.promptTokens, 1, r.outputTokens, joining(rid));
      batch.computed[i] = r.promptTokens;
      received++;
      lifecycle.started(rid, id.index, engine.nowS);
      handoff!.decodeStarted(rid, id.index, engine.nowS);
    }
  }

  /** An idle replica looks at its queue once every request arriving now has been seen. */
  function kick(): void {
    if (active || completing || kickPending) return;
    kickPending = true;
    ctx.schedule(engine.nowS, KICK, true);
  }

  /**
   * Steps of the decode run segment in flight completed by now (0 outside a multi-step segment):
   * what a router asking mid-run sees is the state one step at a time would be in
   * (fastForward: false), so routing never depends on fast-forwarding.
   */
  function stepsDoneNow(): number {
    if (!active || runSteps <= 1) return 0;
    let lo = 0, hi = runSteps; // boundary(lo) <= now < boundary(hi)
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (runBoundaryS(mid) > engine.nowS) hi = mid;
      else lo = mid;
    }
    return lo;
  }

  /** KV blocks in use now, as one step at a time would have them (the step in flight included). */
  function usedNow(): number {
    const j = stepsDoneNow();
    return j === 0 ? kv.used : heldAfter(j + 1);
  }

  /** The scheduler sees request `rid` now: it waits, and an idle replica starts. */
  function enqueue(rid: number): void {
    queue.push(rid);
    // With priority preemption an arrival may join a full batch (by preempting): cut the run for it.
    if (active) cutAfterNow(spec.priorityPreemption === true);
    else if (!kickPending) {
      kickPending = true;
      ctx.schedule(engine.nowS, KICK, true);
    }
  }

  /**
   * P/D, decode: a client gives up on `rid` before it joined the batch. True: it waited for KV room
   * or had landed, and is taken out now; false: its KV is in transfer (it is dropped when it
   * lands); undefined: it is in the queue or the batch (handled as any request).
   */
  function cancelHandoff(rid: number): boolean | undefined {
    const w = incoming.indexOf(rid);
    if (w >= 0) {
      incoming.splice(w, 1);
      handoff!.withdrawn(rid);
      return true;
    }
    if (inTransfer.has(rid)) return false;
    const l = landed.indexOf(rid);
    if (l < 0) return undefined;
    landed.splice(l, 1);
    const need = kv.held(requests[rid]!.promptTokens);
    heldOutside -= need;
    kv.used -= need;
    if (active) cutAfterNow(true);
    else reserveIncoming();
    return true;
  }

  /** One of this replica's events: a kick, a request leaving the front end, or the end of the segment in flight. False: it changed nothing. */
  function fireEvent(arg: number): boolean {
    if (arg === KICK) {
      kickPending = false;
      if (active) return false;
      startIteration();
      return true;
    }
    if (arg <= FROM_FRONTEND) {
      const rid = FROM_FRONTEND - arg;
      if (!inFrontend.delete(rid)) return false; // its client gave up meanwhile
      enqueue(rid);
      return true;
    }
    if (arg !== epoch || !active) return false; // superseded by a cut
    completing = true;
    completeSegment();
    startIteration();
    completing = false;
    return true;
  }

  // The identity's fields one by one, not spread: every replica's object then has one hidden
  // class, so routers reading queued() and running() on each replica stay monomorphic (a spread
  // gave the later replicas another). `rest` is empty: a field added to ReplicaIdentity fails here.
  const { index, name, group, model: modelName, accuracy, gpus, estimate, ...rest } = id;
  rest satisfies Record<string, never>;
  return {
    index,
    name,
    group,
    model: modelName,
    accuracy,
    gpus,
    estimate,
    kind: 'continuous-batching',
    capacity: spec.maxBatchSize,
    queued: role === undefined ? () => queue.size : () => queue.size + incoming.length + inTransfer.size + landed.length,
    running: () => batch.n,
    kvUtilization: () => usedNow() / kv.capacityBlocks,
    cachedPrefixTokens(r) {
      if (!prefix) return 0;
      const j = stepsDoneNow();
      // Step by step, the steps done would have made room among the free cached blocks already.
      const evict = j === 0 ? 0 : heldAfter(j + 1) - prefix.cache.inUse + prefix.cache.named - kv.capacityBlocks;
      return prefix.peek(r, evict);
    },
    admit(rid) {
      const reason = rejectReason(requests[rid]!);
      if (reason !== undefined) {
        lifecycle.rejected(rid, reason);
        return;
      }
      if (frontendS > 0) {
        inFrontend.add(rid);
        ctx.schedule(engine.nowS + frontendS, FROM_FRONTEND - rid, true);
      } else {
        enqueue(rid);
        if (loads) loads[index] = queue.size + batch.n;
      }
    },
    cancel(rid) {
      if (inFrontend.delete(rid)) return true;
      const handoffCancel = role === 'decode' ? cancelHandoff(rid) : undefined;
      if (handoffCancel !== undefined) return handoffCancel;
      for (let i = 0; i < batch.n; i++) {
        if (batch.id[i] !== rid) continue;
        abandonedHere++;
        cutAfterNow(true);
        return false;
      }
      queue.remove(rid);
      resumeGen.delete(rid);
      dropSwapped(rid);
      prefix?.forget(rid);
      if (loads) loads[index] = queue.size + batch.n;
      // The queue changed as with an arrival: a request it blocked may now be admitted.
      if (active) cutAfterNow();
      return true;
    },
    ...(role !== undefined && {
      role,
      receive(rid: number) {
        const reason = rejectReason(requests[rid]!);
        if (reason !== undefined) return reason;
        incoming.push(rid);
        // Blocks are reserved at an iteration boundary (at once when idle).
        if (active) cutAfterNow(true);
        else reserveIncoming();
        return undefined;
      },
      land(rid: number) {
        const need = inTransfer.get(rid)!;
        inTransfer.delete(rid);
        if (lifecycle.abandoned(rid)) {
          heldOutside -= need;
          kv.used -= need;
          lifecycle.timedOut(rid, engine.nowS);
          if (active) cutAfterNow(true);
          else reserveIncoming();
          return;
        }
        landed.push(rid);
        if (active) cutAfterNow();
        else kick();
      },
      release(rid: number) {
        const blocks = parked.get(rid)!;
        parked.delete(rid);
        heldOutside -= blocks;
        kv.used -= blocks;
        if (queue.size > 0) kick();
      },
    }),
    fire(arg) {
      const changed = fireEvent(arg);
      if (loads) loads[index] = queue.size + batch.n;
      return changed;
    },
    stats(windowS): DeviceStats {
      // Every sequence has ended, so every cached block must be free again.
      if (prefix && batch.n === 0 && prefix.cache.inUse !== 0) throw new Error(`${id.name}: ${prefix.cache.inUse} cached blocks still referenced at the end`);
      if (swapped.size > 0 || (cpu && cpu.swappedBlocks !== 0)) throw new Error(`${id.name}: ${swapped.size} sequences still swapped out at the end`);
      if (heldOutside !== 0 || incoming.length + landed.length + parked.size + inTransfer.size > 0) throw new Error(`${id.name}: P/D handoffs left at the end (${heldOutside} blocks held outside the batch)`);
      return {
        name: id.name,
        group: id.group,
        kind: 'continuous-batching',
        busyS: hot.busyS,
        busyEnergyJ: hot.busyEnergyJ,
        idleEnergyJ: model.idlePowerW * Math.max(0, windowS - hot.busyS),
        finished,
        iterations,
        preemptions,
        clampedCount: 0,
        peakKvTokens: kv.peak * kv.blockSize,
        kvCapacityTokens: kv.capacityBlocks * kv.blockSize,
        energyScope: legacy
          ? `iteration energy = busy power(batch) x iteration time; idle ${model.idlePowerW} W`
          : `iteration energy = busy power(sequences in the pass) x pass time, shared by tokens computed; idle ${model.idlePowerW} W`,
        extra: {
          meanBatchSize: hot.busyS > 0 ? hot.batchSeqS / hot.busyS : 0,
          ...(role === 'prefill' && { kvHandoffs: handedOff }),
          ...(role === 'decode' && { kvReceived: received }),
          ...(cpu && kvTierExtra(cpu, tierHits)),
          ...(prefix && { cachedBlocksEnd: prefix.cache.named, cachedBlocksPeak: prefix.cache.peakNamed, cacheEvictions: prefix.cache.evictions }),
        },
      };
    },
  };
}
