import { describe, expect, it } from 'vitest';
import { fitCsv } from '../../src/profiles/fit-csv.js';
import { FitSpecSchema, type FitSpecInput } from '../../src/profiles/fit-spec.js';
import { compileCostModel, parseProfile } from '../../src/profiles/load.js';
import { createStream } from '../../src/util/rng.js';
import { errorOf } from '../support/errors.js';

const spec = (s: FitSpecInput) => FitSpecSchema.parse(s);
const fit = (csv: string, s: FitSpecInput) => fitCsv(csv, 'm.csv', spec(s), 'llmsim fit m.csv');


// Published Wilkins et al. Llama-2 7B on A100 coefficients (papers.md): runtime b0..b2, energy a0..a2.
const B = [-1.0e-2, 8.35e-2, 1.07e-4];
const A = [-3.89, 31.52, 4.27e-2];
const grid = [8, 32, 128, 256, 512, 1024, 2048];

function wilkinsCsv(relNoise: number, seed: number): string {
  const rng = createStream(seed, 'fit-test');
  const lines = ['input_tokens,output_tokens,runtime_s,energy_j'];
  for (const tin of grid) {
    for (const tout of grid) {
      const r = B[0]! * tin + B[1]! * tout + B[2]! * tin * tout;
      const e = A[0]! * tin + A[1]! * tout + A[2]! * tin * tout;
      if (r <= 0 || e <= 0) continue; // the published model goes negative there; a measurement would not
      lines.push(`${tin},${tout},${r * (1 + relNoise * rng.normal())},${e * (1 + relNoise * rng.normal())}`);
    }
  }
  return lines.join('\n');
}

describe('fitCsv, bilinear form', () => {
  it('recovers the published Wilkins Llama-2 7B coefficients exactly from noiseless points', () => {
    const out = fit(wilkinsCsv(0, 1), { form: 'bilinear' });
    const [rt, en] = out.parts;
    rt!.fit.coefficients.forEach((c, i) => expect(c / B[i]!).toBeCloseTo(1, 8));
    en!.fit.coefficients.forEach((c, i) => expect(c / A[i]!).toBeCloseTo(1, 8));
    expect(rt!.fit.r2Uncentered).toBeCloseTo(1, 12);
  });

  it('recovers them within a few percent from points with 2% multiplicative noise', () => {
    // 41 points with 2% multiplicative noise, fitted by relative least squares (the estimator that
    // matches multiplicative noise). Each relative residual has sd 0.02, so a coefficient's
    // standard error is about 0.02/sqrt(41) times a leverage factor of 1-2: 0.3-0.6%. 3% is
    // more than 5 standard errors, and far below what a wrong term (or a dropped one) would give.
    const out = fit(wilkinsCsv(0.02, 7), { form: 'bilinear', weights: 'relative' });
    const [rt, en] = out.parts;
    rt!.fit.coefficients.forEach((c, i) => expect(Math.abs(c / B[i]! - 1), `runtime ${i}`).toBeLessThan(0.03));
    en!.fit.coefficients.forEach((c, i) => expect(Math.abs(c / A[i]! - 1), `energy ${i}`).toBeLessThan(0.03));
    // No intercept: both R^2 kinds are reported and the uncentered one is the larger.
    expect(rt!.fit.r2Uncentered).toBeGreaterThan(0.99);
    expect(rt!.fit.r2Centered).toBeLessThan(rt!.fit.r2Uncentered);
    // Relative noise of 2% gives a relative residual spread near 2%.
    const rel = rt!.fit.relativeResiduals;
    const sd = Math.sqrt(rel.reduce((s, r) => s + r * r, 0) / rel.length);
    expect(sd).toBeGreaterThan(0.012);
    expect(sd).toBeLessThan(0.03);
    const profile = parseProfile(JSON.stringify(out.profile), 'p.json');
    expect(profile.form).toBe('bilinear');
  });

  it('writes both R^2 kinds, RMSE, MAPE, residual std and points into the fit block', () => {
    const out = fit(wilkinsCsv(0.02, 3), { form: 'bilinear', noise: true });
    const p = parseProfile(JSON.stringify(out.profile), 'p.json');
    if (p.form !== 'bilinear') throw new Error('form');
    expect(Object.keys(p.runtime.fit!).sort()).toEqual(['mape', 'maxApe', 'medianApe', 'method', 'points', 'r2', 'r2Centered', 'residualStd', 'rmse']);
    expect(p.runtime.fit!.medianApe).toBe(Number(out.parts[0]!.fit.medianApe.toFixed(3)));
    expect(p.runtime.fit!.medianApe).toBeLessThan(p.runtime.fit!.maxApe!);
    expect(p.runtime.fit!.points).toBe(out.parts[0]!.fit.points);
    expect(p.noise!.runtime!.residuals).toHaveLength(out.parts[0]!.fit.points);
    expect(p.provenance.notes!.join(' ')).toMatch(/filters: no filter/);
  });
});

describe('fitCsv, iteration form', () => {
  it('fits prefill, decode and power coefficients known by construction', () => {
    // prefill = 0.02 + 1e-4*T + 2e-9*T^2 (T = batch*prompt); decode = 0.03 + 3e-4*b + 1e-7*ctx with
    // ctx = b*(prompt + output/2); power = 300 + 5*b.
    const lines = ['prompt_tokens,batch_size,output_tokens,prefill_s,decode_step_s,power_w'];
    for (const prompt of [128, 512, 2048]) for (const b of [1, 4, 16, 64]) for (const out of [64, 512]) {
      const t = b * prompt;
      const ctx = b * (prompt + out / 2);
      lines.push([prompt, b, out, 0.02 + 1e-4 * t + 2e-9 * t * t, 0.03 + 3e-4 * b + 1e-7 * ctx, 300 + 5 * b].join(','));
    }
    const out = fit(lines.join('\n'), { form: 'iteration', profile: { idleW: 100 } });
    const p = out.profile as Extract<typeof out.profile, { form: 'iteration' }>;
    expect(p.prefill.c0).toBeCloseTo(0.02, 9);
    expect(p.prefill.c1 / 1e-4).toBeCloseTo(1, 6);
    expect(p.prefill.c2 / 2e-9).toBeCloseTo(1, 5);
    expect(p.decode.c0).toBeCloseTo(0.03, 9);
    expect(p.decode.perSeq / 3e-4).toBeCloseTo(1, 6);
    expect(p.decode.perContextToken / 1e-7).toBeCloseTo(1, 5);
    expect(p.power!.busyW).toBeCloseTo(300, 6);
    expect(p.power!.busyWPerSeq).toBeCloseTo(5, 6);
    expect(parseProfile(JSON.stringify(p), 'p.json').form).toBe('iteration');
  });

  it('takes medians of repeated points, filters rows and scales columns', () => {
    // Two configurations; only hw=a is kept. Repetitions 1, 2, 100 (ms): median 2 ms, not the mean.
    const lines = ['hw,p,b,o,pt_ms,tt_ms'];
    for (const [p, b] of [[100, 1], [200, 1], [400, 2], [800, 4], [100, 8]] as const) {
      for (const noise of [1, 2, 100]) lines.push(`a,${p},${b},10,${10 + p * b * 0.01 + noise},${5 + b + noise}`);
      lines.push(`b,${p},${b},10,999,999`);
    }
    const out = fit(lines.join('\n'), {
      form: 'iteration',
      columns: { promptTokens: 'p', batch: 'b', outputTokens: 'o', prefillS: { column: 'pt_ms', scale: 0.001 }, decodeStepS: { column: 'tt_ms', scale: 0.001 } },
      where: { hw: 'a' },
      aggregate: 'median',
      weights: 'none',
      profile: { power: { busyW: 400, busyWPerSeq: 0 } },
    });
    const p = out.profile as Extract<typeof out.profile, { form: 'iteration' }>;
    expect(out.rowsUsed).toBe(5);
    // median adds 2 ms: prefill = 0.012 + 1e-5*T s exactly, decode = 0.007 + 0.001*b
    expect(p.prefill.c0).toBeCloseTo(0.012, 9);
    expect(p.prefill.c1).toBeCloseTo(1e-5, 12);
    expect(p.decode.c0).toBeCloseTo(0.007, 9);
    expect(p.decode.perSeq).toBeCloseTo(0.001, 9);
  });
});

describe('fitCsv warnings about what the profile lacks', () => {
  // prefill = 0.01 + 1e-4*T, decode = 0.02 + 1e-3*b (+0 per context token): any valid design will do.
  const lines = ['prompt_tokens,batch_size,output_tokens,prefill_s,decode_step_s'];
  for (const prompt of [100, 400, 1600]) for (const b of [1, 2, 8, 32]) lines.push([prompt, b, 100, 0.01 + 1e-4 * b * prompt, 0.02 + 1e-3 * b].join(','));
  const csv = lines.join('\n');
  const memory = { deviceBytes: 8e10, weightBytes: 2e10, kvBytesPerToken: 1e5 };

  it('warns that energy is unknown and the KV cache unbounded when power and memory are missing', () => {
    const w = fit(csv, { form: 'iteration' }).warnings;
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^no power block .*energy and idle power will be unknown \(NaN\).*--col powerW=.*profile\.power .*--map/);
    expect(w[1]).toMatch(/^no memory block .*KV cache will be unbounded .*profile\.memory .*--map file/);
  });

  it('warns only about idle power when power is given without idleW, and not at all when all is given', () => {
    expect(fit(csv, { form: 'iteration', profile: { power: { busyW: 500, busyWPerSeq: 1 }, memory } }).warnings).toEqual([
      'idle power not given: idleW = 0, so idle energy is not counted; give profile.idleW in the --map file',
    ]);
    expect(fit(csv, { form: 'iteration', profile: { idleW: 100, power: { busyW: 500, busyWPerSeq: 1 }, memory } }).warnings).toEqual([]);
  });

  it('warns about a bilinear fit without an energy column', () => {
    const runtimeOnly = wilkinsCsv(0, 1).split('\n').map((l) => l.split(',').slice(0, 3).join(',')).join('\n');
    expect(fit(runtimeOnly, { form: 'bilinear' }).warnings).toEqual(['no energy block (no energyJ column): simulated energy will be unknown (NaN); map one with --col energyJ=<column>']);
    expect(fit(wilkinsCsv(0, 1), { form: 'bilinear' }).warnings).toEqual([]);
  });
});

describe('fitCsv errors', () => {
  const good = wilkinsCsv(0, 1);
  it('names the line and column of a non-numeric cell', () => {
    const lines = good.split('\n');
    lines[3] = lines[3]!.replace(/,[^,]+$/, ',n/a');
    expect(errorOf(() => fit(lines.join('\n'), { form: 'bilinear' }))).toBe('m.csv:4: energy_j: expected a finite number, found "n/a"');
  });

  it('refuses too few points for the terms', () => {
    const few = good.split('\n').slice(0, 4).join('\n');
    expect(errorOf(() => fit(few, { form: 'bilinear' }))).toBe('m.csv: runtimeS: expected more than 3 points with a non-zero runtimeS to fit 3 coefficients (a0 tin, a1 tout, a2 tin*tout), found 3');
  });

  it('refuses a singular design (output length never varies)', () => {
    const lines = ['input_tokens,output_tokens,runtime_s', ...[1, 2, 3, 4, 5].map((t) => `${t * 100},50,${t}`)];
    expect(errorOf(() => fit(lines.join('\n'), { form: 'bilinear' }))).toMatch(/^m\.csv: runtimeS: expected points that separate the terms .*found a singular design \(rank 2 of 3\)/);
  });

  it('names a role the form does not have, with the closest one and the accepted ones', () => {
    expect(errorOf(() => fit(good, { form: 'bilinear', columns: { runtimes: 'runtime_s' } }))).toBe(
      'columns.runtimes: unknown role "runtimes" for form bilinear (did you mean "runtimeS"?); expected one of: inputTokens, outputTokens, runtimeS, energyJ, found "runtimes"',
    );
    expect(errorOf(() => fit(good, { form: 'bilinear', columns: { batch: 'b' } }))).toMatch(/^columns\.batch: unknown role "batch" for form bilinear \(a role of form iteration\)/);
  });

  it('names a missing column and filters that match nothing', () => {
    // 49 grid points less the 8 where the published runtime model is negative (tout 8 with tin >= 128,
    // tout 32 with tin >= 512; the energy model is negative at the same 8): 41 rows.
    expect(errorOf(() => fit(good, { form: 'bilinear', columns: { runtimeS: 'runtime' } }))).toMatch(/^m\.csv:1: expected a header with the bilinear fit columns .*runtime is missing; is runtime_s a typo\?/);
    expect(errorOf(() => fit(good, { form: 'bilinear', where: { input_tokens: 3 } }))).toBe('m.csv: where: expected rows matching input_tokens=3, found none of 41');
    // Prefill and decode times are required roles of the iteration form: a missing one names the header.
    expect(errorOf(() => fit('prompt_tokens,batch_size,output_tokens,prefill_s\n1,2,3,4\n', { form: 'iteration' }))).toMatch(/^m\.csv:1: expected a header with the iteration fit columns .*\(decode_step_s is missing\)/);
  });
});

describe('fitCsv, bilinear terms (a3: per output token squared)', () => {
  // runtime = 0.05*tout + 1e-4*tin*tout + 2e-4*tout^2 s; energy = 20*tout + 0.01*tin*tout + 0.05*tout^2 J
  // (a0 = 0): what generation without a KV cache looks like, cost growing with output length squared.
  const lines = ['input_tokens,output_tokens,runtime_s,energy_j'];
  for (const tin of [16, 128, 1024]) for (const tout of [8, 64, 512, 2048]) lines.push(`${tin},${tout},${0.05 * tout + 1e-4 * tin * tout + 2e-4 * tout * tout},${20 * tout + 0.01 * tin * tout + 0.05 * tout * tout}`);
  const csv = lines.join('\n');

  it('fits a3 when asked and writes it to the profile, which then gives the hand-computed values', () => {
    const out = fit(csv, { form: 'bilinear', terms: ['a0', 'a1', 'a2', 'a3'] });
    expect(out.parts[0]!.terms).toEqual(['a0 tin', 'a1 tout', 'a2 tin*tout', 'a3 tout^2']);
    const p = parseProfile(JSON.stringify(out.profile), 'p.json');
    if (p.form !== 'bilinear') throw new Error('form');
    expect(p.runtime.a0).toBeCloseTo(0, 9);
    expect(p.runtime.a1).toBeCloseTo(0.05, 9);
    expect(p.runtime.a2! / 1e-4).toBeCloseTo(1, 6);
    expect(p.runtime.a3! / 2e-4).toBeCloseTo(1, 6);
    expect(p.energy!.a3! / 0.05).toBeCloseTo(1, 6);
    expect(out.parts[0]!.fit.r2Uncentered).toBeCloseTo(1, 12);
    // r(20, 100) = 5 + 0.2 + 2 = 7.2 s; e(20, 100) = 2000 + 20 + 500 = 2520 J
    const m = compileCostModel(p);
    expect(m.serviceS(20, 100)).toBeCloseTo(7.2, 6);
    expect(m.energyJ(20, 100)).toBeCloseTo(2520, 3);
    expect(p.provenance.notes!.join(' ')).toContain('terms a0 tin, a1 tout, a2 tin*tout, a3 tout^2 (the others 0)');
  });

  it('without a3 (the default) cannot follow the squared growth and writes no a3', () => {
    const out = fit(csv, { form: 'bilinear' });
    expect(out.parts[0]!.terms).toEqual(['a0 tin', 'a1 tout', 'a2 tin*tout']);
    expect(out.parts[0]!.fit.r2Uncentered).toBeLessThan(0.999);
    expect('a3' in (out.profile as { runtime: object }).runtime).toBe(false);
    expect(out.profile.provenance.notes!.join(' ')).not.toContain('terms');
  });

  it('fits any subset, in profile order, with the others 0', () => {
    const out = fit(csv, { form: 'bilinear', terms: ['a3', 'a1', 'a2'] });
    expect(out.parts[0]!.terms).toEqual(['a1 tout', 'a2 tin*tout', 'a3 tout^2']);
    const p = out.profile as Extract<typeof out.profile, { form: 'bilinear' }>;
    expect(p.runtime.a0).toBe(0);
    expect(p.runtime.a1).toBeCloseTo(0.05, 9);
  });

  it('refuses terms on the iteration form and a term named twice', () => {
    expect(errorOf(() => fit(csv, { form: 'iteration', terms: ['a3'] }))).toBe("terms: expected terms only with form bilinear (the iteration form's terms are fixed), found a3");
    expect(errorOf(() => fit(csv, { form: 'bilinear', terms: ['a1', 'a3', 'a1'] }))).toBe('terms: expected each term once, found a1 twice');
    expect(() => spec({ form: 'bilinear', terms: ['a4' as 'a3'] })).toThrow();
  });
});

describe('fitCsv filters', () => {
  // runtime = 0.1*tout exactly, except rows that the filters must drop, which say 999.
  const csv = [
    'hw,batch,note,input_tokens,output_tokens,runtime_s',
    'a,1,>5,10,10,1', // line 2
    'a,4,x,20,20,2',
    'a,16,>5,30,30,3',
    'a,64,x,40,40,4',
    'b,4,x,50,50,999', // line 6
    'a,256,x,60,60,999',
  ].join('\n');
  const kept = (where: FitSpecInput['where']) => fit(csv, { form: 'bilinear', terms: ['a1'], where }).profile.provenance.notes![0]!.match(/file lines ([^;]+);/)![1];

  it('keeps rows by text (in)equality, numeric comparison, range and a list of conditions', () => {
    expect(kept({ hw: 'a', batch: '<=64' })).toBe('2-5');
    expect(kept({ hw: '!=b', batch: '<256' })).toBe('2-5');
    expect(kept({ hw: 'a', batch: '1..64' })).toBe('2-5');
    expect(kept({ hw: 'a', batch: '..16' })).toBe('2-4');
    expect(kept({ hw: 'a', batch: ['>1', '<64'] })).toBe('3-4');
    expect(kept({ hw: 'a', batch: '>=4', note: '!=>5' })).toBe('3, 5, 7');
    expect(kept({ note: '=>5' })).toBe('2, 4'); // a leading = matches the text literally
    expect(kept({ batch: 4 })).toBe('3, 6'); // a number from YAML compares as text, as before
    const out = fit(csv, { form: 'bilinear', terms: ['a1'], where: { hw: '!=b', batch: ['>=1', '<256'] } });
    expect(out.profile.provenance.notes![0]).toContain('filters: hw!=b, batch>=1, batch<256.');
    expect(out.parts[0]!.fit.coefficients[0]).toBeCloseTo(0.1, 12);
  });

  it('names the line of a cell a numeric filter cannot read, and a condition that is not one', () => {
    const bad = csv.replace('a,64,x', 'a,n/a,x');
    expect(errorOf(() => fit(bad, { form: 'bilinear', where: { batch: '>=4' } }))).toBe('m.csv:5: batch: expected a number to compare with >=4, found "n/a"');
    expect(errorOf(() => fit(csv, { form: 'bilinear', where: { batch: '>=four' } }))).toBe('where.batch: expected a number after ">=", found "four"');
    expect(errorOf(() => fit(csv, { form: 'bilinear', where: { batch: '64..4' } }))).toBe('where.batch: expected a range low..high with low <= high, found "64..4"');
    expect(errorOf(() => fit(csv, { form: 'bilinear', where: { batch: '>=4', hw: 'c' } }))).toBe('m.csv: where: expected rows matching batch>=4, hw=c, found none of 6');
  });
});

describe('fitCsv computed columns (sums of columns)', () => {
  // runtime (ms) = 100*(sys + user) + 50*out, split into queue and compute times: a fit needs
  // tin = sys + user and runtime = (queue_ms + compute_ms) * 0.001.
  const lines = ['sys,user,out,queue_ms,compute_ms,a+b'];
  for (const sys of [0, 100]) for (const user of [10, 200]) for (const out of [5, 50, 500]) {
    const ms = 100 * (sys + user) + 50 * out;
    lines.push(`${sys},${user},${out},${ms * 0.25},${ms * 0.75},${sys + user}`);
  }
  const csv = lines.join('\n');
  const columns = { inputTokens: 'sys+user', outputTokens: 'out', runtimeS: { column: 'queue_ms + compute_ms', scale: 0.001 } };

  it('sums the named columns, then scales the sum', () => {
    const out = fit(csv, { form: 'bilinear', terms: ['a0', 'a1'], columns });
    expect(out.parts[0]!.fit.coefficients[0]).toBeCloseTo(0.1, 12); // s per input token
    expect(out.parts[0]!.fit.coefficients[1]).toBeCloseTo(0.05, 12);
    expect(out.profile.provenance.notes!.join(' ')).toContain('inputTokens = sys+user, outputTokens = out, runtimeS = queue_ms + compute_ms x 0.001');
    // One column alone gives a different (wrong) fit: the sum really is used.
    expect(fit(csv, { form: 'bilinear', terms: ['a0', 'a1'], columns: { ...columns, inputTokens: 'user' } }).parts[0]!.fit.r2Uncentered).toBeLessThan(0.999);
  });

  it('reads a header that holds the whole expression as one column', () => {
    const out = fit(csv, { form: 'bilinear', terms: ['a0', 'a1'], columns: { ...columns, inputTokens: 'a+b' } });
    expect(out.parts[0]!.fit.coefficients[0]).toBeCloseTo(0.1, 12);
  });

  it('names a missing part and an empty one', () => {
    expect(errorOf(() => fit(csv, { form: 'bilinear', columns: { ...columns, inputTokens: 'sys+usr' } }))).toMatch(/^m\.csv:1: expected a header with the bilinear fit columns .*\(usr is missing; is user a typo\?\)/);
    expect(errorOf(() => fit(csv, { form: 'bilinear', columns: { ...columns, inputTokens: 'sys+' } }))).toBe('columns.inputTokens: expected column names joined by +, found "sys+"');
  });
});

describe('fitCsv refuses measurements that cannot be (times and energies <= 0)', () => {
  const good = wilkinsCsv(0, 1).split('\n');
  const withRow = (row: string) => [good[0], good[1], row, ...good.slice(2)].join('\n'); // the bad row is file line 3

  it('names the file line and column of a negative or zero time or energy', () => {
    expect(errorOf(() => fit(withRow('8,8,-0.5,10'), { form: 'bilinear' }))).toBe('m.csv:3: runtime_s: expected a measured time > 0 for runtimeS, found "-0.5"');
    expect(errorOf(() => fit(withRow('8,8,0.5,0'), { form: 'bilinear' }))).toBe('m.csv:3: energy_j: expected a measured energy > 0 for energyJ, found "0"');
    const iteration = 'prompt_tokens,batch_size,output_tokens,prefill_s,decode_step_s\n100,1,10,0.1,0.02\n100,2,10,0.2,-0.03\n';
    expect(errorOf(() => fit(iteration, { form: 'iteration' }))).toBe('m.csv:3: decode_step_s: expected a measured time > 0 for decodeStepS, found "-0.03"');
  });

  it('checks the sum of a computed column, and only rows the filters keep', () => {
    const csv = 'hw,input_tokens,output_tokens,a_s,b_s\nx,8,8,1,-2\n';
    expect(errorOf(() => fit(csv, { form: 'bilinear', columns: { runtimeS: 'a_s+b_s' } }))).toBe('m.csv:2: a_s+b_s: expected a measured time > 0 for runtimeS, found -1 (1 + -2)');
    const filtered = [good[0], ...good.slice(1).map((l) => `a,${l}`), 'b,8,8,-1,-1'].join('\n').replace(/^/, 'hw,');
    expect(fit(filtered, { form: 'bilinear', where: { hw: 'a' } }).rowsUsed).toBe(good.length - 1);
  });

  it('still leaves out empty cells (not measured) and reads powerW 0 as not measured, but refuses negative power', () => {
    expect(fit(withRow('8,8,,'), { form: 'bilinear' }).parts[0]!.fit.points).toBe(good.length - 1);
    const rows = ['prompt_tokens,batch_size,output_tokens,prefill_s,decode_step_s,power_w'];
    for (const [b, w] of [[1, 305], [2, 310], [4, 0], [8, 340]] as const) for (const prompt of [100, 400]) rows.push([prompt, b, 10, 0.01 + 1e-4 * b * prompt, 0.02 + 1e-3 * b, w].join(','));
    const out = fit(rows.join('\n'), { form: 'iteration' });
    expect(out.parts[2]!.fit.points).toBe(6); // the two rows with power 0 are left out of the power fit only
    expect(out.parts[0]!.fit.points).toBe(8);
    expect(errorOf(() => fit(rows.join('\n').replace(/,0$/m, ',-5'), { form: 'iteration' }))).toMatch(/^m\.csv:\d+: power_w: expected a measured power >= 0 for powerW \(0: not measured\), found "-5"$/);
  });
});
