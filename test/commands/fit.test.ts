import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerFitCommand } from '../../src/commands/fit.js';
import { InputError } from '../../src/errors.js';
import { compileIterationModel, loadProfile } from '../../src/profiles/load.js';
import { tempDir } from '../support/tmp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const splitwiseCsv = `${root}profiles/measurements/splitwise-perf-model.csv`;

/** Runs `llmsim fit ...args` through commander, collecting what it prints (and, if given, its warnings and anything printed before a throw). */
function run(args: string[], warnings: string[] = [], out: string[] = []): string[] {
  const program = new Command('llmsim').exitOverride();
  registerFitCommand(program, (s) => out.push(s), (w) => warnings.push(w));
  program.parse(['node', 'llmsim', 'fit', ...args]);
  return out;
}

/** What `llmsim fit --help` prints. */
function helpText(): string {
  let text = '';
  const program = new Command('llmsim').exitOverride().configureOutput({ writeOut: (s) => (text += s) });
  registerFitCommand(program, () => {}, () => {});
  expect(() => program.parse(['node', 'llmsim', 'fit', '--help'])).toThrow(CommanderError);
  return text;
}

// The column roles each form accepts, with the unit each is documented in (design: profiles/README.md).
const ROLE_UNITS: Record<string, Record<string, string>> = {
  bilinear: { inputTokens: 'count', outputTokens: 'count', runtimeS: 's', energyJ: 'J' },
  iteration: { promptTokens: 'count', batch: 'count', outputTokens: 'count', prefillS: 's', decodeStepS: 's', powerW: 'W', contextTokens: 'tokens' },
};

/** Splitwise Llama-2-70B on 4 x H100, the README's flags (times in ms). */
const readmeFlags = ['--form', 'iteration', '--where', 'model=llama2-70b', '--where', 'hardware=h100-80gb', '--where', 'tensor_parallel=4', '--col', 'promptTokens=prompt_size', '--col', 'outputTokens=token_size', '--col', 'batch=batch_size', '--col', 'prefillS=prompt_time*0.001', '--col', 'decodeStepS=token_time*0.001', '--gpus', '4'];

describe('llmsim fit', () => {
  const dir = tempDir('fit');

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

  it('warns (not on stdout) when the fitted profile has no power or memory block, and not once the --map file gives them', () => {
    const warnings: string[] = [];
    const printed = run([splitwiseCsv, ...readmeFlags], warnings);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^no power block .*energy and idle power will be unknown \(NaN\)/);
    expect(warnings[1]).toMatch(/^no memory block .*KV cache will be unbounded/);
    for (const w of warnings) expect(printed.join('\n')).not.toContain(w); // stdout stays the summary and clean YAML
    // A --map file holding only profile metadata, next to the flags (the example of fit --help).
    const meta = join(dir, 'meta.yaml');
    writeFileSync(meta, 'profile:\n  idleW: 300\n  power: { busyW: 1786.73, busyWPerSeq: 2.5368 }\n  memory: { deviceBytes: 343597383680, weightBytes: 137953296384, kvBytesPerToken: 327680, utilization: 0.9 }\n');
    const file = join(dir, 'with-meta.yaml');
    const none: string[] = [];
    run([splitwiseCsv, ...readmeFlags, '--map', meta, '-o', file], none);
    expect(none).toEqual([]);
    const model = compileIterationModel(loadProfile(file));
    // (343597383680 * 0.9 - 137953296384) / 327680 = 522718.35 tokens, floored.
    expect(model.kvCapacityTokens).toBe(522718);
    expect(model.idlePowerW).toBe(300);
    expect(model.busyPowerW(10)).toBeCloseTo(1786.73 + 25.368, 9);
  });

  it('fails on an unwritable --out before printing anything', () => {
    const out: string[] = [];
    const warnings: string[] = [];
    const target = join(dir, 'no-such-dir', 'p.yaml');
    expect(() => run([splitwiseCsv, ...readmeFlags, '-o', target], warnings, out)).toThrow(`${target}: expected a writable file, found ENOENT`);
    expect(out).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('names an unknown role with the closest one and the roles the form accepts', () => {
    expect(() => run([splitwiseCsv, '--form', 'iteration', '--col', 'bach=batch_size'])).toThrow(
      /^--col: unknown role "bach" for form iteration \(did you mean "batch"\?\); expected one of: promptTokens, batch, outputTokens, prefillS, decodeStepS, powerW, contextTokens, found "bach"$/,
    );
    expect(() => run([splitwiseCsv, '--form', 'bilinear', '--col', 'tin=prompt_size'])).toThrow(/^--col: unknown role "tin" for form bilinear; expected one of: inputTokens, outputTokens, runtimeS, energyJ, found "tin"$/);
    const map = join(dir, 'badrole.yaml');
    writeFileSync(map, 'form: iteration\ncolumns:\n  promptTokens: prompt_size\n  runtimeS: prompt_time\n');
    expect(() => run([splitwiseCsv, '--map', map])).toThrow(`${map}:4:3: columns.runtimeS: unknown role "runtimeS" for form iteration (a role of form bilinear); expected one of: promptTokens,`);
  });

  it('lists every role of each form with its unit in --help and in profiles/README.md, and how to give memory and power', () => {
    const help = helpText();
    const readme = readFileSync(`${root}profiles/README.md`, 'utf8');
    for (const [form, roles] of Object.entries(ROLE_UNITS)) {
      expect(help).toContain(`  ${form} (`);
      for (const [role, unit] of Object.entries(roles)) {
        expect(help, role).toMatch(new RegExp(`^ +\\*?${role} +\\[[a-z_]+\\] +.*, ${unit}\\b`, 'm'));
        expect(readme, role).toMatch(new RegExp(`^\\| ${form} \\| \`${role}\` \\| \`[a-z_]+\` \\| ${unit} \\|`, 'm'));
      }
    }
    for (const text of [help, readme]) {
      expect(text).toMatch(/profile:\n +idleW: /);
      expect(text).toMatch(/memory: \{ deviceBytes: \d+, weightBytes: \d+, kvBytesPerToken: \d+/);
      expect(text).toMatch(/power: \{ busyW: [\d.]+, busyWPerSeq: [\d.]+ \}/);
    }
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

  it('filters with !=, numeric ranges and repeated flags (all must hold); a flag replaces the --map condition on its column', () => {
    // h100-80gb is the only hardware that is neither a100-80gb nor h100-80gb-pcap, so these must
    // reproduce the equality fit; batch_size=1..64 keeps every batch, and two flags on one column both hold.
    const eq = run([splitwiseCsv, ...readmeFlags, '--aggregate', 'median', '-q']).at(-1)!;
    const ne = readmeFlags.join(' ').replace('--where hardware=h100-80gb', '--where hardware!=a100-80gb --where hardware!=h100-80gb-pcap --where batch_size=1..64 --where prompt_size>=128 --where prompt_size<=8192').split(' ');
    const printed = run([splitwiseCsv, ...ne, '--aggregate', 'median', '-q']).at(-1)!;
    const coefficients = (yaml: string) => yaml.split('\n').filter((l) => /^ {2}(c[012]|perSeq|perContextToken): /.test(l));
    expect(coefficients(printed)).toEqual(coefficients(eq));
    expect(coefficients(printed)).toHaveLength(6);
    expect(printed).toContain('filters: model=llama2-70b, hardware!=a100-80gb, hardware!=h100-80gb-pcap, batch_size=1..64, prompt_size>=128, prompt_size<=8192, tensor_parallel=4.');
    // Narrower: batches up to 8 drop the batch sweep's 16, 32 and 64 from its 19 distinct points.
    const narrow = run([splitwiseCsv, ...readmeFlags, '--where', 'batch_size=..8', '--aggregate', 'median']);
    expect(narrow[0]).toBe(`iteration fit to ${splitwiseCsv}: 16 point(s)`);
    // The --map file says hardware=a100-80gb; the flag replaces it.
    const map = join(dir, 'where.yaml');
    writeFileSync(map, 'where: { hardware: a100-80gb, batch_size: [">=1", "<=64"] }\n');
    const overridden = run([splitwiseCsv, ...readmeFlags, '--map', map, '--aggregate', 'median', '-q']).at(-1)!;
    expect(coefficients(overridden)).toEqual(coefficients(eq));
  });

  it('fits a3 with --terms, sums columns with +, and reports the median APE next to the MAPE', () => {
    const csv = join(dir, 'kvoff.csv');
    // runtime = 0.05*tout + 2e-4*tout^2 s, prompt tokens split into system and user parts.
    const rows = ['sys,user,tout,ms'];
    for (const sys of [0, 64]) for (const user of [10, 300]) for (const tout of [5, 50, 500, 2000]) rows.push(`${sys},${user},${tout},${(0.05 * tout + 2e-4 * tout * tout) * 1000}`);
    writeFileSync(csv, rows.join('\n'));
    const flags = [csv, '--form', 'bilinear', '--col', 'inputTokens=sys+user', '--col', 'outputTokens=tout', '--col', 'runtimeS=ms*0.001'];
    const withA3 = run([...flags, '--terms', 'a0, a1,a2,a3']);
    expect(withA3[1]).toMatch(/^runtime: a0 = [-0-9.e]+, a1 = 0\.050000, a2 = [-0-9.e]+, a3 = 2\.0000e-4$/);
    expect(withA3[2]).toMatch(/; MAPE 0\.00% \(median 0\.00%, max 0\.00%\);/);
    expect(withA3.at(-1)).toMatch(/^ {2}a3: 0\.0002$/m);
    expect(withA3.at(-1)).toMatch(/^ {4}medianApe: 0$/m);
    const without = run(flags);
    expect(without[1]).toMatch(/^runtime: a0 = \S+, a1 = \S+, a2 = \S+$/);
    const [, mape, median, max] = /MAPE ([\d.]+)% \(median ([\d.]+)%, max ([\d.]+)%\)/.exec(without[2]!)!.map(Number);
    expect(mape).toBeGreaterThan(1);
    expect(median).toBeGreaterThan(0);
    expect(median).toBeLessThanOrEqual(max!);
    expect(() => run([...flags, '--terms', 'a0,a4'])).toThrow(/^--terms: expected bilinear terms separated by commas, e\.g\. a0,a1,a2,a3, found "a0,a4"$/);
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
