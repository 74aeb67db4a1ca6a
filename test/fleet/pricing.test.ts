/**
 * $/GPU-hour from the hardware files (profiles/hardware/*.yaml `pricing`): a fleet group or a
 * capacity candidate without a scenario price takes its hardware file's first entry; the scenario's
 * fleet.groups.<name>.pricePerGpuHour overrides it; a profile whose hardware has no file has no
 * price. The expected H100 SXM price is the cited page's: AWS p5.48xlarge at 98.32 USD/h for 8 GPUs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHardware } from '../../src/profiles/hardware.js';
import { checkScenario, loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { repoFile, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';

const H100_PAGE_USD_PER_GPU_H = 98.32 / 8;
const H100_SOURCE = /^profiles\/hardware\/h100-sxm5-80gb\.yaml: AWS p5\.48xlarge .*, on-demand, 2026-Q1 \(https:\/\/disintermediate\.global\//;

describe('hardware files carry dated, cited prices', () => {
  it('the GPUs the brief lists each have at least one price with its page and date', () => {
    for (const id of ['h100-sxm5-80gb', 'a100-sxm4-80gb', 'h200-sxm-141gb', 'b200', 'l40s', 'mi300x']) {
      const p = loadHardware(repoFile(`profiles/hardware/${id}.yaml`)).pricing;
      expect(p?.length, id).toBeGreaterThan(0);
      for (const e of p!) {
        expect(e.url, id).toMatch(/^https?:\/\//);
        expect(e.date, id).toMatch(/^20\d\d/);
      }
    }
    expect(loadHardware(repoFile('profiles/hardware/h100-sxm5-80gb.yaml')).pricing![0]!.usdPerGpuHour).toBe(H100_PAGE_USD_PER_GPU_H);
  });
});

describe('fleet summary price', () => {
  // The golden cb-fifo-least-loaded scenario with its device on a profile whose hardware is h100-sxm5-80gb.
  const base = loadScenario('test/golden/cb-fifo-least-loaded.yaml');
  const dev = base.scenario.cluster.devices[0]!;
  const withFleet = (fleet: unknown, profile = '../../profiles/roofline/llama-2-7b-h100-sxm5-80gb-x1.yaml') =>
    runScenario(checkScenario({ ...base.scenario, cluster: { ...base.scenario.cluster, devices: [{ ...dev, profile }] }, fleet }, { file: base.file, baseDir: base.baseDir })).summary.fleet!;

  it("a group with no price in the scenario takes its hardware file's, and says where it comes from", () => {
    const f = withFleet({});
    const g = f.groups[0]!;
    expect(g.pricePerGpuHour).toBe(H100_PAGE_USD_PER_GPU_H);
    expect(g.priceSource).toMatch(H100_SOURCE);
    expect(f.costUsd).toBeCloseTo(f.gpuHours! * H100_PAGE_USD_PER_GPU_H, 3);
  });

  it("the scenario's pricePerGpuHour overrides it (no priceSource: the scenario's)", () => {
    const g = withFleet({ groups: { [dev.name]: { pricePerGpuHour: 3 } } }).groups[0]!;
    expect(g.pricePerGpuHour).toBe(3);
    expect(g).not.toHaveProperty('priceSource');
  });

  it('a profile whose hardware has no file (splitwise h100-80gb) has no price', () => {
    const f = withFleet({}, (dev as { profile: string }).profile);
    expect(f.groups[0]!.pricePerGpuHour).toBeNull();
    expect(f.costUsd).toBeNull();
  });
});

describe('llmsim capacity price', () => {
  const dir = tempDir('capacity-price');
  const { llmsim } = captureCli(dir);
  const scenario = (extra: string) => {
    const file = join(dir, `s${extra.length}.yaml`);
    writeFileSync(
      file,
      [
        'name: priced',
        'seed: 3',
        'workload:',
        '  synthetic:',
        '    count: 40',
        '    arrival: { process: poisson, rateRps: 1 }',
        '    prompt: { dist: uniform, min: 50, max: 400 }',
        '    output: { dist: uniform, min: 20, max: 100 }',
        'cluster:',
        '  devices:',
        '    - name: h100',
        '      kind: continuous-batching',
        `      profile: ${repoFile('profiles/roofline/llama-2-7b-h100-sxm5-80gb-x1.yaml')}`,
        '      replicas: 1',
        'policy: { name: fifo }',
        extra,
        '',
      ].join('\n'),
    );
    return file;
  };
  const answer = async (file: string, out: string) => {
    expect(await llmsim('capacity', file, '--rate', '1', '--target', 'e2e.p90=1000', '--max-replicas', '2', '--seeds', '1', '-o', join(dir, out), '-j', '1', '-q')).toBe(0);
    return readFileSync(join(dir, out, 'capacity.csv'), 'utf8').trimEnd().split('\n')[1]!;
  };

  it("prices the answer at the hardware file's price by default, the scenario's when given", async () => {
    // One replica of one GPU meets the loose target: $/h = 1 GPU x the price.
    const byHardware = await answer(scenario(''), 'hw');
    expect(byHardware.startsWith('scenario,1,1,1,1,')).toBe(true);
    expect(byHardware).toContain(`,${H100_PAGE_USD_PER_GPU_H},${H100_PAGE_USD_PER_GPU_H},"profiles/hardware/h100-sxm5-80gb.yaml: AWS p5.48xlarge`);
    const byScenario = await answer(scenario('fleet:\n  groups:\n    h100: { pricePerGpuHour: 2.5 }'), 'sc');
    expect(byScenario.endsWith(',2.5,2.5,scenario')).toBe(true);
  });
});
