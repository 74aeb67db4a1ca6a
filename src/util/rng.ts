/**
 * A seeded stream of random numbers with fast samplers. Every sampler is allocation-free; the
 * only state is the generator's and one cached normal deviate.
 */
export interface RandomStream {
  /** Uniform in [0, 1), 32-bit resolution. */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** Normal with mean and standard deviation (Marsaglia polar method). */
  normal(mean?: number, sd?: number): number;
  /** Log-normal: exp(N(mu, sigma^2)); the median is exp(mu). */
  lognormal(mu: number, sigma: number): number;
  /** Gamma with shape k > 0 and scale theta (mean k*theta), Marsaglia-Tsang. */
  gamma(shape: number, scale?: number): number;
  /** Beta(a, b) in [0, 1], as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number;
}

/**
 * Derives the independent stream `name` from a scenario seed. The generator is Alea (Baagøe), as
 * seedrandom's lib/alea.js computes it, written out here (state in fields, no call through the
 * library's closure) so no library upgrade can change results; it is seeded with `${seed}:${name}`, so each named stream (arrivals, prompt, output, ...) is fixed by
 * the seed alone and changing how one stream is consumed never reshuffles another
 * (common random numbers across policies and scenario variants).
 */
export function createStream(seed: number | string, name: string): RandomStream {
  // Generator state as one object's fields: V8 updates a number field in place, where a double
  // written to a closure variable is boxed anew (a heap object per draw, a million of them per
  // million requests).
  const st = aleaState(`${String(seed)}:${name}`);
  // Alea's step, as seedrandom/lib/alea.js's `next` (the same operations in the same order, so
  // the same doubles): t = 2091639 * s0 + c * 2^-32; c = t | 0; the output is t - c.
  return samplersOver(() => {
    const t = 2091639 * st.s0 + st.c * 2.3283064365386963e-10;
    st.s0 = st.s1;
    st.s1 = st.s2;
    const c = t | 0;
    st.c = c;
    return (st.s2 = t - c);
  });
}

/**
 * The samplers over a uniform generator `prng` (values in [0, 1)). createStream's; exported so
 * that test/workload/rng.test.ts can run them over seedrandom's own Alea, the oracle.
 */
export function samplersOver(prng: () => number): RandomStream {
  // The polar method's spare deviate, kept as fields for the same reason as the generator's state.
  const st = { spare: 0.5, hasSpare: false };

  // The polar method makes deviates in pairs; the second is kept for the next call.
  function standardNormal(): number {
    if (st.hasSpare) {
      st.hasSpare = false;
      return st.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * prng() - 1;
      v = 2 * prng() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    st.spare = v * f;
    st.hasSpare = true;
    return u * f;
  }

  function gamma(shape: number, scale = 1): number {
    if (!(shape > 0) || !(scale > 0)) throw new Error(`gamma needs shape > 0 and scale > 0, got ${shape}, ${scale}`);
    // Shape < 1: Gamma(k) = Gamma(k + 1) * U^(1/k) (Marsaglia-Tsang, section 6).
    const boost = shape < 1 ? Math.pow(1 - prng(), 1 / shape) : 1;
    const d = (shape < 1 ? shape + 1 : shape) - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = standardNormal();
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = prng();
      const x2 = x * x;
      // Cheap squeeze first; the log test only runs for ~2% of draws.
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * boost * scale;
    }
  }

  return {
    next: () => prng(),
    uniform: (lo, hi) => lo + (hi - lo) * prng(),
    int: (lo, hi) => lo + Math.floor(prng() * (hi - lo + 1)),
    // 1 - U lies in (0, 1], so the log is finite.
    exponential: (rate) => -Math.log(1 - prng()) / rate,
    normal: (mean = 0, sd = 1) => mean + sd * standardNormal(),
    lognormal: (mu, sigma) => Math.exp(mu + sigma * standardNormal()),
    gamma,
    beta(a, b) {
      const x = gamma(a);
      const y = gamma(b);
      // Both can underflow to 0 for tiny shapes; the mass then sits at the ends in ratio a : b.
      return x + y > 0 ? x / (x + y) : prng() * (a + b) < a ? 1 : 0;
    },
  };
}

/** Alea's state: three seeds and the carry. */
interface StreamState {
  s0: number;
  s1: number;
  s2: number;
  c: number;
}

// Alea (aleaState and createStream's step) follows seedrandom's lib/alea.js, under its MIT license:
// Copyright (C) 2010 by Johannes Baagøe <baagoe@baagoe.org>
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in
// all copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
// THE SOFTWARE.

/**
 * Alea's initial state for `seed`, as seedrandom/lib/alea.js (Johannes Baagøe's Alea, MIT) seeds
 * it: three Mash hashes of ' ' minus three of the seed, each wrapped into [0, 1), and carry 1.
 * test/workload/rng.test.ts checks whole streams against that file on many seeds.
 */
function aleaState(seed: string): StreamState {
  let n = 0xefc8249d;
  const mash = (data: string): number => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
  };
  const st: StreamState = { s0: mash(' '), s1: mash(' '), s2: mash(' '), c: 1 };
  st.s0 -= mash(seed);
  if (st.s0 < 0) st.s0 += 1;
  st.s1 -= mash(seed);
  if (st.s1 < 0) st.s1 += 1;
  st.s2 -= mash(seed);
  if (st.s2 < 0) st.s2 += 1;
  return st;
}
