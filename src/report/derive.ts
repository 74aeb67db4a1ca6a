import type { RequestColumns } from './inputs.js';

/**
 * Chart data derived from result files. The simulation records no time series; queue length and
 * utilization over time follow from requests.csv alone: a request waits at its replica from
 * arrival until it starts (arrival + queueing delay) and is in service until it finishes
 * (arrival + E2E latency).
 */

/** A point of an empirical CDF: fraction `p` of the values are <= `value`. */
export interface CdfPoint {
  readonly value: number;
  readonly p: number;
}

/**
 * The empirical CDF of the finite values, at most `maxPoints` points (the k/maxPoints quantiles as
 * order statistics, so every point is an exact step of the true CDF), plus the minimum at p = 1/n.
 */
export function cdfPoints(values: ArrayLike<number>, maxPoints = 200): CdfPoint[] {
  const sorted = Float64Array.from(Array.prototype.filter.call(values, Number.isFinite) as number[]).sort();
  const n = sorted.length;
  if (n === 0) return [];
  const k = Math.min(maxPoints, n);
  const out: CdfPoint[] = [{ value: sorted[0]!, p: 1 / n }];
  for (let j = 1; j <= k; j++) {
    const rank = Math.ceil((j * n) / k); // 1-based order statistic
    if (rank === 1) continue;
    out.push({ value: sorted[rank - 1]!, p: rank / n });
  }
  return out;
}

/** One replica's state averaged over one time bin. */
export interface TimelinePoint {
  readonly replica: string;
  /** Bin midpoint, s. */
  readonly tS: number;
  /** Time-average number of requests waiting at the replica. */
  readonly queue: number;
  /** Fraction of the bin with at least one request in service. */
  readonly busy: number;
}

/**
 * Queue length and busy fraction per replica in `bins` equal bins over [0, last finish]. Requests
 * without a replica (rejected) or without a finish (pending) are left out.
 */
export function timeline(req: RequestColumns, bins = 120): TimelinePoint[] {
  type Ev = { t: number; dq: number; ds: number };
  const byReplica = new Map<string, Ev[]>();
  let endS = 0;
  for (let i = 0; i < req.arrivalS.length; i++) {
    const a = req.arrivalS[i]!;
    const start = a + req.queueingDelayS[i]!;
    const finish = a + req.e2eS[i]!;
    if (req.device[i] === '' || !Number.isFinite(start) || !Number.isFinite(finish)) continue;
    let evs = byReplica.get(req.device[i]!);
    if (!evs) byReplica.set(req.device[i]!, (evs = []));
    evs.push({ t: a, dq: 1, ds: 0 }, { t: start, dq: -1, ds: 1 }, { t: finish, dq: 0, ds: -1 });
    if (finish > endS) endS = finish;
  }
  if (endS <= 0) return [];
  const width = endS / bins;
  const out: TimelinePoint[] = [];
  for (const replica of [...byReplica.keys()].sort()) {
    const evs = byReplica.get(replica)!.sort((x, y) => x.t - y.t);
    const queueArea = new Float64Array(bins);
    const busyTime = new Float64Array(bins);
    let q = 0;
    let s = 0;
    let t = 0;
    // Integrate the step functions q(t) and [s(t) > 0] over each bin.
    const addSegment = (t0: number, t1: number) => {
      if (t1 <= t0 || (q === 0 && s === 0)) return;
      for (let b = Math.floor(t0 / width); b < bins && b * width < t1; b++) {
        const overlap = Math.min(t1, (b + 1) * width) - Math.max(t0, b * width);
        if (overlap <= 0) continue;
        queueArea[b]! += q * overlap;
        if (s > 0) busyTime[b]! += overlap;
      }
    };
    for (const ev of evs) {
      addSegment(t, ev.t);
      t = ev.t;
      q += ev.dq;
      s += ev.ds;
    }
    for (let b = 0; b < bins; b++) out.push({ replica, tS: (b + 0.5) * width, queue: queueArea[b]! / width, busy: busyTime[b]! / width });
  }
  return out;
}

/** A point of a trade-off plot, minimizing both coordinates. */
export interface TradeoffPoint {
  readonly x: number;
  readonly y: number;
}

/** The points no other point beats on both coordinates (ties kept once), sorted by x. */
export function paretoFront<T extends TradeoffPoint>(points: readonly T[]): T[] {
  const sorted = [...points].filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x || a.y - b.y);
  const front: T[] = [];
  let bestY = Infinity;
  for (const p of sorted) {
    if (p.y < bestY) {
      front.push(p);
      bestY = p.y;
    }
  }
  return front;
}
