import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SHIPPED_PROFILES_DIR, isProfileName } from '../../src/profiles/catalog.js';
import { loadScenario, prepareRun, resolvedScenarioText } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { errorOf } from '../support/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Outside the repository, so a name cannot be found relative to the scenario by accident.
const dir = mkdtempSync(join(tmpdir(), 'llmsim-profile-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small scenario with a batching and a slots device, their profiles given as written. */
function scenarioText(batching: string, slots: string): string {
  return `name: names
seed: 3
workload:
  synthetic:
    count: 120
    arrival: { process: poisson, rateRps: 2 }
    prompt: { dist: uniform, min: 64, max: 1024 }
    output: { dist: uniform, min: 16, max: 256 }
cluster:
  devices:
    - name: h100
      kind: continuous-batching
      profile: ${batching}
    - name: a100
      kind: slots
      profile: ${slots}
      slots: 2
policy: { name: fifo, params: { routing: least-loaded } }
`;
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('a device entry may name a shipped profile', () => {
  it('a name and the path of the same file give identical summaries', () => {
    const byPath = write('path.yaml', scenarioText(resolve(root, 'profiles/splitwise/llama2-70b-h100-tp4.yaml'), resolve(root, 'profiles/wilkins/llama-2-7b-a100.yaml')));
    const byName = write('name.yaml', scenarioText('splitwise-llama2-70b-h100-tp4', 'wilkins-llama-2-7b-a100'));
    const a = runScenario(loadScenario(byPath)).summary;
    const b = runScenario(loadScenario(byName)).summary;
    expect(a.requests.finished).toBeGreaterThan(100);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('the resolved scenario keeps the name (it resolves the same from any directory)', () => {
    const loaded = loadScenario(write('keep.yaml', scenarioText('splitwise-llama2-70b-h100-tp4', 'wilkins-llama-2-7b-a100')));
    const text = resolvedScenarioText(loaded, join(dir, 'elsewhere'));
    expect(text).toContain('profile: splitwise-llama2-70b-h100-tp4\n');
    expect(text).toContain('profile: wilkins-llama-2-7b-a100\n');
  });

  it('an unknown name is one input error at its line, with the closest names', () => {
    const file = write('typo.yaml', scenarioText('splitwise-llama2-70b-h100-tp3', 'wilkins-llama-2-7b-a100'));
    expect(errorOf(() => prepareRun(loadScenario(file)))).toBe(
      `${file}:13:16: cluster.devices[0].profile: expected the name of a shipped profile, found unknown "splitwise-llama2-70b-h100-tp3" ` +
        '(closest: "splitwise-llama2-70b-h100-tp2", "splitwise-llama2-70b-h100-tp4", "splitwise-llama2-70b-h100-tp8"); ' +
        '`llmsim profiles` lists them, and a value with "/" or a .yaml/.json suffix is read as a file path',
    );
    // Part of a name finds the names that contain it first.
    const part = write('part.yaml', scenarioText('splitwise-llama2-70b-h100-tp4', 'llama-2-70b-a100'));
    expect(errorOf(() => prepareRun(loadScenario(part)))).toMatch(/:16:16: cluster\.devices\[1\]\.profile: expected the name of a shipped profile, found unknown "llama-2-70b-a100" \(closest: "wilkins-llama-2-70b-a100", /);
  });

  it('a named profile of the wrong form for the kind is reported as for a path', () => {
    const file = write('form.yaml', scenarioText('splitwise-llama2-70b-h100-tp4', 'splitwise-llama2-70b-a100-tp4'));
    expect(errorOf(() => prepareRun(loadScenario(file)))).toBe(
      `${file}:16:16: cluster.devices[1].profile: expected a profile of form "bilinear" for this device kind, found "iteration" in splitwise-llama2-70b-a100-tp4`,
    );
  });

  it('paths stay paths: a "/" or a .yaml/.yml/.json suffix makes a value a path', () => {
    for (const name of ['splitwise-llama2-70b-h100-tp4', 'mlenergy-lm-arena-chat-llama-3.1-8b-instruct-h100-x1']) expect(isProfileName(name), name).toBe(true);
    for (const path of ['llama.yaml', 'llama.yml', 'llama.JSON', './llama', '../profiles/x', 'C:\\profiles\\x', '/abs/x']) expect(isProfileName(path), path).toBe(false);
    // A missing file given as a path is still reported as a missing file, not as an unknown name.
    const file = write('missing.yaml', scenarioText('no-such-dir/llama.yaml', 'wilkins-llama-2-7b-a100'));
    expect(errorOf(() => prepareRun(loadScenario(file)))).toBe(`${file}:13:16: cluster.devices[0].profile: expected an existing file, found none at ${join(dir, 'no-such-dir/llama.yaml')}`);
  });

  it('names are looked up in the package, not the working directory', () => {
    expect(SHIPPED_PROFILES_DIR).toBe(join(root, 'profiles'));
    // A CLI started elsewhere (here: in the temporary directory) finds the same profile.
    const scenario = write('cwd.yaml', scenarioText('splitwise-llama2-70b-h100-tp4', 'wilkins-llama-2-7b-a100'));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const out = join(dir, 'cwd-out');
    const run = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli.ts'), 'run', scenario, '-q', '-o', out], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const inProcess = runScenario(loadScenario(scenario)).summary;
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).requests).toEqual(JSON.parse(JSON.stringify(inProcess.requests)));
  });
});
