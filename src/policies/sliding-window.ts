/**
 * Minimum and maximum of the last `size` values pushed, in O(1) amortized per push (monotonic
 * deques in ring buffers: no allocation after construction). The online Wilkins router normalizes
 * each query's energy and accuracy by the range seen over a sliding window of recent queries.
 */
export interface SlidingExtremes {
  /** Adds a value; the one pushed `size` pushes ago leaves the window. */
  push(value: number): void;
  readonly min: number;
  readonly max: number;
}

/** A window over the last `size` (>= 1) values; min and max are NaN while it is empty. */
export function slidingExtremes(size: number): SlidingExtremes {
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`slidingExtremes: size must be an integer >= 1, got ${size}`);
  const lows = monotonicDeque(size, (a, b) => a <= b);
  const highs = monotonicDeque(size, (a, b) => a >= b);
  let count = 0;
  return {
    push(value) {
      lows.push(count, value);
      highs.push(count, value);
      count++;
    },
    get min() {
      return lows.front();
    },
    get max() {
      return highs.front();
    },
  };
}

/** Deque of (position, value) whose values are ordered by `keeps` from front to back. */
function monotonicDeque(size: number, keeps: (front: number, back: number) => boolean) {
  const cap = size + 1;
  const pos = new Float64Array(cap);
  const val = new Float64Array(cap);
  let head = 0;
  let len = 0;
  return {
    push(at: number, v: number) {
      // Values behind the newcomer that it beats can never be the extreme again.
      while (len > 0 && !keeps(val[(head + len - 1) % cap]!, v)) len--;
      pos[(head + len) % cap] = at;
      val[(head + len) % cap] = v;
      len++;
      // Drop what fell out of the window [at - size + 1, at].
      while (pos[head]! <= at - size) {
        head = (head + 1) % cap;
        len--;
      }
    },
    front: () => (len === 0 ? NaN : val[head]!),
  };
}
