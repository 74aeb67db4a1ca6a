/** Small statistics helpers for the workload tests (independent of the code under test). */

/** Arithmetic mean. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Unbiased sample variance. */
export function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return s / (xs.length - 1);
}

/** Pearson correlation. */
export function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n with ties given their average rank. */
export function ranks(xs: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const r = new Float64Array(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i + 1;
    while (j < idx.length && xs[idx[j]!] === xs[idx[i]!]) j++;
    for (let k = i; k < j; k++) r[idx[k]!] = (i + j + 1) / 2;
    i = j;
  }
  return r;
}

/** Spearman rank correlation (Pearson of average ranks). */
export function spearman(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  return pearson(ranks(xs), ranks(ys));
}

/** Coefficient of variation (sample sd / mean). */
export function cv(xs: ArrayLike<number>): number {
  return Math.sqrt(variance(xs)) / mean(xs);
}
