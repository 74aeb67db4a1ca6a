/**
 * Argonne fidelity: per configuration, fit on a checkerboard half of the (length, batch) grid and
 * predict the mean time per iteration (batch latency / L) at the other half. Also the roofline
 * gap on the Llama-2-7B runs.
 */
import { designRank } from '../../src/profiles/fit-linear.js';
import { parseArgonne, type ArgonnePoint } from '../derive/argonne-data.js';
import { argonneRow, fitArgonne, usableGroups } from '../derive/argonne.js';
import { ape, spe } from './stats.js';

export interface ArgonneResult {
  group: string;
  hardware: string;
  heldOut: number;
  iterationApe: number[];
  signed: number[];
}

/** Held out: points whose length index + batch index is odd (a checkerboard over the grid). */
export function argonneHeldOut(p: ArgonnePoint, all: readonly ArgonnePoint[]): boolean {
  const ls = [...new Set(all.map((q) => q.length))].sort((a, b) => a - b);
  const bs = [...new Set(all.map((q) => q.batch))].sort((a, b) => a - b);
  return (ls.indexOf(p.length) + bs.indexOf(p.batch)) % 2 === 1;
}

/** Predicted batch latency of a point from the five fitted coefficients. */
export function predictLatencyS(coefficients: readonly number[], p: Pick<ArgonnePoint, 'length' | 'batch'>): number {
  return argonneRow(p).reduce((s, x, i) => s + x * coefficients[i]!, 0);
}

/** Results per usable configuration; those whose training half cannot determine the terms (or has no valid fit) are skipped and counted. */
export function argonneFidelity(csv: string): { results: ArgonneResult[]; skipped: number } {
  const results: ArgonneResult[] = [];
  let skipped = 0;
  for (const g of usableGroups(parseArgonne(csv))) {
    const train = g.points.filter((p) => !argonneHeldOut(p, g.points));
    const test = g.points.filter((p) => argonneHeldOut(p, g.points));
    if (train.length <= 5 || designRank(train.map(argonneRow)) < 5 || test.length === 0) {
      skipped++;
      continue;
    }
    let c: number[];
    try {
      c = fitArgonne(train).coefficients;
    } catch {
      skipped++; // no valid (positive prefill and decode) fit on the training half
      continue;
    }
    const res: ArgonneResult = { group: `${g.hardware} x${g.devices} | ${g.framework} | ${g.model}`, hardware: g.hardware, heldOut: test.length, iterationApe: [], signed: [] };
    for (const p of test) {
      // Per-iteration latency = batch latency / L: the same relative error as the batch latency.
      res.iterationApe.push(ape(predictLatencyS(c, p) / p.length, p.latencyS / p.length));
      res.signed.push(spe(predictLatencyS(c, p), p.latencyS));
    }
    results.push(res);
  }
  return { results, skipped };
}
