/**
 * One latency metric of a streamed run, accumulated value by value: exact while it holds at most
 * `exactLimit` values (a compact array of doubles, whose percentiles are read at the end as `distribution` reads them),
 * then a DDSketch (Masson, Rim & Lee, VLDB 2019; @datadog/sketches-js) that every value so far is
 * moved into. The sketch's percentiles are within SKETCH_RELATIVE_ERROR of the exact ones;
 * count, mean (summed in the same order) and max stay exact. Deterministic: same values, same result.
 */
import { createRequire } from 'node:module';
import { distributionOf, type Distribution } from './distribution.js';
import { roundOrNull } from './round.js';
import { doubleArray } from '../util/double-array.js';

/** Values kept exactly per metric (8 bytes each) before switching to the sketch. */
export const EXACT_QUANTILE_LIMIT = 10_000_000;
/**
 * Relative error bound of sketched percentiles, as documented (README). The sketch is built with
 * a tighter accuracy, SKETCH_ACCURACY, for margin; percentiles interpolate between ranks as the
 * exact definition (type 7) does.
 */
export const SKETCH_RELATIVE_ERROR = 0.005;
const SKETCH_ACCURACY = 0.004;

interface Sketch {
  accept(value: number, weight?: number): void;
  getValueAtQuantile(q: number): number;
}

// Loaded only when a run passes the exact limit.
function newSketch(): Sketch {
  const { DDSketch } = createRequire(import.meta.url)('@datadog/sketches-js') as { DDSketch: new (opts: { relativeAccuracy: number }) => Sketch };
  return new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
}

export class QuantileAccumulator {
  // Made at the first value: a metric never defined in a run (TTFT on `slots`) takes no memory.
  // Sized up front (an in-memory run's summary, which knows how many requests finished): a JS
  // array of doubles, made once. It lives in the heap, where a typed array's memory is "external"
  // to V8, and 64 MB of that allocated since the last full collection starts another: a
  // million-request run has about that much in records by the time it summarizes, so four 8 MB
  // columns more cost a full collection of every request object (80-170 ms on slots-1m and
  // cb16-1m; --trace-gc --trace-incremental-marking). In the heap they count against its limit
  // instead (about 250 MB there), and a double array is never scanned for pointers. Grown as
  // values come (a streamed run): a Float64Array, whose outgrown copies external-memory pressure
  // collects promptly (a streamed run's heap is small).
  private values: Float64Array | number[];
  private sketch: Sketch | undefined;
  private count = 0;
  private sum = 0;
  private max = -Infinity;

  /** `capacity`: values expected, if known (room for them is made at the first one; more still fit). */
  constructor(
    private readonly exactLimit = EXACT_QUANTILE_LIMIT,
    private readonly capacity?: number,
  ) {
    // One kind per accumulator from the start, so that `add` sees one.
    this.values = capacity === undefined ? new Float64Array(0) : [];
  }

  /**
   * Adds a value; non-finite ones (metric not defined) are skipped, as `distribution` does. Kept
   * small, the rare cases in `grow`, so that callers' optimized code inlines it: a call that is
   * not inlined passes its number boxed, a heap allocation per value.
   */
  add(v: number): void {
    if (!Number.isFinite(v)) return;
    const n = this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (n < this.values.length) this.values[n] = v;
    else this.grow(v, n);
  }

  // The value at `n` when it does not fit: more room, or the sketch (past the exact limit, or already).
  private grow(v: number, n: number): void {
    if (this.sketch) {
      this.sketch.accept(v);
      return;
    }
    if (n >= this.exactLimit) {
      this.sketch = newSketch();
      for (let i = 0; i < n; i++) this.sketch.accept(this.values[i]!);
      this.sketch.accept(v);
      this.values = this.capacity === undefined ? new Float64Array(0) : [];
      return;
    }
    const size = Math.min(n === 0 ? Math.max(1, this.capacity ?? 1024) : n * 2, this.exactLimit);
    if (this.capacity === undefined) {
      const next = new Float64Array(size);
      next.set(this.values as Float64Array);
      this.values = next;
    } else {
      const next = doubleArray(size);
      for (let i = 0; i < n; i++) next[i] = this.values[i]!;
      this.values = next;
    }
    this.values[n] = v;
  }

  /** True once the percentiles come from the sketch. */
  get sketched(): boolean {
    return this.sketch !== undefined;
  }

  /** The metric's Distribution, rounded as the summary rounds. */
  distribution(): Distribution {
    const count = this.count;
    if (!this.sketch) {
      const values = this.values;
      return distributionOf(values instanceof Float64Array ? values.subarray(0, count) : count === values.length ? values : values.slice(0, count), this.sum, this.max);
    }
    // Type 7 from the sketch: the values at the two ranks around (n - 1) p, interpolated. Each is
    // within the sketch's relative accuracy of the exact one, so their mix is too. A rank is asked
    // for as r + 0.5, which the sketch maps to the (r + 1)-th smallest value whatever the rounding.
    const sketch = this.sketch;
    const max = this.max;
    const rank = (r: number) => (r >= count - 1 ? max : sketch.getValueAtQuantile((r + 0.5) / (count - 1)));
    const at = (p: number) => {
      const h = (count - 1) * p;
      const lo = Math.floor(h);
      const a = rank(lo);
      return h === lo ? a : a + (h - lo) * (rank(lo + 1) - a);
    };
    return {
      count,
      mean: roundOrNull(this.sum / count),
      p50: roundOrNull(at(0.5)),
      p90: roundOrNull(at(0.9)),
      p95: roundOrNull(at(0.95)),
      p99: roundOrNull(at(0.99)),
      max: roundOrNull(this.max),
    };
  }
}
