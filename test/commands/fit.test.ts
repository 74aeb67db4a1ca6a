import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerFitCommand } from '../../src/commands/fit.js';
import { InputError } from '../../src/errors.js';
import { compileIterationModel, loadProfile } from '../../src/profiles/load.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const splitwiseCsv = `${root}profiles/measurements/splitwise-perf-model.csv`;

/** Runs `llmsim fit ...args` through commander, collecting what it prints. */
function run(args: string[]): string[] {
  const out: string[] = [];
  const program = new Command('llmsim').exitOverride();
  registerFitCommand(program, (s) => out.push(s));
  program.parse(['node', 'llmsim', 'fit', ...args]);
  return out;
}

describe('llmsim fit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmsim-fit-'));

  it('reproduces the committed Splitwise profile coefficients from a YAML mapping', () => {
    // Same data, terms, medians and relative non-negative least squares as scripts/derive: the
    // coefficients must agree to the 6 digits the derived file keeps.
    const map = join(dir, 'map.yaml');
    writeFileSync(map, `form: iteration
columns:
  promptTokens: prompt_size
  batch: batch_size
  outputTokens: token_size
  prefillS: { column: prompt_time, scale: 0.001 }
  decodeStepS: { column: token_time, scale: 0.001 }
where: { model: llama2-70b, hardware: h100-80gb, tensor_parallel: 4 }
aggregate: median
profile: { gpus: 4, model: llama-2-70b, hardware: h100-80gb, power: { busyW: 2000, busyWPerSeq: 1 } }
`);
    const file = join(dir, 'fitted.yaml');
    const printed = run([splitwiseCsv, '--map', map, '-o', file]);
    expect(printed[0]).toBe(`iteration fit to ${splitwiseCsv}: 19 point(s)`);
    const fitted = loadProfile(file);
    const committed = loadProfile(`${root}profiles/splitwise/llama2-70b-h100-tp4.yaml`);
    if (fitted.form !== 'iteration' || committed.form !== 'iteration') throw new Error('form');
    for (const k of ['c0', 'c1', 'c2'] as const) expect(fitted.prefill[k] / committed.prefill[k]).toBeCloseTo(1, 5);
    for (const k of ['c0', 'perSeq', 'perContextToken'] as const) expect(fitted.decode[k] / committed.decode[k]).toBeCloseTo(1, 5);
    expect(fitted.provenance.notes!.join('\n')).toMatch(/filters: model=llama2-70b, hardware=h100-80gb, tensor_parallel=4/);
    expect(fitted.provenance.notes![0]).toBe('Data file SHA-256: dbbe505d1d64fc4bd1ec03c50edf944643586de4f68a81e94cbd55dd5bdfbf41.');
    expect(compileIterationModel(fitted).kvCapacityTokens).toBe(Infinity); // no memory block given
  });

  it('fits a bilinear profile from flags and prints it when no --out is given', () => {
    const csv = join(dir, 'w.csv');
    // runtime = 0.1*tout + 0.001*tin*tout exactly (a0 = 0): recovered exactly.
    const rows = ['tin,tout,ms'];
    for (const tin of [10, 100, 1000]) for (const tout of [5, 50, 500]) rows.push(`${tin},${tout},${(0.1 * tout + 0.001 * tin * tout) * 1000}`);
    writeFileSync(csv, rows.join('\n'));
    const printed = run([csv, '--form', 'bilinear', '--col', 'inputTokens=tin', '--col', 'outputTokens=tout', '--col', 'runtimeS=ms*0.001', '--name', 'w', '--gpus', '2']);
    expect(printed[1]).toMatch(/^runtime: a0 = [-0-9.e]+, a1 = 0\.10000, a2 = 1\.0000e-3$/);
    expect(printed[2]).toMatch(/^ {2}R\^2 1\.0000 uncentered, 1\.0000 centered; .*; 9 points$/);
    const yaml = printed.at(-1)!;
    expect(yaml).toMatch(/^name: w$/m);
    expect(yaml).toMatch(/^gpus: 2$/m);
  });

  it('turns bad flags and bad cells into one-line input errors', () => {
    expect(() => run([splitwiseCsv, '--col', 'nonsense'])).toThrow(InputError);
    expect(() => run([splitwiseCsv, '--col', 'nonsense'])).toThrow(/^--col\[0\]: expected role=column/);
    expect(() => run([splitwiseCsv])).toThrow(/^--form: expected --form bilinear or --form iteration/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'input_tokens,output_tokens,runtime_s\n1,2,3\n4,x,6\n');
    expect(() => run([bad, '--form', 'bilinear'])).toThrow(`${bad}:3: output_tokens: expected a finite number, found "x"`);
    expect(() => run([join(dir, 'missing.csv'), '--form', 'bilinear'])).toThrow(/expected a readable measurement CSV, found no such file/);
    const map = join(dir, 'typo.yaml');
    writeFileSync(map, 'form: bilinear\nwheer: { a: 1 }\n');
    expect(() => run([bad, '--map', map])).toThrow(/typo\.yaml:2:1: wheer: unknown key \(did you mean "where"\?\)/);
  });

  it('writes a file that is byte-identical on a rerun', () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    const args = ['--form', 'iteration', '--col', 'promptTokens=prompt_size', '--col', 'batch=batch_size', '--col', 'outputTokens=token_size', '--col', 'prefillS=prompt_time*0.001', '--col', 'decodeStepS=token_time*0.001', '--col', 'powerW=average_power*1600', '--where', 'hardware=a100-80gb', '--where', 'tensor_parallel=4', '--where', 'model=llama2-70b', '--aggregate', 'median', '--noise', '-q'];
    run([splitwiseCsv, ...args, '-o', a]);
    run([splitwiseCsv, ...args, '-o', b]);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const p = loadProfile(a);
    if (p.form !== 'iteration') throw new Error('form');
    expect(p.noise!.decode!.residuals).toHaveLength(19);
  });
});
