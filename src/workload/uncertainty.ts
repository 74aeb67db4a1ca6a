import type { RandomStream } from '../util/rng.js';
import type { DraftRequest } from './draft.js';
import { normalCdf, normalQuantile } from './normal.js';

/**
 * Normal scores of the requests' output lengths: z_i = Phi^-1((r_i - 0.5) / n), with r_i the
 * 1-based rank of request i's output length among all n, tied lengths sharing their average rank.
 */
export function outputNormalScores(drafts: readonly DraftRequest[]): Float64Array {
  const n = drafts.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = drafts[i]!.outputTokens;
  sorted.sort();
  const scoreOf = new Map<number, number>();
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    // 0-based positions i..j-1 share the average 1-based rank (i + j + 1) / 2.
    const rank = (i + j + 1) / 2;
    scoreOf.set(sorted[i]!, normalQuantile((rank - 0.5) / n));
    i = j;
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = scoreOf.get(drafts[i]!.outputTokens)!;
  return z;
}

/**
 * The uncertainty signal generator (RT-LM reconstruction): u = Phi(rho * z + sqrt(1 - rho^2) * eps)
 * with z the normal score of the request's output length and eps ~ N(0, 1). This is a Gaussian
 * copula: rho is the Pearson correlation between the normal scores of u and of output length
 * (exactly so for untied lengths as n grows); Spearman's correlation of u with output length is
 * then (6/pi) asin(rho/2), a little less with many ties. rho = 1 makes u a monotone function of
 * output length (a perfect oracle), rho = 0 pure noise, rho < 0 a misleading signal. eps is drawn
 * for every request whatever rho is, so a sweep over rho reuses the same noise.
 */
export function deriveUncertainty(drafts: DraftRequest[], rho: number, rng: RandomStream): void {
  const z = outputNormalScores(drafts);
  const noise = Math.sqrt(Math.max(0, 1 - rho * rho));
  for (let i = 0; i < drafts.length; i++) {
    const eps = rng.normal();
    drafts[i]!.uncertainty = normalCdf(rho * z[i]! + noise * eps);
  }
}
