import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoFile, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';

/**
 * `llmsim capacity` against a brute-force `llmsim sweep` of the same scenario: the sweep runs every
 * replica count (or rate) of a grid with the same seeds, and the answer is read from its
 * points.csv by hand (the smallest count whose mean p90 E2E meets the target). The search must
 * land on the same answer while running fewer points.
 */
const dir = tempDir('capacity-sweep');
const io = captureCli(dir);
const { llmsim } = io;

function scenario(grid: string): string {
  const text = [
    'name: tiny',
    'seed: 5',
    'workload:',
    '  synthetic:',
    '    count: 300',
    '    arrival: { process: poisson, rateRps: 1 }',
    '    prompt: { dist: uniform, min: 50, max: 400 }',
    '    output: { dist: uniform, min: 20, max: 200 }',
    'cluster:',
    '  devices:',
    '    - name: a100',
    '      kind: slots',
    `      profile: ${repoFile('profiles/wilkins/llama-2-7b-a100.yaml')}`,
    '      replicas: 4',
    '      slots: 2',
    'policy: { name: fifo }',
    'sweep:',
    '  grid:',
    `    ${grid}`,
    '  seeds: 3',
    '',
  ].join('\n');
  const file = join(dir, `s-${grid.length}.yaml`);
  writeFileSync(file, text);
  return file;
}

function csvRows(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const keys = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}

const TARGET_S = 25;

describe('llmsim capacity prices its answer', () => {
  it("at the scenario's fleet.groups.<name>.pricePerGpuHour: GPUs x price", async () => {
    const source = scenario('cluster.devices[0].replicas: [1, 2]');
    const priced = join(dir, 'priced.yaml');
    writeFileSync(priced, readFileSync(source, 'utf8').replace('policy: { name: fifo }', 'policy: { name: fifo }\nfleet:\n  groups:\n    a100: { pricePerGpuHour: 2.5 }'));
    const out = join(dir, 'cap-priced');
    expect(await llmsim('capacity', priced, '--rate', '1', '--target', `e2e.p90=${TARGET_S}`, '--max-replicas', '10', '--seeds', '1', '-o', out, '-j', '1', '-q')).toBe(0);
    const [row] = csvRows(join(out, 'capacity.csv'));
    expect(Number(row!.gpus)).toBeGreaterThan(0);
    expect(Number(row!.gpus)).toBe(Number(row!.replicas) * Number(row!.gpus_per_replica));
    expect(Number(row!.usd_per_hour)).toBe(Number(row!.gpus) * 2.5);
  });
});

describe('llmsim capacity finds what a brute-force sweep finds', () => {
  let replicasScenario: string;
  let rateScenario: string;
  beforeAll(() => {
    replicasScenario = scenario('cluster.devices[0].replicas: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]');
    rateScenario = scenario('workload.synthetic.arrival.rateRps: [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3]');
  });

  it('fewest replicas for a rate', async () => {
    expect(await llmsim('sweep', replicasScenario, '-o', join(dir, 'sweep-r'), '-j', '2', '-q')).toBe(0);
    const points = csvRows(join(dir, 'sweep-r', 'points.csv'));
    const passing = points.filter((p) => Number(p['latency.e2eS.p90.mean']) <= TARGET_S).map((p) => Number(p['cluster.devices[0].replicas']));
    const brute = Math.min(...passing);
    // The case is not trivial: some counts fail, and passing is monotone over the whole grid.
    expect(brute).toBeGreaterThan(2);
    expect(brute).toBeLessThan(10);
    expect(passing).toEqual(Array.from({ length: 11 - brute }, (_, k) => brute + k));

    const out = join(dir, 'cap-r');
    expect(await llmsim('capacity', replicasScenario, '--rate', '1', '--target', `e2e.p90=${TARGET_S}`, '--max-replicas', '10', '-o', out, '-j', '2', '-q')).toBe(0);
    const [row] = csvRows(join(out, 'capacity.csv'));
    expect(row!.replicas).toBe(String(brute));
    expect(row!.failed_neighbour).toBe(String(brute - 1));
    expect(row!.usd_per_hour).toBe(''); // the scenario gives no price
    expect(row!.monotone).toBe('yes');
    expect(Number(row!.probes)).toBeLessThan(10);
    // Every probe agrees with the sweep's point of the same replica count, mean for mean.
    for (const p of csvRows(join(out, 'probes.csv'))) {
      const point = points.find((q) => q['cluster.devices[0].replicas'] === p.replicas)!;
      expect(p['e2e.p90.mean']).toBe(point['latency.e2eS.p90.mean']);
    }
    // The report draws the search: one chart for the one target, with a point per probe.
    const html = join(dir, 'report.html');
    expect(await llmsim('report', out, '-o', html, '-q')).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Capacity search: tiny');
    expect(page).toContain('capacity-0-0');
    expect(page.match(/aria-roledescription="point"/g)).toHaveLength(csvRows(join(out, 'probes.csv')).length);
  }, 120_000);

  it('gives the same files with -j 1, and resumes from a cut journal running only what is missing', async () => {
    const args = ['capacity', replicasScenario, '--rate', '1', '--target', `e2e.p90=${TARGET_S}`, '--max-replicas', '10', '-q'];
    const ref = join(dir, 'cap-r');
    const one = join(dir, 'cap-r-j1');
    expect(await llmsim(...args, '-o', one, '-j', '1')).toBe(0);
    for (const f of ['capacity.csv', 'probes.csv', 'capacity.json']) expect(readFileSync(join(one, f), 'utf8'), f).toBe(readFileSync(join(ref, f), 'utf8'));
    // Keep the header and the first 4 runs, plus a torn line, as a kill would leave them.
    const journal = join(one, 'journal.jsonl');
    const lines = readFileSync(journal, 'utf8').split('\n');
    writeFileSync(journal, `${lines.slice(0, 5).join('\n')}\n{"run": 9`);
    expect(await llmsim(...args.filter((a) => a !== '-q'), '-o', one, '-j', '2')).toBe(0);
    const total = lines.length - 2; // header and the trailing newline
    expect(io.out).toContain(`ran ${total - 4} simulation(s)`);
    expect(io.out).toContain('4 resumed from the journal');
    for (const f of ['capacity.csv', 'probes.csv']) expect(readFileSync(join(one, f), 'utf8'), f).toBe(readFileSync(join(ref, f), 'utf8'));
  }, 120_000);

  it('highest rate for a replica count, within the tolerance', async () => {
    expect(await llmsim('sweep', rateScenario, '-o', join(dir, 'sweep-q'), '-j', '2', '-q')).toBe(0);
    const points = csvRows(join(dir, 'sweep-q', 'points.csv')).map((p) => ({ rate: Number(p['workload.synthetic.arrival.rateRps']), pass: Number(p['latency.e2eS.p90.mean']) <= TARGET_S }));
    const lastPass = Math.max(...points.filter((p) => p.pass).map((p) => p.rate));
    const firstFail = Math.min(...points.filter((p) => !p.pass).map((p) => p.rate));
    expect(lastPass).toBeLessThan(firstFail); // monotone on the grid, and the answer inside it
    const out = join(dir, 'cap-q');
    expect(await llmsim('capacity', rateScenario, '--target', `e2e.p90=${TARGET_S}`, '--tolerance', '0.01', '-o', out, '-j', '2', '-q')).toBe(0);
    const [row] = csvRows(join(out, 'capacity.csv'));
    const answer = Number(row!.rate), failed = Number(row!.failed_neighbour);
    expect(row!.status).toBe('ok');
    expect(row!.replicas).toBe('4');
    // The search's bracket [answer, failed] lies inside the sweep's [lastPass, firstFail] and is tight.
    expect(answer).toBeGreaterThanOrEqual(lastPass);
    expect(failed).toBeLessThanOrEqual(firstFail);
    expect((failed - answer) / answer).toBeLessThanOrEqual(0.01);
  }, 120_000);
});
