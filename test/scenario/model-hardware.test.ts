import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArchitecture, kvBytesPerToken, weightBytes } from '../../src/profiles/architecture.js';
import { SHIPPED_PROFILES_DIR } from '../../src/profiles/catalog.js';
import { loadScenario, prepareRun } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { errorOf } from '../support/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'llmsim-model-hardware-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(device: string): string {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `name: mh
seed: 1
workload:
  synthetic:
    count: 40
    arrival: { process: poisson, rateRps: 4 }
    prompt: { dist: fixed, tokens: 256 }
    output: { dist: fixed, tokens: 32 }
cluster:
  devices:
    - name: gpu
      kind: continuous-batching
${device}
policy: { name: fifo }
`,
  );
  return file;
}

describe('a device given as model + hardware + tensorParallel', () => {
  it("is the calibrated profile itself when that is the calibration's own setup", () => {
    const byName = runScenario(loadScenario(scenario('      profile: vllm-0.11-llama-3.1-8b-h100-sxm5-80gb-tp1'))).summary;
    const byModel = runScenario(loadScenario(scenario('      model: llama-3.1-8b\n      hardware: h100-sxm5-80gb'))).summary;
    expect(byModel).toEqual(byName);
  });

  it('builds a transformer profile from the architecture and hardware files with the calibrated coefficients', () => {
    const input = prepareRun(loadScenario(scenario('      model: llama-2-70b\n      hardware: h100-sxm5-80gb\n      tensorParallel: 4')));
    expect(input.cluster[0]!.gpus).toBe(4);
    expect(input.cluster[0]!.model).toBe('llama-2-70b');
    expect(input.cluster[0]!.profileLabel).toMatch(/^transformer-llama-2-70b-h100-sxm5-80gb-tp4 \(transformer; coefficients calibrated on data\/serving\/.*transferred/);
    const res = runScenario(loadScenario(scenario('      model: llama-2-70b\n      hardware: h100-sxm5-80gb\n      tensorParallel: 4')));
    // KV capacity from memory: 4 x 80 GiB x 0.9 minus the weights, over the KV bytes per token (in 16-token blocks).
    const arch = loadArchitecture(join(SHIPPED_PROFILES_DIR, 'models/llama-2-70b.yaml')).architecture;
    const tokens = Math.floor((4 * 85899345920 * 0.9 - weightBytes(arch)) / kvBytesPerToken(arch));
    expect(res.summary.devices[0]!.kvCapacityTokens).toBe(Math.floor(tokens / 16) * 16);
    expect(res.summary.requests.finished).toBe(40);
  });

  it('says which id is unknown, and refuses profile together with model', () => {
    expect(errorOf(() => prepareRun(loadScenario(scenario('      model: llama-9\n      hardware: h100-sxm5-80gb'))))).toMatch(/cluster\.devices\[0\]\.model: expected a model id of profiles\/models\/, found unknown "llama-9" \(closest: /);
    expect(errorOf(() => loadScenario(scenario('      profile: x.yaml\n      model: llama-2-7b\n      hardware: h100-sxm5-80gb')))).toMatch(/expected either profile or model \+ hardware, not both/);
    expect(errorOf(() => loadScenario(scenario('      model: llama-2-7b')))).toMatch(/hardware: expected both model and hardware/);
  });
});
