/**
 * The searches of `llmsim capacity`, independent of simulation: `evaluate(value)` says whether the
 * SLO targets hold at one value of the searched knob (a replica count or an arrival rate). Each
 * search is sequential and deterministic: its k-th probe depends only on the verdicts of the
 * probes before it, which is what makes a capacity run resumable from a journal keyed by probe
 * number.
 *
 * Monotonicity assumption: meeting the targets is monotone in the knob - more replicas never
 * break an SLO that fewer replicas met, and a higher arrival rate never meets an SLO that a lower
 * one missed. It holds in expectation for work-conserving serving but not exactly per seed (a
 * different replica count changes routing and batching). The searches therefore do not trust it:
 * every result carries a check over all probes (`monotoneViolation`), and each search evaluates
 * one extra probe beyond its answer (replicas + 1; half the rate) to test the bracket.
 */

/** One probe: a knob value and whether the targets held there. */
export interface Probe {
  readonly value: number;
  readonly pass: boolean;
}

/** What a search found. */
export interface SearchResult {
  /** The answer (fewest passing replicas, or highest passing rate); null when none passes in range. */
  readonly answer: number | null;
  /** Fewer replicas / a higher rate that failed next to the answer (null when there is none). */
  readonly failedNeighbour: number | null;
  /** True when the rate search never failed below its upper limit. */
  readonly unbounded: boolean;
  /** Every probe in the order it was evaluated. */
  readonly probes: readonly Probe[];
  /** The first pair of probes contradicting monotonicity (`a` passed, `b` failed, though b should be easier), or null. */
  readonly monotoneViolation: { readonly passed: number; readonly failed: number } | null;
}

type Evaluate = (value: number) => Promise<boolean>;

function recorder(evaluate: Evaluate) {
  const probes: Probe[] = [];
  const seen = new Map<number, boolean>();
  const probe = async (value: number): Promise<boolean> => {
    const known = seen.get(value);
    if (known !== undefined) return known;
    const pass = await evaluate(value);
    seen.set(value, pass);
    probes.push({ value, pass });
    return pass;
  };
  return { probes, probe };
}

/**
 * Fewest replicas in [1, maxReplicas] that pass: doubling 1, 2, 4, ... until one passes (capped at
 * maxReplicas), then bisection between the last failure and the first pass; then replicas + 1 as
 * the bracket check.
 */
export async function searchMinReplicas(evaluate: Evaluate, maxReplicas: number): Promise<SearchResult> {
  const { probes, probe } = recorder(evaluate);
  let lo = 0; // largest count known to fail (0: none)
  let hi: number | null = null; // smallest count known to pass
  for (let n = 1; ; n = Math.min(n * 2, maxReplicas)) {
    if (await probe(n)) {
      hi = n;
      break;
    }
    lo = n;
    if (n === maxReplicas) break;
  }
  if (hi !== null) {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await probe(mid)) hi = mid;
      else lo = mid;
    }
    if (hi + 1 <= maxReplicas) await probe(hi + 1);
  }
  return { answer: hi, failedNeighbour: lo > 0 ? lo : null, unbounded: false, probes, monotoneViolation: violation(probes, 'increasing') };
}

/** Limits of the rate search. */
export interface RateSearchOptions {
  /** First rate probed (the scenario's). */
  readonly start: number;
  /** Stop bisecting when (high - low) / low <= this. */
  readonly tolerance: number;
  /** Rates probed stay within [min, max]. */
  readonly min: number;
  readonly max: number;
}

/**
 * Highest passing rate: from `start`, doubling while it passes (or halving while it fails) to a
 * bracket [pass, fail], then bisection to the relative tolerance; then half the answer as the
 * bracket check (when not already probed).
 */
export async function searchMaxRate(evaluate: Evaluate, o: RateSearchOptions): Promise<SearchResult> {
  const { probes, probe } = recorder(evaluate);
  let lo: number | null = null; // highest rate known to pass
  let hi: number | null = null; // lowest rate known to fail
  if (await probe(o.start)) {
    lo = o.start;
    while (hi === null) {
      if (lo >= o.max) break;
      const r = Math.min(lo * 2, o.max);
      if (await probe(r)) lo = r;
      else hi = r;
    }
  } else {
    hi = o.start;
    while (lo === null) {
      if (hi <= o.min) break;
      const r = Math.max(hi / 2, o.min);
      if (await probe(r)) lo = r;
      else hi = r;
    }
  }
  if (lo !== null && hi !== null) {
    let [pass, fail] = [lo, hi];
    while ((fail - pass) / pass > o.tolerance) {
      const mid = (pass + fail) / 2;
      if (await probe(mid)) pass = mid;
      else fail = mid;
    }
    await probe(pass / 2);
    [lo, hi] = [pass, fail];
  }
  return { answer: lo, failedNeighbour: hi, unbounded: lo !== null && hi === null, probes, monotoneViolation: violation(probes, 'decreasing') };
}

/**
 * The first contradiction of monotonicity among the probes: with passing `increasing` in the knob
 * (replicas), a failure at a value above a pass; with passing `decreasing` (rate), a failure below a pass.
 */
export function violation(probes: readonly Probe[], direction: 'increasing' | 'decreasing'): { passed: number; failed: number } | null {
  const sorted = [...probes].sort((a, b) => a.value - b.value);
  if (direction === 'increasing') {
    let pass: number | null = null;
    for (const p of sorted) {
      if (p.pass) pass ??= p.value;
      else if (pass !== null) return { passed: pass, failed: p.value };
    }
  } else {
    let fail: number | null = null;
    for (const p of sorted) {
      if (!p.pass) fail ??= p.value;
      else if (fail !== null) return { passed: p.value, failed: fail };
    }
  }
  return null;
}
