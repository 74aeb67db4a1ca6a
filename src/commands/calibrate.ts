/**
 * `llmsim calibrate <profile>`: fit the efficiency coefficients of a transformer profile so that
 * simulated serving matches measured load points (a serving table, inference-perf stages or
 * `vllm bench serve` results); prints the per-point errors and writes the calibrated profile with
 * its provenance (data file hash, points fitted, points held out, loss).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { Document } from 'yaml';
import { z } from 'zod';
import { DEFAULT_FIT, KNOBS, calibrate, evaluatePoints, fitCoefficients, withCoefficients, type CoefficientName, type FitResult } from '../calibrate/calibrate.js';
import { batchLoss, predictBatchPoint, readSplitwiseBatchPoints } from '../calibrate/batch.js';
import { compileTransformer } from '../profiles/transformer.js';
import { errorTable, fitQuality, lossPairs } from '../calibrate/report.js';
import { SERVING_FORMATS, readLoadPoints, type LoadPoint } from '../calibrate/points.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../metrics/atomic-write.js';
import { loadProfile } from '../profiles/load.js';
import type { TransformerProfile } from '../profiles/schema.js';
import { intOption, checkOutputFile, parseOptions, seedOption } from './options.js';
import { MAX_BATCH_SIZE, MAX_TOKENS } from '../limits.js';
import { COMMANDS } from './catalog.js';

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
  .optional();

const calibrateOptions = z.strictObject({
  data: z.string().min(1),
  format: z.enum(['auto', ...SERVING_FORMATS, 'splitwise']).default('auto'),
  where: z.array(z.string().regex(/^[^=]+=.*$/, 'expected column=value')).default([]),
  holdOut: list,
  only: list,
  params: list,
  maxEvals: intOption(1, 100_000).default(150),
  seed: seedOption.default(1),
  name: z.string().min(1).optional(),
  engine: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  maxNumSeqs: intOption(1, MAX_BATCH_SIZE).optional(),
  maxNumBatchedTokens: intOption(1, MAX_TOKENS).optional(),
  maxModelLen: intOption(1, 2 * MAX_TOKENS).optional(),
  chunkedPrefill: z.boolean().optional(),
  prefixCaching: z.boolean().optional(),
  quiet: z.boolean().default(false),
});

export function registerCalibrateCommand(program: Command, print: (s: string) => void): void {
  program
    .command('calibrate')
    .description(COMMANDS.calibrate.description)
    .argument('<profile>', 'transformer profile to start from (its coefficients are the starting point)')
    .requiredOption('--data <file>', 'measured serving results: inference-perf stages CSV, llmsim serving table CSV, or vllm bench serve JSON')
    .option('--format <format>', `data format: auto, ${SERVING_FORMATS.join(', ')} (load points, simulated), or splitwise (batch timings: prefill and decode-step times of fixed batches)`, 'auto')
    .option('--where <column=value>', 'splitwise: keep only rows where column equals value (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--hold-out <configs>', 'configurations (comma-separated) left out of the fit and reported as held out')
    .option('--only <configs>', 'fit only these configurations (the rest are held out)')
    .option('--params <names>', `coefficients to fit (default ${DEFAULT_FIT.join(',')}); any of ${KNOBS.map((k) => k.name).join(', ')}`)
    .option('--max-evals <n>', 'objective evaluations at most (each simulates every fitted point)', '150')
    .option('--seed <n>', 'seed of the simulated workloads', '1')
    .option('--name <name>', 'name of the calibrated profile (default: the template\'s name with -calibrated)')
    .option('--engine <text>', 'the serving engine and version the data measured, e.g. "vLLM 0.11 (V1)" (provenance.engine)')
    .option('-o, --out <file>', 'write the calibrated profile here (default: print it)')
    .option('--max-num-seqs <n>', 'vllm bench results: the server\'s --max-num-seqs (default 256)')
    .option('--max-num-batched-tokens <n>', 'vllm bench results: the server\'s --max-num-batched-tokens (default 8192)')
    .option('--max-model-len <n>', 'vllm bench results: the server\'s --max-model-len')
    .option('--no-chunked-prefill', 'vllm bench results: the server ran with chunked prefill off')
    .option('--no-prefix-caching', 'vllm bench results: the server ran with prefix caching off')
    .option('-q, --quiet', 'no progress and no error table')
    .action((profile: string, opts: unknown) => calibrateCommand(profile, opts, print, process.argv.slice(2).map(shellWord).join(' ')));
}

/** An argument as a POSIX shell would need it written, so provenance.derivation can be re-run. */
function shellWord(arg: string): string {
  return /^[A-Za-z0-9_./=,:+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

export async function calibrateCommand(profilePath: string, rawOptions: unknown, print: (s: string) => void, command: string): Promise<void> {
  const opts = parseOptions(calibrateOptions, rawOptions);
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const template = loadProfile(profilePath);
  if (template.form !== 'transformer') throw new InputError({ file: profilePath, field: 'form' }, `expected a profile of form "transformer" to calibrate, found "${template.form}"`);
  const params = (opts.params ?? DEFAULT_FIT) as CoefficientName[];
  for (const p of params) {
    if (!KNOBS.some((k) => k.name === p)) throw new InputError({ field: '--params' }, `unknown coefficient "${p}"; expected any of ${KNOBS.map((k) => k.name).join(', ')}, found "${p}"`);
  }
  if (opts.format === 'splitwise') return calibrateBatch(template, profilePath, opts, params, print, command);
  const points = readLoadPoints(opts.data, opts.format, {
    maxNumSeqs: opts.maxNumSeqs,
    maxNumBatchedTokens: opts.maxNumBatchedTokens,
    maxModelLen: opts.maxModelLen,
    chunkedPrefill: opts.chunkedPrefill,
    prefixCaching: opts.prefixCaching,
  });
  const configs = [...new Set(points.map((p) => p.config))];
  for (const c of [...(opts.holdOut ?? []), ...(opts.only ?? [])]) {
    if (!configs.includes(c)) throw new InputError({ file: opts.data, field: opts.only?.includes(c) ? '--only' : '--hold-out' }, `expected configurations of the data (${configs.join(', ')}), found "${c}"`);
  }
  const fitted = (p: LoadPoint) => p.unmodelled === undefined && !(opts.holdOut ?? []).includes(p.config) && (opts.only === undefined || opts.only.includes(p.config));
  const fitPoints = points.filter(fitted);
  const heldOut = points.filter((p) => !fitted(p));
  if (fitPoints.length === 0) throw new InputError({ file: opts.data }, 'expected at least one load point to fit after --only/--hold-out (and without unmodelled engines), found none');
  const baseDir = dirname(resolve(profilePath));
  const progress = opts.quiet || !process.stderr.isTTY ? undefined : (e: number, _l: number, best: number) => process.stderr.write(`\rcalibrate: ${e}/${opts.maxEvals} evaluations, best loss ${best.toFixed(5)}   `);
  const result = await calibrate({ template, templatePath: resolve(profilePath), points: fitPoints, fit: params, maxEvals: opts.maxEvals, seed: opts.seed, baseDir, onEval: progress });
  if (progress) process.stderr.write('\n');
  const method = `NLopt BOBYQA (nlopt-js) over ${params.join(', ')} (overheads on a log scale), at most ${opts.maxEvals} evaluations (${result.evals} used); loss = mean soft-L1 (scale 0.1) of ln(simulated / measured) over TTFT p50, TPOT mean, E2E mean and throughput; seed ${opts.seed}`;
  const fit = fitQuality(lossPairs(result.results), 'in-sample: the fitted load points, TTFT p50, TPOT mean, E2E mean and throughput; R^2 of log values');
  const out = calibratedProfile(template, profilePath, opts, command, result, method, fitPoints.map((p) => p.id), heldOut.map((p) => p.id), fit);
  const yaml = writeProfile(out, opts);
  if (!opts.quiet) {
    const held = evaluatePoints(out, resolve(profilePath), heldOut, opts.seed, baseDir);
    print(`fitted ${fitPoints.length} load point(s); loss ${result.loss.toFixed(5)} after ${result.evals} evaluations; ${heldOut.length} held out`);
    for (const line of errorTable([...result.results.map((r) => ({ ...r, role: 'fit' })), ...held.map((r) => ({ ...r, role: 'held out' }))])) print(line);
  }
  if (!opts.out) print(yaml.trimEnd());
  else if (!opts.quiet) print(`wrote ${opts.out}`);
}

type Options = z.output<typeof calibrateOptions>;

/** The template with the fitted coefficients and a calibration block naming the data (path and hash), the rows and the loss. */
function calibratedProfile(
  template: TransformerProfile,
  profilePath: string,
  opts: Options,
  command: string,
  result: FitResult,
  method: string,
  rows: string[],
  heldOut: string[],
  fit: TransformerProfile['fit'],
): TransformerProfile {
  const sha256 = createHash('sha256').update(readFileSync(opts.data)).digest('hex');
  return {
    ...template,
    name: opts.name ?? `${template.name}-calibrated`,
    coefficients: result.coefficients,
    fit,
    calibration: { data: relative(process.cwd(), resolve(opts.data)) || opts.data, sha256, rows, heldOut, loss: result.loss, method },
    provenance: {
      ...template.provenance,
      derivation: `llmsim ${command || `calibrate ${profilePath} --data ${opts.data}`}`,
      ...(opts.engine ? { engine: opts.engine } : {}),
    },
  };
}

/** Writes (with --out, atomically) and returns the profile's YAML. */
function writeProfile(out: TransformerProfile, opts: Options): string {
  const doc = new Document(out);
  doc.commentBefore = ` Calibrated by llmsim calibrate from ${out.calibration!.data}. Regenerate with the command in provenance.derivation.`;
  const yaml = doc.toString({ lineWidth: 0, minContentWidth: 0 });
  if (opts.out) writeFileAtomic(opts.out, (write) => write(yaml));
  return yaml;
}

/** Batch timings (Splitwise's perf-model CSV): the loss compares iteration times directly, no simulation. */
async function calibrateBatch(template: TransformerProfile, profilePath: string, opts: Options, params: CoefficientName[], print: (s: string) => void, command: string): Promise<void> {
  const where = Object.fromEntries(opts.where.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  const points = readSplitwiseBatchPoints(opts.data, where);
  const configs = new Set(points.map((p) => p.config));
  if (configs.size > 1) throw new InputError({ file: opts.data, field: '--where' }, `expected rows of one model, hardware and tensor-parallel degree (use --where), found ${configs.size}: ${[...configs].slice(0, 4).join(', ')}${configs.size > 4 ? ', ...' : ''}`);
  const result = await fitCoefficients({ template, fit: params, maxEvals: opts.maxEvals, loss: (p) => batchLoss(p, points) });
  const method = `NLopt BOBYQA (nlopt-js) over ${params.join(', ')}, at most ${opts.maxEvals} evaluations (${result.evals} used); loss = mean soft-L1 (scale 0.1) of ln(predicted / measured) iteration time over every prefill and mean decode-step row`;
  const filter = opts.where.join(', ') || 'all rows';
  const fitted = compileTransformer(withCoefficients(template, result.coefficients));
  const fit = fitQuality(points.map((p) => [predictBatchPoint(fitted, p), p.measuredS] as const), 'in-sample: every prefill and mean decode-step row; R^2 of log values');
  const out = calibratedProfile(template, profilePath, opts, command, result, method, [`${filter}: ${points.length} batch timings`], [], fit);
  const yaml = writeProfile(out, opts);
  if (!opts.quiet) {
    const model = compileTransformer(out);
    print(`fitted ${points.length} batch timing(s) of ${[...configs][0]}; loss ${result.loss.toFixed(5)} after ${result.evals} evaluations`);
    print('| kind | points | median APE | worst APE |');
    print('|---|---|---|---|');
    for (const kind of ['prefill', 'decode'] as const) {
      const errs = points.filter((p) => p.kind === kind).map((p) => Math.abs(predictBatchPoint(model, p) / p.measuredS - 1)).sort((a, b) => a - b);
      if (errs.length === 0) continue;
      print(`| ${kind} | ${errs.length} | ${(errs[errs.length >> 1]! * 100).toFixed(1)}% | ${(errs[errs.length - 1]! * 100).toFixed(1)}% |`);
    }
  }
  if (!opts.out) print(yaml.trimEnd());
  else if (!opts.quiet) print(`wrote ${opts.out}`);
}
