import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { compileIterationModel, loadProfile } from '../../src/profiles/load.js';
import type { IterationProfile } from '../../src/profiles/schema.js';
import { checkScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { tempDir } from '../support/tmp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const csv = readFileSync(`${root}profiles/measurements/splitwise-perf-model.csv`, 'utf8').trim().split('\n');
const header = csv[0]!.split(',');
const rows = csv.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i]!, v])));

/** Medians of prompt_time and token_time (ms) per distinct point, computed here independently of the derivation. */
function medians(model: string, hardware: string, tp: number) {
  const groups = new Map<string, { prompt: number; batch: number; output: number; p: number[]; t: number[] }>();
  for (const r of rows) {
    if (r.model !== model || r.hardware !== hardware || Number(r.tensor_parallel) !== tp) continue;
    const key = `${r.prompt_size},${r.batch_size},${r.token_size}`;
    const g = groups.get(key) ?? { prompt: Number(r.prompt_size), batch: Number(r.batch_size), output: Number(r.token_size), p: [], t: [] };
    g.p.push(Number(r.prompt_time));
    g.t.push(Number(r.token_time));
    groups.set(key, g);
  }
  const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2; };
  return [...groups.values()].map((g) => ({ prompt: g.prompt, batch: g.batch, output: g.output, promptMs: med(g.p), tokenMs: med(g.t) }));
}

const files = readdirSync(`${root}profiles/splitwise`).filter((f) => f.endsWith('.yaml')).sort();
const hwOf: Record<string, string> = { a100: 'a100-80gb', h100: 'h100-80gb', 'h100-pcap': 'h100-80gb-pcap' };

describe('Splitwise-derived Llama-2-70B H100 TP4 profile', () => {
  const model = compileIterationModel(loadProfile(`${root}profiles/splitwise/llama2-70b-h100-tp4.yaml`));
  const pts = medians('llama2-70b', 'h100-80gb', 4);
  const base = pts.find((p) => p.prompt === 512 && p.batch === 1 && p.output === 128)!;

  it('predicts the base point: prefill of 512 tokens ~60 ms, decode at batch 1 ~29 ms', () => {
    expect(base.promptMs).toBeGreaterThan(59); // data README: "about 60 ms at 512"
    expect(base.promptMs).toBeLessThan(61);
    // Prefill within 10%: the fit's mean error over all points is ~10% (its notes and fit block say so).
    expect(Math.abs(model.prefillS(512) * 1000 / base.promptMs - 1)).toBeLessThan(0.1);
    // Decode within 5%: the decode fit's mean error is ~2%, its worst ~6%.
    expect(Math.abs(model.decodeStepS(1, 512 + 64) * 1000 / base.tokenMs - 1)).toBeLessThan(0.05);
  });

  it('predicts every measured decode median within 7% and every prefill median within 35%', () => {
    // Decode: step time is near-linear in batch and context (worst point 6.1%, batch 32).
    // Prefill: a quadratic in batched tokens cannot follow the flat 48-60 ms from 128 to 512 tokens,
    // so 128 tokens is 34% low; from 1024 tokens on the worst is 18% (8192 tokens), because one
    // 8192-token prompt (954 ms) and 16 prompts of 512 (874 ms) have the same batched tokens.
    for (const p of pts) {
      const ctx = p.batch * (p.prompt + p.output / 2);
      const prefillErr = Math.abs((model.prefillS(p.batch * p.prompt) * 1000) / p.promptMs - 1);
      expect(Math.abs((model.decodeStepS(p.batch, ctx) * 1000) / p.tokenMs - 1)).toBeLessThan(0.07);
      expect(prefillErr).toBeLessThan(0.35);
      if (p.batch * p.prompt >= 1024) expect(prefillErr).toBeLessThan(0.2);
    }
  });
});

describe('every Splitwise-derived profile', () => {
  it('covers all 12 (model, hardware, TP) combinations of the CSV', () => {
    const combos = new Set(rows.map((r) => `${r.model}-${Object.keys(hwOf).find((k) => hwOf[k] === r.hardware)}-tp${r.tensor_parallel}.yaml`));
    expect(files).toEqual([...combos].sort());
    expect(files).toHaveLength(12);
  });

  it.each(files)('%s loads and its stated fit error matches the CSV', (file) => {
    const p = loadProfile(`${root}profiles/splitwise/${file}`) as IterationProfile;
    const [, model, hw, tp] = /^(llama2-70b|bloom-176b)-(a100|h100|h100-pcap)-tp(\d)\.yaml$/.exec(file)!;
    expect(p.gpus).toBe(Number(tp));
    const m = compileIterationModel(p);
    // Recompute the mean absolute percentage error over the points the fit used (all but failed runs,
    // i.e. a batch-sweep point slower-prefilling than a smaller batch) and compare to the claim.
    const pts = medians(model!, hwOf[hw!]!, Number(tp));
    const sweep = pts.filter((q) => q.prompt === 512 && q.output === 128).sort((a, b) => a.batch - b.batch);
    const failed = sweep.filter((q, i) => sweep.slice(0, i).some((r) => r.promptMs > q.promptMs));
    const used = pts.filter((q) => !failed.includes(q));
    expect(p.prefill.fit!.points).toBe(used.length);
    const mape = (f: (q: (typeof used)[number]) => number, y: (q: (typeof used)[number]) => number) => (100 * used.reduce((a, q) => a + Math.abs(f(q) / y(q) - 1), 0)) / used.length;
    const prefillMape = mape((q) => m.prefillS(q.batch * q.prompt) * 1000, (q) => q.promptMs);
    const decodeMape = mape((q) => m.decodeStepS(q.batch, q.batch * (q.prompt + q.output / 2)) * 1000, (q) => q.tokenMs);
    // Stated to 2 decimals from unrounded coefficients; the file's 6-digit coefficients move it < 0.01.
    expect(Math.abs(prefillMape - p.prefill.fit!.mape!)).toBeLessThan(0.015);
    expect(Math.abs(decodeMape - p.decode.fit!.mape!)).toBeLessThan(0.015);
    expect(prefillMape).toBeLessThan(16);
    expect(decodeMape).toBeLessThan(5);
  });

  it('drops the failed TP2 batch-64 runs (prefill 794 ms on A100 after 6633 ms at batch 32)', () => {
    const p = loadProfile(`${root}profiles/splitwise/llama2-70b-a100-tp2.yaml`) as IterationProfile;
    expect(p.prefill.fit!.points).toBe(18);
    expect(p.provenance.notes!.some((n) => n.startsWith('Dropped from both fits as a failed run: batch 64'))).toBe(true);
  });
});

describe('power-capped Splitwise profiles (h100-pcap)', () => {
  const pcapFiles = files.filter((f) => f.includes('-h100-pcap-'));
  const twinOf = (f: string) => f.replace('-h100-pcap-', '-h100-');
  const dir = tempDir('pcap');

  /** Energy per finished request (J, null when unknown) of `profile` on a synthetic workload at `rateRps`. */
  function joulesPerRequest(profile: string, rateRps: number): number | null {
    const data = {
      name: 'pcap', seed: 5,
      workload: { synthetic: { count: 200, arrival: { process: 'poisson', rateRps }, prompt: { dist: 'lognormal', median: 1000, sigma: 1, min: 16, max: 6000 }, output: { dist: 'lognormal', median: 200, sigma: 1, min: 2, max: 2000 } } },
      cluster: { devices: [{ name: 'g', kind: 'continuous-batching', profile, replicas: 1 }] },
      policy: { name: 'fifo' },
    };
    return runScenario(checkScenario(data, { file: 'pcap.yaml', baseDir: dir })).summary.energy.perFinishedRequestJ;
  }

  it('there is one per uncapped H100 twin', () => {
    expect(pcapFiles).toHaveLength(4);
    for (const f of pcapFiles) expect(files).toContain(twinOf(f));
  });

  // Light load (batches of a few sequences: the cap would not bind on the uncapped power curve) and
  // heavy load (large batches, where it would).
  it.each(pcapFiles.flatMap((f) => [[f, 0.05], [f, 20]] as const))('%s never reports more energy per request than its uncapped twin (%s req/s)', (file, rate) => {
    const capped = joulesPerRequest(`${root}profiles/splitwise/${file}`, rate);
    const uncapped = joulesPerRequest(`${root}profiles/splitwise/${twinOf(file)}`, rate);
    expect(uncapped).toBeGreaterThan(0);
    // Unknown (no power block, null) is allowed; a number must not exceed the twin's.
    if (capped !== null) expect(capped).toBeLessThanOrEqual(uncapped!);
  });

  it("would report MORE at light load with the twin's power and min(cap, power): why the derivation leaves power out", () => {
    const file = 'llama2-70b-h100-pcap-tp4.yaml';
    const pcap = parseYaml(readFileSync(`${root}profiles/splitwise/${file}`, 'utf8'));
    const twin = loadProfile(`${root}profiles/splitwise/${twinOf(file)}`) as IterationProfile;
    expect(pcap.power).toBeUndefined();
    // The documented cap: 490 W per GPU (splitwise-sim dgx-h100-pcap tdp 7140 W = 70% of 10200 W).
    expect(pcap.provenance.notes.join(' ')).toContain('Cap: 490 W per GPU = 70% of 700 W');
    const withPower = join(dir, 'pcap-with-twin-power.yaml');
    writeFileSync(withPower, stringifyYaml({ ...pcap, power: { idleW: twin.power!.idleW, busyW: twin.power!.busyW, busyWPerSeq: twin.power!.busyWPerSeq, capW: 490 * 4 } }));
    // 1786.73 + 2.5368 b < 1960 up to b = 68: at light load the cap never binds, prefill is 1.3x longer.
    expect(twin.power!.busyW + twin.power!.busyWPerSeq * 68).toBeLessThan(1960);
    expect(joulesPerRequest(withPower, 0.05)!).toBeGreaterThan(joulesPerRequest(`${root}profiles/splitwise/${twinOf(file)}`, 0.05)!);
  });
});
