/**
 * Iteration profiles from the Argonne LLM-Inference-Bench end-to-end batch latencies, for every
 * accelerator it covers. A batch of B requests with input = output = L tokens runs one prefill
 * iteration of B*L tokens and L-1 decode steps, so its latency is linear in the profile's
 * coefficients and they can be fitted to the end-to-end numbers. Pure.
 */
import { fitLinear, type LinearFit } from '../../src/profiles/fit-linear.js';
import type { ProfileInput } from '../../src/profiles/schema.js';
import { decodeContextSum, type ArgonneGroup, type ArgonnePoint } from './argonne-data.js';
import { OLS_NN, RELATIVE_NN, fitBlock, slug } from './common.js';
import { sig, toYaml } from './emit.js';
import type { DerivedFile } from './splitwise.js';

/** llama.cpp's "batch size" is not concurrent requests (its throughput does not scale with it). */
export const EXCLUDED_FRAMEWORKS = ['llama.cpp'];
/** Fewer distinct points than this cannot support a 5-term fit with held-out checks. */
export const MIN_POINTS = 8;

/** Design row of one point: [prefill c0, prefill c1 * B*L, decode c0 * steps, perSeq * B*steps, perContextToken * context sum]. */
export function argonneRow(p: Pick<ArgonnePoint, 'length' | 'batch'>): number[] {
  const steps = p.length - 1;
  return [1, p.batch * p.length, steps, p.batch * steps, decodeContextSum(p.length, p.batch)];
}

/**
 * Fits the five coefficients to end-to-end latency by relative least squares, all >= 0, with a
 * prefill cost (c0 or per token) and a decode step cost (c0 or per sequence) > 0 so the result is
 * a valid profile. Prefill per token (B*L) and decode per sequence (B*(L-1)) are nearly collinear,
 * so the unconstrained optimum often zeroes one side; the best fit over every support that keeps
 * both sides (each an ordinary non-negative solve) is the constrained optimum.
 */
export function fitArgonne(points: readonly ArgonnePoint[]): LinearFit {
  const y = points.map((p) => p.latencyS);
  const rows = points.map(argonneRow);
  const weights = y.map((v) => 1 / v);
  let best: LinearFit | undefined;
  let bestRss = Infinity;
  for (let mask = 1; mask < 32; mask++) {
    const support = [0, 1, 2, 3, 4].filter((j) => mask & (1 << j));
    const valid = (support.includes(0) || support.includes(1)) && (support.includes(2) || support.includes(3));
    if (!valid || support.length >= points.length) continue;
    let f: LinearFit;
    try {
      f = fitLinear(rows.map((r) => support.map((j) => r[j]!)), y, { weights });
    } catch {
      continue; // a singular subset
    }
    if (f.coefficients.some((c) => !(c > 0))) continue;
    const rss = f.relativeResiduals.reduce((s, r, i) => s + ((r * y[i]!) / (1 + r) / y[i]!) ** 2, 0);
    if (rss < bestRss) {
      const full = [0, 0, 0, 0, 0];
      support.forEach((j, i) => { full[j] = f.coefficients[i]!; });
      bestRss = rss;
      best = { ...f, coefficients: full };
    }
  }
  if (!best) throw new Error('Argonne fit: no support gives positive prefill and decode costs');
  return best;
}

function zeroTerms(c: readonly number[]): string {
  const names = ['prefill c0', 'prefill c1', 'decode c0', 'decode perSeq', 'decode perContextToken'];
  const zero = names.filter((_, i) => c[i] === 0);
  return zero.length ? ` The best valid fit sets ${zero.join(', ')} to 0 (the neighbouring terms carry that cost).` : '';
}

/**
 * Groups worth a profile: a serving framework with concurrent batches, enough points, and at least
 * three lengths and three batch sizes (fewer cannot separate the constant, per-length and
 * per-batch terms).
 */
export function usableGroups(groups: readonly ArgonneGroup[]): ArgonneGroup[] {
  const distinct = (g: ArgonneGroup, k: 'length' | 'batch') => new Set(g.points.map((p) => p[k])).size;
  return groups
    .map((g) => ({ ...g, points: g.points.filter((p) => !failedArgonnePoints(g.points).includes(p)) }))
    .filter((g) => !EXCLUDED_FRAMEWORKS.includes(g.framework) && g.points.length >= MIN_POINTS && distinct(g, 'length') >= 3 && distinct(g, 'batch') >= 3);
}

/**
 * Points faster than a smaller run of the same configuration: the same batch at a shorter length,
 * or the same length at a smaller batch, took longer. Physically impossible, so a failed or
 * truncated run (e.g. TensorRT-LLM Qwen2 at length 2048: 0.08 s after 7.7 s at length 1024).
 */
export function failedArgonnePoints(points: readonly ArgonnePoint[]): ArgonnePoint[] {
  const failed = new Set<ArgonnePoint>();
  for (const [key, other] of [['batch', 'length'], ['length', 'batch']] as const) {
    for (const v of new Set(points.map((p) => p[key]))) {
      let highest = -Infinity;
      for (const p of points.filter((q) => q[key] === v).sort((a, b) => a[other] - b[other])) {
        if (p.latencyS < 0.5 * highest) failed.add(p);
        else highest = Math.max(highest, p.latencyS);
      }
    }
  }
  return points.filter((p) => failed.has(p));
}

/** One profile per usable group; power from the power CSV where the same configuration was measured. */
export function deriveArgonneProfiles(groups: readonly ArgonneGroup[], power: readonly ArgonneGroup[]): DerivedFile[] {
  return usableGroups(groups).map((g) => {
    const original = groups.find((o) => o.hardware === g.hardware && o.devices === g.devices && o.framework === g.framework && o.model === g.model)!;
    const dropped = original.points.filter((p) => !g.points.includes(p));
    const f = fitArgonne(g.points);
    const [p0, p1, d0, dB, dC] = f.coefficients as [number, number, number, number, number];
    const pw = power.find((q) => q.hardware === g.hardware && q.devices === g.devices && q.framework === g.framework && q.model === g.model);
    const pwPts = pw?.points.filter((p) => p.powerW !== undefined) ?? [];
    const pf = pwPts.length >= 3 ? fitLinear(pwPts.map((p) => [1, p.batch]), pwPts.map((p) => p.powerW! * g.devices), { nonNegative: true }) : undefined;
    const ls = [...new Set(g.points.map((p) => p.length))];
    const bs = [...new Set(g.points.map((p) => p.batch))];
    const name = `argonne-${slug(g.model)}-${slug(g.hardware.replace(/ GPU$/, ''))}-x${g.devices}-${slug(g.framework)}`;
    const profile: ProfileInput = {
      name,
      form: 'iteration',
      model: g.model,
      hardware: g.hardware,
      gpus: g.devices,
      prefill: { c0: sig(p0), c1: sig(p1), c2: 0 },
      decode: { c0: sig(d0), perSeq: sig(dB), perContextToken: sig(dC) },
      ...(pf ? { power: { idleW: 0, busyW: sig(pf.coefficients[0]!), busyWPerSeq: sig(pf.coefficients[1]!), fit: fitBlock(pf, OLS_NN) } } : {}),
      fit: fitBlock(f, `${RELATIVE_NN}; end-to-end batch latency = prefillS(B*L) + decodeRunS(B, B*(L+1), L-1)`),
      provenance: {
        source: 'LLM-Inference-Bench (Chitty-Venkata et al., arXiv:2411.00136): argonne-lcf/LLM-Inference-Bench Plots/All_results.csv, commit ae7e7a41173badc99f7b59da1657a0172813e5e5',
        // The CSV's Framework column; it gives no versions, so none is stated.
        engine: `${g.framework} (2024)`,
        license: 'BSD-3-Clause, Copyright (c) 2024 UChicago Argonne, LLC',
        derivation: 'npm run profiles (scripts/derive-profiles.ts; reads profiles/measurements/llm-inference-bench-*.csv)',
        notes: [
          `Runs: ${g.framework}, ${g.model} on ${g.devices} x ${g.hardware}; ${g.points.length} distinct (length, batch) points, input = output = ${ls.join('/')} tokens, batch ${bs.join('/')}; repeated rows reduced to their median latency.`,
          `Fitted to end-to-end latency only: one prefill iteration of B*L tokens plus L-1 decode steps whose context grows from B*(L+1). The data cannot separate prefill per token from decode per sequence well (B*L and B*(L-1) are nearly collinear), so read the coefficients together, not one by one; prefill c2 is 0 (not identifiable).${zeroTerms(f.coefficients)}`,
          ...(dropped.length ? [`Dropped as failed runs (less than half the latency of a smaller run of the same batch or length): ${dropped.map((p) => `L ${p.length} B ${p.batch} (${sig(p.latencyS, 3)} s)`).join(', ')}.`] : []),
          'Large batches of long sequences may not have fitted in the accelerator memory at once (the runs would then be partly serial); the fit absorbs this, which adds to its error at the largest points.',
          pf
            ? `Power: power_results.csv avg_power (mW -> W, per device) at length 1024, batch ${pwPts.map((p) => p.batch).join('/')}, times ${g.devices} device(s). Idle power not measured: idleW 0.`
            : 'Power: not measured for this configuration; the profile has no power block (energy unknown).',
          'No memory block: the benchmark does not state the memory of each accelerator SKU, so KV capacity is unbounded; set kvCapacityTokens in the device entry.',
        ],
      },
    };
    return { path: `profiles/argonne/${name.replace(/^argonne-/, '')}.yaml`, text: toYaml(profile, `Generated by \`npm run profiles\` from profiles/measurements/llm-inference-bench-all-results.csv: do not edit by hand.\n${g.model} on ${g.devices} x ${g.hardware} with ${g.framework}.`) };
  });
}
