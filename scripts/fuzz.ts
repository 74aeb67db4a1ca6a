/**
 * Long fuzz runs: N random valid scenarios (scripts/fuzz/generate.ts), each run three times and
 * checked against the invariants of scripts/fuzz/check.ts. Run from the repository root:
 *
 *   npm run fuzz -- 10000               # 10,000 scenarios from a fresh seed (printed)
 *   npm run fuzz -- 10000 --seed 7      # the same 10,000 scenarios every time
 *   npm run fuzz -- --seed 7 --case 42  # replay one case: its YAML, then its result
 *   npm run fuzz -- 500 --out DIR       # where failing scenarios go (default fuzz-failures/)
 *
 * Prints progress, then `N scenarios, C crashes, V violations`; exits 1 if C + V > 0. Each
 * failing case is written to DIR/seed-S/case-I.yaml (runnable: npx llmsim run that file) with
 * what failed in case-I.txt.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { caseYaml, runCase, type CaseResult } from './fuzz/check.js';
import { REPO } from './fuzz/catalog.js';
import { generateCase, type FuzzCase } from './fuzz/generate.js';
import { loadPolicies, policies } from '../src/policies/registry.js';

interface Options {
  count: number;
  seed: number;
  seedGiven: boolean;
  only?: number;
  out: string;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { count: 1000, seed: 0, seedGiven: false, out: 'fuzz-failures' };
  const int = (flag: string, text: string | undefined, min: number) => {
    const n = Number(text);
    if (text === undefined || !Number.isInteger(n) || n < min) usage(`${flag}: expected an integer >= ${min}, found ${text ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seed') {
      o.seed = int('--seed', argv[++i], 0);
      o.seedGiven = true;
    } else if (a === '--case') o.only = int('--case', argv[++i], 0);
    else if (a === '--out') o.out = argv[++i] ?? usage('--out: expected a directory');
    else if (a === '-h' || a === '--help') usage();
    else if (/^\d+$/.test(a)) o.count = int('N', a, 1);
    else usage(`unknown argument ${a}`);
  }
  if (o.only !== undefined && !o.seedGiven) usage('--case: give the --seed of the run it comes from');
  if (!o.seedGiven) o.seed = Math.floor(Math.random() * 2 ** 31);
  return o;
}

function usage(problem?: string): never {
  if (problem) process.stderr.write(`fuzz: ${problem}\n`);
  process.stderr.write('usage: npm run fuzz -- [N] [--seed S] [--case I] [--out DIR]\n');
  process.exit(2);
}

/** The case's scenario with its repository-relative paths rewritten relative to `dir` (where it is saved). */
function scenarioIn(c: FuzzCase, dir: string): Record<string, unknown> {
  const s = structuredClone(c.scenario);
  const rebase = (p: string) => relative(dir, resolve(REPO, p)).split('\\').join('/');
  const w = s.workload;
  if (w.trace) w.trace.path = rebase(w.trace.path);
  for (const part of ['prompt', 'output']) if (w.synthetic?.[part]?.dist === 'empirical') w.synthetic[part].path = rebase(w.synthetic[part].path);
  for (const d of s.cluster.devices) {
    // A profile with no "/" and no suffix is a shipped profile's name, not a path.
    for (const f of ['profile', 'coefficientsFrom']) if (typeof d[f] === 'string' && /[/\\]|\.(ya?ml|json)$/.test(d[f])) d[f] = rebase(d[f]);
    if (d.kind === 'edge-pipeline') d.model = rebase(d.model);
  }
  return s;
}

function save(dir: string, c: FuzzCase, r: CaseResult): void {
  mkdirSync(dir, { recursive: true });
  const header = `# llmsim fuzz case: seed ${c.seed}, index ${c.index}; replay: npm run fuzz -- --seed ${c.seed} --case ${c.index}\n`;
  writeFileSync(join(dir, `case-${c.index}.yaml`), header + stringify(scenarioIn(c, dir), { lineWidth: 0 }));
  writeFileSync(join(dir, `case-${c.index}.txt`), `${r.status}${r.inputError ? ' (input error: a generator bug)' : ''}\n${r.messages.join('\n')}\n`);
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  if (o.only !== undefined) {
    const c = generateCase(o.seed, o.only);
    process.stdout.write(caseYaml(c));
    const r = runCase(c);
    process.stdout.write(`\n${r.status} (${r.requests ?? '?'} requests)\n${r.messages.join('\n')}\n`);
    process.exit(r.status === 'ok' ? 0 : 1);
  }
  const dir = resolve(o.out, `seed-${o.seed}`);
  process.stdout.write(`fuzz: ${o.count} scenarios, seed ${o.seed}${o.seedGiven ? '' : ' (drawn; pass --seed to repeat)'}\n`);
  const t0 = Date.now();
  let crashes = 0, violations = 0, inputErrors = 0, requests = 0;
  let lastPrint = t0;
  const outcomes = new Map<string, number>();
  for (let i = 0; i < o.count; i++) {
    let c: FuzzCase;
    let r: CaseResult;
    try {
      c = generateCase(o.seed, i);
    } catch (err) {
      // The generator consults llmsim's workload builder: a failure there is the simulator's too.
      crashes++;
      process.stdout.write(`case ${i}: the generator failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      continue;
    }
    r = runCase(c);
    requests += r.requests ?? 0;
    for (const o of r.outcomes ?? []) outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    if (r.status !== 'ok') {
      if (r.status === 'crash') crashes++;
      else violations++;
      if (r.inputError) inputErrors++;
      save(dir, c, r);
      process.stdout.write(`case ${i}: ${r.status}${r.inputError ? ' (input error: generator bug)' : ''}: ${r.messages[0]!.split('\n')[0]}\n`);
    }
    const now = Date.now();
    if (now - lastPrint >= 5000 || i === o.count - 1) {
      lastPrint = now;
      process.stdout.write(`  ${i + 1}/${o.count} scenarios, ${crashes} crashes, ${violations} violations, ${requests} requests, ${((now - t0) / 1000).toFixed(1)} s\n`);
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  if (crashes + violations > 0) process.stdout.write(`failing scenarios written to ${dir}${inputErrors > 0 ? ` (${inputErrors} input errors: generator bugs)` : ''}\n`);
  process.stdout.write(`scenarios in which requests ${[...outcomes].sort().map(([o, k]) => `${o} ${k}`).join(', ')}\n`);
  process.stdout.write(`wall time ${seconds.toFixed(1)} s, ${requests} requests simulated (each scenario run 3 times)\n`);
  process.stdout.write(`${o.count} scenarios, ${crashes} crashes, ${violations} violations\n`);
  process.exit(crashes + violations > 0 ? 1 : 0);
}

// Cases run policies synchronously: load every policy's solver first.
await loadPolicies(policies.map((p) => p.name));
main();
