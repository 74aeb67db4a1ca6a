import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrate, evaluatePoints, withCoefficients } from '../../src/calibrate/calibrate.js';
import { robustLoss } from '../../src/calibrate/evaluate.js';
import { readLoadPoints } from '../../src/calibrate/points.js';
import { loadProfile } from '../../src/profiles/load.js';
import type { TransformerProfile } from '../../src/profiles/schema.js';
import { captureCli } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');
const TEMPLATE = resolve(root, 'profiles/transformer/llama-3.1-8b-h100-sxm5-80gb-tp1.yaml');
const dir = mkdtempSync(join(tmpdir(), 'llmsim-calibrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A serving table whose "measurements" are a simulation with known coefficients: calibration must find them again. */
function syntheticTable(truth: TransformerProfile): string {
  const header = 'id,config,rate_rps,requests,prompt_tokens,output_tokens,max_num_seqs,ttft_mean_ms,ttft_p50_ms,tpot_mean_ms,e2e_mean_ms,throughput_rps';
  const loads = [
    { id: 'low', rate: 4, n: 60 },
    { id: 'high', rate: 60, n: 400 },
  ];
  const rows = loads.map((l) => `${l.id},a,${l.rate},${l.n},300,32,64,0,0,0,0,0`);
  const blank = join(dir, 'blank.csv');
  writeFileSync(blank, [header, ...rows].join('\n'));
  const sim = evaluatePoints(truth, TEMPLATE, readLoadPoints(blank), 1, root);
  const ms = (v: number | undefined) => ((v ?? NaN) * 1000).toString();
  return [header, ...sim.map((r, i) => `${loads[i]!.id},a,${loads[i]!.rate},${loads[i]!.n},300,32,64,${ms(r.predicted.ttftMeanS)},${ms(r.predicted.ttftP50S)},${ms(r.predicted.tpotMeanS)},${ms(r.predicted.e2eMeanS)},${r.predicted.throughputRps}`)].join('\n');
}

describe('llmsim calibrate', () => {
  const template = loadProfile(TEMPLATE) as TransformerProfile;
  const truth = withCoefficients(template, { ...template.coefficients, computeEfficiency: 0.45, stepOverheadS: 0.004 });
  const table = join(dir, 'measured.csv');
  writeFileSync(table, syntheticTable(truth));

  it('recovers known coefficients from simulated measurements (simulation in the loop, BOBYQA)', async () => {
    const points = readLoadPoints(table);
    const res = await calibrate({ template, templatePath: TEMPLATE, points, fit: ['computeEfficiency', 'stepOverheadS'], maxEvals: 60, seed: 1, baseDir: root });
    expect(res.coefficients.computeEfficiency).toBeGreaterThan(0.45 * 0.95);
    expect(res.coefficients.computeEfficiency).toBeLessThan(0.45 * 1.05);
    expect(res.coefficients.stepOverheadS).toBeGreaterThan(0.004 * 0.9);
    expect(res.coefficients.stepOverheadS).toBeLessThan(0.004 * 1.1);
    // The starting point was worse: the loss went down.
    expect(res.loss).toBeLessThan(robustLoss(evaluatePoints(template, TEMPLATE, points, 1, root)));
  });

  const cli = captureCli();
  it('writes the profile with its provenance and prints the per-point errors', async () => {
    const out = join(dir, 'calibrated.yaml');
    const code = await cli.llmsim('calibrate', TEMPLATE, '--data', table, '--params', 'computeEfficiency,stepOverheadS', '--max-evals', '20', '--hold-out', 'a', '-o', out);
    // Holding out the only configuration leaves nothing to fit: one clear line, exit 2.
    expect(code).toBe(2);
    expect(cli.err).toMatch(/at least one load point to fit/);
    const ok = await cli.llmsim('calibrate', TEMPLATE, '--data', table, '--params', 'computeEfficiency,stepOverheadS', '--max-evals', '20', '-o', out);
    expect(ok).toBe(0);
    expect(cli.out).toMatch(/\| low \| fit \|/);
    const written = loadProfile(out) as TransformerProfile;
    expect(written.calibration).toMatchObject({ rows: ['low', 'high'], heldOut: [] });
    expect(written.calibration!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(written.provenance.derivation).toMatch(/^llmsim calibrate/);
  });

  it('refuses a profile of another form and an unknown coefficient', async () => {
    expect(await cli.llmsim('calibrate', resolve(root, 'profiles/splitwise/llama2-70b-h100-tp4.yaml'), '--data', table)).toBe(2);
    expect(cli.err).toMatch(/expected a profile of form "transformer"/);
    expect(await cli.llmsim('calibrate', TEMPLATE, '--data', table, '--params', 'speed')).toBe(2);
    expect(cli.err).toMatch(/unknown coefficient "speed"/);
  });
});

describe('llmsim calibrate --format splitwise (batch timings)', () => {
  const cli = captureCli();
  const csv = resolve(root, 'profiles/measurements/splitwise-perf-model.csv');

  it('prices each measured batch shape by hand: a prefill of b prompts, the mean decode step of the run', async () => {
    const { predictBatchPoint } = await import('../../src/calibrate/batch.js');
    const { compileTransformer } = await import('../../src/profiles/transformer.js');
    const m = compileTransformer(loadProfile(TEMPLATE) as TransformerProfile);
    const prefill = predictBatchPoint(m, { id: 'p', config: 'c', kind: 'prefill', batch: 2, promptTokens: 100, outputTokens: 10, measuredS: 1 });
    expect(prefill).toBe(m.iterationS({ prefillSeqs: 2, prefillTokens: 200, prefillPastTokens: 0, prefillPairs: 2 * (100 * 101) / 2, decodeSeqs: 0, decodeContextTokens: 0 }));
    // 9 decode steps with context 101..109 per sequence: their mean.
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += m.decodeStepS(2, 2 * (101 + i));
    expect(predictBatchPoint(m, { id: 'd', config: 'c', kind: 'decode', batch: 2, promptTokens: 100, outputTokens: 10, measuredS: 1 })).toBeCloseTo(sum / 9, 12);
  });

  it('fits the measured Splitwise decode steps of Llama-2-70B on 4 x H100 closely', async () => {
    const { buildTransformerProfile } = await import('../../src/profiles/build-transformer.js');
    const { stringify } = await import('yaml');
    const reference = resolve(root, 'profiles/calibrated/vllm-0.11-llama-3.1-8b-h100-sxm5-80gb-tp1.yaml');
    const tpl = buildTransformerProfile({
      architectureFile: resolve(root, 'profiles/models/llama-2-70b.yaml'),
      hardwareFile: resolve(root, 'profiles/hardware/h100-sxm5-80gb.yaml'),
      tensor: 4,
      reference: loadProfile(reference) as TransformerProfile,
      referenceFile: reference,
      root,
    });
    const file = join(dir, 'l70-tp4.yaml');
    writeFileSync(file, stringify(tpl));
    const args = ['calibrate', file, '--format', 'splitwise', '--data', csv, '--where', 'model=llama2-70b', '--where', 'hardware=h100-80gb'];
    // Three tensor-parallel degrees match: one combination at a time.
    expect(await cli.llmsim(...args, '--max-evals', '5')).toBe(2);
    expect(cli.err).toMatch(/expected rows of one model, hardware and tensor-parallel degree/);
    expect(await cli.llmsim(...args, '--where', 'tensor_parallel=4', '--params', 'computeEfficiency,memoryEfficiency,commEfficiency,stepOverheadS,perSeqOverheadS', '--max-evals', '60', '-o', join(dir, 'l70.yaml'))).toBe(0);
    // The measured decode steps (an independent oracle: Splitwise's own timings) within 5% at the median.
    const decode = /\| decode \| (\d+) \| ([\d.]+)% \|/.exec(cli.out);
    expect(decode).not.toBeNull();
    expect(Number(decode![2])).toBeLessThan(5);
    expect((loadProfile(join(dir, 'l70.yaml')) as TransformerProfile).calibration!.rows[0]).toMatch(/model=llama2-70b, hardware=h100-80gb, tensor_parallel=4: 210 batch timings/);
  });
});
