import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { captureCli } from '../support/cli.js';
import { repoFile, sweepScenario, tempDir } from '../sweep/fixtures.js';

/**
 * deploy/k8s/ and the Dockerfile, without a cluster or a Docker engine (neither is on this
 * project's machines): the manifests agree with each other and with the image, and the shell
 * commands the pods run, executed here with the variables Kubernetes and the manifests set, give a
 * merged sweep byte-identical to an unsharded one. The Dockerfile is linted.
 */
type Container = { name: string; image: string; workingDir: string; env: { name: string; value: string }[]; command: string[]; args: string[]; resources: { requests: Record<string, string>; limits: Record<string, string> }; volumeMounts: { name: string; mountPath: string }[] };
type Job = { kind: string; metadata: { name: string }; spec: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: { containers: Container[]; volumes: { name: string; persistentVolumeClaim: { claimName: string } }[] } } } };
const load = (f: string) => parseAllDocuments(readFileSync(repoFile(`deploy/k8s/${f}`), 'utf8')).map((d) => d.toJS()) as Job[];
const envOf = (c: Container) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));

const [sweep] = load('sweep-job.yaml');
const [merge] = load('merge-job.yaml');
const [pvc] = load('volume.yaml') as unknown as { kind: string; metadata: { name: string }; spec: { accessModes: string[] } }[];
const sweepC = sweep!.spec.template.spec.containers[0]!;
const mergeC = merge!.spec.template.spec.containers[0]!;

const dir = tempDir('k8s');
const cli = captureCli();

describe('deploy/k8s', () => {
  it('is an Indexed Job with one pod per shard, and a merge Job over the same shards and volume', () => {
    expect(sweep!.kind).toBe('Job');
    expect(sweep!.spec.completionMode).toBe('Indexed');
    const shards = Number(envOf(sweepC).LLMSIM_SHARDS);
    expect(sweep!.spec.completions).toBe(shards);
    expect(sweep!.spec.parallelism).toBe(shards);
    expect(Number(envOf(mergeC).LLMSIM_SHARDS)).toBe(shards);
    expect(envOf(mergeC).LLMSIM_OUT).toBe(envOf(sweepC).LLMSIM_OUT);
    expect(envOf(sweepC).LLMSIM_THREADS).toBe(sweepC.resources.requests.cpu);
    for (const [job, c] of [[sweep!, sweepC], [merge!, mergeC]] as const) {
      expect(c.image).toBe(sweepC.image);
      expect(c.workingDir).toBe('/opt/llmsim'); // the Dockerfile's WORKDIR: npx --no-install finds llmsim there
      expect(c.resources.requests.memory).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
      const mount = c.volumeMounts[0]!;
      expect(envOf(c).LLMSIM_OUT.startsWith(`${mount.mountPath}/`)).toBe(true);
      expect(job.spec.template.spec.volumes.find((v) => v.name === mount.name)!.persistentVolumeClaim.claimName).toBe(pvc!.metadata.name);
    }
    expect(pvc!.kind).toBe('PersistentVolumeClaim');
    expect(pvc!.spec.accessModes).toEqual(['ReadWriteMany']); // shards run on several nodes at once
  });

  it("runs the pods' commands (here, 3 shards) into a merge byte-identical to the unsharded sweep", async () => {
    expect(existsSync(repoFile('dist/cli.js')), 'dist/cli.js (npm run build)').toBe(true);
    const scenario = sweepScenario(dir, ['sweep:', '  grid:', '    workload.rateScale: [0.5, 1]', '  seeds: 2'].join('\n'), { count: 30 });
    expect(await cli.llmsim('sweep', scenario, '-o', join(dir, 'unsharded'), '-j', '1', '-q')).toBe(0);
    const out = join(dir, 'results');
    // The repository stands in for the image's /opt/llmsim; the variables are the manifests', bar paths and count.
    const sh = (c: Container, env: Record<string, string>) => {
      expect(c.command).toEqual(['sh', '-c']);
      return promisify(execFile)('sh', ['-c', c.args[0]!], { cwd: repoFile('.'), env: { ...process.env, ...envOf(c), LLMSIM_OUT: out, LLMSIM_SHARDS: '3', ...env } });
    };
    for (let i = 0; i < 3; i++) await sh(sweepC, { LLMSIM_SCENARIO: scenario, LLMSIM_THREADS: '1', JOB_COMPLETION_INDEX: String(i) });
    await sh(mergeC, {});
    for (const f of ['runs.csv', 'points.csv', 'sweep.json']) {
      const want = readFileSync(join(dir, 'unsharded', f), 'utf8');
      expect(want.length, f).toBeGreaterThan(100);
      expect(readFileSync(join(out, 'sweep', f), 'utf8'), f).toBe(want);
    }
  }, 180_000);
});

describe('Dockerfile (linted: no Docker engine here to build it)', () => {
  const text = readFileSync(repoFile('Dockerfile'), 'utf8');
  // Instructions with their arguments, continuation lines joined, comments dropped.
  const steps = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0]!, arg: l.slice(l.split(/\s+/)[0]!.length).trim() }));
  const ignored = readFileSync(repoFile('.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

  it('builds on node:20 with npm ci and the build script, and runs llmsim as a non-root user', () => {
    const known = new Set(['FROM', 'WORKDIR', 'COPY', 'RUN', 'USER', 'ENV', 'ENTRYPOINT', 'CMD', 'ARG', 'LABEL']);
    for (const s of steps) expect(known.has(s.op), `unknown or lower-case instruction ${s.op}`).toBe(true);
    expect(steps[0]!.op).toBe('FROM');
    expect(steps[0]!.arg).toMatch(/^node:20(-|$)/);
    const runs = steps.filter((s) => s.op === 'RUN').map((s) => s.arg);
    expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => r.includes('npm run build'))).toBe(true);
    // npm ci must see the lock file, and come before the sources so its layer is cached.
    const copyLock = steps.findIndex((s) => s.op === 'COPY' && s.arg.includes('package-lock.json'));
    const ci = steps.findIndex((s) => s.op === 'RUN' && /^npm ci\b/.test(s.arg));
    expect(copyLock).toBeGreaterThanOrEqual(0);
    expect(copyLock).toBeLessThan(ci);
    expect(steps.filter((s) => s.op === 'WORKDIR').at(-1)!.arg).toBe('/opt/llmsim');
    expect(steps.filter((s) => s.op === 'USER').at(-1)!.arg).not.toMatch(/^(root|0)$/);
    expect(JSON.parse(steps.find((s) => s.op === 'ENTRYPOINT')!.arg)).toEqual(['npx', '--no-install', 'llmsim']);
  });

  it('copies what `npm run build` runs before the step that runs it', () => {
    const pkg = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as { scripts: Record<string, string> };
    const build = steps.findIndex((s) => s.op === 'RUN' && s.arg.includes('npm run build'));
    const copied = steps.slice(0, build).filter((s) => s.op === 'COPY').flatMap((s) => s.arg.split(/\s+/).slice(0, -1));
    // Files the build script names (`node scripts/build.mjs`, `tsc -p tsconfig.build.json`, ...).
    const files = pkg.scripts.build!.split(/\s+/).filter((w) => /\.(m?js|json|ts)$/.test(w));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(copied.some((c) => f === c || f.startsWith(`${c.replace(/\/$/, '')}/`)), `${f} is copied before the build`).toBe(true);
  });

  it('copies only files that exist and are not excluded, and everything llmsim reads at run time', () => {
    const sources = steps.filter((s) => s.op === 'COPY').flatMap((s) => s.arg.split(/\s+/).slice(0, -1));
    for (const src of sources) {
      expect(existsSync(repoFile(src)), src).toBe(true);
      expect(ignored.includes(src), `${src} is in .dockerignore`).toBe(false);
    }
    const pkg = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as { files: string[] };
    // The package's data folders (dist is built in the image), so shipped profile names and scenarios resolve.
    const folders = pkg.files.filter((f) => !f.startsWith('dist') && existsSync(repoFile(f)) && statSync(repoFile(f)).isDirectory());
    expect(folders.length).toBeGreaterThanOrEqual(4);
    for (const f of folders) expect(sources, f).toContain(f);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist']));
  });
});
