/**
 * Random valid scenarios for the fuzz test: scenario data as a user would write it (checked by
 * checkScenario), covering every device kind and scheduler mode, every registered policy with its
 * parameters, every workload form and transformation, and profiles of every form.
 *
 * A case is fixed by (seed, index) and the repository's profiles and traces: generateCase(seed, i)
 * always returns the same scenario on the same commit, so a failure is replayed from two numbers,
 * or on any commit from the YAML the harness prints. Scenarios stay
 * small (at most a few hundred requests, short outputs) so that hundreds run in seconds.
 *
 * Every path in a scenario is relative to the repository root (its baseDir). The generator knows
 * what each device group can do (which profiles have energy, accuracy, noise; which kinds give
 * policies service estimates) and only combines what is valid. Whether a window or a duration
 * yields any request depends on the random draws, so for those the generator looks at the request
 * stream llmsim builds (see settle()) and places windows around real arrivals.
 */
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { checkScenario, prepareRun } from '../../src/scenario/load.js';
import { buildWorkload } from '../../src/workload/index.js';
import type { Request } from '../../src/workload/request.js';
import { edgeModels, fixtureProfiles, ids, REPO, repoPath, shippedProfiles, TRACES, type ProfileInfo, type TraceInfo } from './catalog.js';
import { Rng, sig } from './rng.js';

/** What the generator knows about one device group (the checker's expectations). */
export interface GroupInfo {
  readonly name: string;
  readonly kind: string;
  /** Model its replicas serve. */
  readonly model: string;
  /** The profile (or edge model) gives power or energy: energy must be a finite number. */
  readonly energyKnown: boolean;
  /** Requests one replica serves at once when it serves them whole (slots, edge-pipeline); 0 for batching kinds. */
  readonly capacity: number;
  /** Replicas of the group. */
  readonly replicas: number;
  /** Where the profile came from, for coverage counts: e.g. "shipped:iteration", "fixture:bilinear", "model+hardware", "edge". */
  readonly source: string;
  /** Prefix caching can serve prompt tokens from the cache (continuous batching, caching on, not legacy). */
  readonly caches: boolean;
}

/** One generated scenario. */
export interface FuzzCase {
  readonly seed: number;
  readonly index: number;
  /** Scenario data; relative paths are relative to the repository root. */
  readonly scenario: Record<string, any>;
  readonly groups: readonly GroupInfo[];
  /** Labels of the features drawn (device kinds, modes, policy, workload forms, ...), for coverage counts. */
  readonly features: string[];
}

/** Where a case's scenario resolves relative paths (and the file name its errors carry). */
export function caseLocation(c: Pick<FuzzCase, 'seed' | 'index'>): { file: string; baseDir: string } {
  return { file: join(REPO, `fuzz-${c.seed}-${c.index}.yaml`), baseDir: REPO };
}

const POLICIES = ['fifo', 'random', 'round-robin', 'least-loaded', 'sjf-oracle', 'uncertainty-priority', 'wilkins-offline', 'wilkins-online', 'wilkins-threshold', 'carbon-aware', 'prefix-affinity', 'weighted'] as const;
type PolicyName = (typeof POLICIES)[number];
const SCHEDULERS = ['vllm-v1', 'sarathi', 'prefill-first', 'legacy'] as const;
const STRATEGIES = ['sti', 'hold-in-memory', 'load-then-execute', 'layerwise'] as const;
/** Model names of requests that no device serves (they must be rejected). */
const UNSERVED_MODEL = 'no-such-model';

/** What the policy needs of the cluster. */
interface Needs {
  /** Every replica must give service estimates (no edge-pipeline). */
  estimates: boolean;
  /** Every group must know its energy. */
  energy: boolean;
  /** Every group must be slots with a leaderboard accuracy. */
  accuracy: boolean;
}

/** Builds scenario i of `seed`. Pure apart from reading the repository's profiles and traces. */
export function generateCase(seed: number, index: number): FuzzCase {
  const rng = new Rng(`llmsim-fuzz:${seed}:${index}`);
  const features: string[] = [];
  const policyName = rng.pick(POLICIES);
  const objective = policyName.startsWith('wilkins-') && policyName !== 'wilkins-threshold' ? rng.pick(['accuracy', 'runtime'] as const) : undefined;
  const sjfKey = policyName === 'sjf-oracle' ? rng.pick(['service-time', 'output-tokens'] as const) : undefined;
  const needs: Needs = {
    estimates: policyName === 'uncertainty-priority' || objective !== undefined || sjfKey === 'service-time',
    energy: objective !== undefined,
    accuracy: objective === 'accuracy',
  };
  // P/D disaggregation for the policies that route any replica set (prefill replicas are the entry points).
  const pd = (PD_POLICIES as readonly string[]).includes(policyName) && rng.chance(0.15);
  const cluster = pd ? genPdCluster(rng, needs, features) : genCluster(rng, needs, policyName, features);
  const workload = genWorkload(rng, cluster, features);
  const scenarioSeed = rng.int(0, 2 ** 32 - 1);
  const scenario: Record<string, any> = {
    name: `fuzz-${seed}-${index}`,
    seed: scenarioSeed,
    workload: workload.spec,
    cluster: { devices: cluster.entries, ...(cluster.disaggregation && { disaggregation: cluster.disaggregation }) },
    policy: { name: policyName, params: {} },
  };
  if (rng.chance(0.5)) scenario.slo = genSlo(rng);
  if (rng.chance(0.2)) scenario.output = { requests: rng.chance(0.5) };
  const c: FuzzCase = { seed, index, scenario, groups: cluster.groups, features };
  settle(c, rng, workload, { policyName, objective, sjfKey });
  features.push(`policy:${scenario.policy.name}`);
  // Drawn last, so adding them left every earlier draw (and so the other cases' scenarios) as it was.
  if (rng.chance(0.2)) genClasses(rng, scenario, features);
  if (rng.chance(0.25)) genKvTiers(rng, scenario, features);
  return c;
}

/**
 * KV tiers on the continuous-batching groups that take them (no P/D role, not legacy): a CPU tier
 * from a few blocks to plenty, a slow or fast link, swap or recompute, prefix offload where the
 * group caches prefixes, often a small GPU cache. KV bytes per token are always given (not every
 * profile has them).
 */
function genKvTiers(rng: Rng, scenario: Record<string, any>, features: string[]): void {
  for (const d of scenario.cluster.devices) {
    if (d.kind !== 'continuous-batching' || d.role !== undefined || d.scheduler === 'legacy' || !rng.chance(0.7)) continue;
    const bytesPerToken = rng.logInt(1000, 1_000_000);
    const cpu: Record<string, any> = { capacityGiB: (rng.logInt(1, 100_000) * bytesPerToken) / 2 ** 30 };
    if (rng.chance(0.7)) cpu.pcieGBps = rng.pick([0.01, 1, 32, 64]);
    if (rng.chance(0.5)) cpu.latencyS = rng.pick([0, 1e-5, 0.01]);
    const tiers: Record<string, any> = { cpu, kvBytesPerToken: bytesPerToken };
    if (rng.chance(0.6)) tiers.preemptionMode = rng.pick(['swap', 'recompute']);
    if (d.prefixCaching !== false && rng.chance(0.6)) tiers.prefixOffload = true;
    d.kvTiers = tiers;
    // Often a small GPU cache too, so that sequences are preempted (swapped) and prefix blocks evicted.
    if (rng.chance(0.5)) d.kvCapacityTokens = rng.logInt(256, 8000);
    features.push(`kvTiers:${tiers.preemptionMode ?? 'swap'}`, ...(tiers.prefixOffload ? ['kvTiers:prefixOffload'] : []));
  }
}

/** Request classes (a mix, priorities, SLOs, token buckets), a queue limit, priority preemption. */
function genClasses(rng: Rng, scenario: Record<string, any>, features: string[]): void {
  const names = ['gold', 'silver', 'bronze'].slice(0, rng.int(1, 3));
  if (!scenario.workload.sessions || rng.chance(0.5)) scenario.workload.classMix = Object.fromEntries(names.map((n) => [n, rng.logFloat(0.1, 10)]));
  const classes: Record<string, any> = {};
  for (const n of [...names, ...(rng.chance(0.3) ? ['default'] : [])]) {
    const c: Record<string, any> = {};
    if (rng.chance(0.7)) c.priority = rng.int(-2, 2);
    if (rng.chance(0.4)) c.slo = genSlo(rng);
    if (rng.chance(0.4)) c.rateLimit = { rateRps: rng.logFloat(0.01, 100), burst: rng.logInt(1, 20) };
    classes[n] = c;
  }
  scenario.classes = classes;
  features.push('classes');
  if (rng.chance(0.4)) {
    scenario.admission = { maxQueue: rng.logInt(1, 100) - 1 };
    features.push('admission:maxQueue');
  }
  for (const d of scenario.cluster.devices) {
    if (d.kind === 'continuous-batching' && rng.chance(0.5)) {
      d.priorityPreemption = true;
      features.push('priorityPreemption');
    }
  }
}

// ---------------------------------------------------------------- cluster

interface Cluster {
  entries: Record<string, any>[];
  groups: GroupInfo[];
  /** P/D: the cluster.disaggregation block. */
  disaggregation?: Record<string, any>;
}

const PD_POLICIES = ['fifo', 'random', 'round-robin', 'least-loaded', 'sjf-oracle'] as const;

/**
 * A P/D cluster: a prefill and a decode continuous-batching group of one model (the decode group
 * copies the prefill group's profile, with its own replicas, scheduler, batch and KV limits), and
 * a random link. KV bytes per token are given when the profile has no memory block.
 */
function genPdCluster(rng: Rng, needs: Needs, features: string[]): Cluster {
  const entries: Record<string, any>[] = [];
  const groups: GroupInfo[] = [];
  let memory = true;
  for (const [name, role] of [['pre', 'prefill'], ['dec', 'decode']] as const) {
    const drawn = genBatching(rng, name, 'continuous-batching', needs);
    if (role === 'decode') {
      // The prefill group's model: its profile reference (or model + hardware), with this group's own settings.
      for (const k of ['profile', 'model', 'hardware', 'tensorParallel', 'pipelineParallel', 'coefficientsFrom', 'noise']) delete drawn.entry[k];
      for (const k of ['profile', 'model', 'hardware', 'tensorParallel', 'pipelineParallel', 'coefficientsFrom', 'noise']) if (entries[0]![k] !== undefined) drawn.entry[k] = entries[0]![k];
      Object.assign(drawn.info, { model: groups[0]!.model, energyKnown: groups[0]!.energyKnown, source: groups[0]!.source });
    } else memory = drawn.memory;
    if (drawn.entry.scheduler === 'legacy') drawn.entry.scheduler = rng.pick(SCHEDULERS.filter((m) => m !== 'legacy'));
    drawn.entry.role = role;
    entries.push(drawn.entry);
    groups.push({ ...drawn.info, caches: false });
    features.push(`kind:continuous-batching`, `scheduler:${drawn.entry.scheduler ?? 'vllm-v1'}`);
  }
  const link: Record<string, any> = { bandwidthBytesPerS: rng.pick([1e6, 1e8, 1e10, 5e10]) };
  if (rng.chance(0.6)) link.latencyS = rng.pick([0, 1e-4, 0.01]);
  if (rng.chance(0.7)) link.scope = rng.pick(['per-prefill-replica', 'per-decode-replica', 'shared']);
  const disaggregation: Record<string, any> = { link };
  if (rng.chance(0.5)) disaggregation.decodeRouting = rng.pick(['least-loaded', 'round-robin']);
  if (!memory || rng.chance(0.2)) disaggregation.kvBytesPerToken = rng.logInt(1000, 1_000_000);
  features.push('disaggregation', `link:${link.scope ?? 'per-prefill-replica'}`);
  return { entries, groups, disaggregation };
}

function genCluster(rng: Rng, needs: Needs, policy: PolicyName, features: string[]): Cluster {
  const count = policy === 'wilkins-threshold' ? rng.int(1, 3) : rng.weighted([[1, 4], [2, 3], [3, 2], [4, 1]] as const);
  const names = groupNames(rng, count);
  const entries: Record<string, any>[] = [];
  const groups: GroupInfo[] = [];
  for (const name of names) {
    const kinds: [string, number][] = needs.accuracy
      ? [['slots', 1]]
      : [['continuous-batching', 5], ['slots', 2], ['static-batching', 2], ...(needs.estimates ? [] : ([['edge-pipeline', 1.5]] as [string, number][]))];
    const kind = rng.weighted(kinds);
    const { entry, info } = kind === 'slots' ? genSlots(rng, name, needs) : kind === 'edge-pipeline' ? genEdge(rng, name) : genBatching(rng, name, kind, needs);
    entries.push(entry);
    groups.push(info);
    features.push(`kind:${kind}`, `profile:${info.source}`);
    if (kind === 'continuous-batching') {
      features.push(`scheduler:${entry.scheduler ?? 'vllm-v1'}`, `prefixCaching:${entry.prefixCaching === false ? 'off' : 'on'}`, `chunkedPrefill:${entry.chunkedPrefill === false ? 'off' : 'on'}`);
      features.push(`fastForward:${entry.fastForward === false ? 'off' : 'on'}`);
    }
    if (kind === 'edge-pipeline') features.push(`strategy:${entry.strategy ?? 'sti'}`);
    if (entry.kvCapacityTokens !== undefined) features.push('kvCapacityTokens');
    if (kind !== 'edge-pipeline') features.push(`noise:${kind}:${entry.noise ? 'on' : 'off'}`);
  }
  if (groups.length > 1 && new Set(groups.map((g) => g.kind)).size > 1) features.push('mixed-cluster');
  return { entries, groups };
}

function groupNames(rng: Rng, count: number): string[] {
  const pool = ['gpu', 'cpu', 'edge', 'h100', 'a100', 'small', 'large', 'g-0', 'g.1', 'g_2'];
  const names: string[] = [];
  while (names.length < count) {
    const n = rng.pick(pool);
    if (!names.includes(n)) names.push(n);
  }
  return names;
}

/** A shipped or fixture profile of one of `forms` that meets `needs`; its reference as a scenario writes it. */
function pickProfile(rng: Rng, forms: readonly ProfileInfo['form'][], needs: Needs): { info: ProfileInfo; ref: string; source: string } {
  const fixture = rng.chance(0.35);
  const ok = (p: ProfileInfo) => forms.includes(p.form) && (!needs.energy || p.energyKnown) && (!needs.accuracy || p.accuracy);
  let pool = (fixture ? fixtureProfiles() : shippedProfiles()).filter(ok);
  if (pool.length === 0) pool = [...fixtureProfiles(), ...shippedProfiles()].filter(ok);
  const info = rng.pick(pool);
  const isFixture = fixtureProfiles().includes(info);
  // A shipped profile by name (looked up in the package) or by path; fixtures by path.
  const ref = !isFixture && rng.chance(0.5) ? info.name : repoPath(info.file);
  return { info, ref, source: `${isFixture ? 'fixture' : 'shipped'}:${info.form}` };
}

function genSlots(rng: Rng, name: string, needs: Needs): { entry: Record<string, any>; info: GroupInfo } {
  const { info: p, ref, source } = pickProfile(rng, ['bilinear'], needs);
  const entry: Record<string, any> = { name, kind: 'slots', profile: ref };
  const replicas = rng.chance(0.4) ? 1 : rng.int(1, 3);
  if (replicas !== 1 || rng.chance(0.5)) entry.replicas = replicas;
  const slots = rng.chance(0.3) ? 1 : rng.int(1, 6);
  if (slots !== 1 || rng.chance(0.5)) entry.slots = slots;
  if (p.noise && rng.chance(0.6)) entry.noise = true;
  else if (rng.chance(0.2)) entry.noise = false;
  return { entry, info: { name, kind: 'slots', model: p.model, energyKnown: p.energyKnown, capacity: slots, replicas, source, caches: false } };
}

/** Model + hardware combinations known to build (weights fit; an interconnect for tensor parallel). */
const MODEL_HARDWARE_OK = new Map<string, boolean>();

function genBatching(rng: Rng, name: string, kind: string, needs: Needs): { entry: Record<string, any>; info: GroupInfo; memory: boolean } {
  const entry: Record<string, any> = { name, kind };
  let model: string;
  let energyKnown: boolean;
  let noise = false;
  let source: string;
  let memory = true;
  if (kind === 'continuous-batching' && rng.chance(0.2)) {
    // model + hardware: the transformer form with calibrated coefficients (energy from TDP).
    const combo = modelHardware(rng);
    Object.assign(entry, combo);
    model = combo.model;
    energyKnown = true;
    source = 'model+hardware';
  } else {
    const forms: ProfileInfo['form'][] = rng.weighted([
      [['iteration'], 5],
      [['roofline'], 2],
      [['transformer'], 2],
    ] as const);
    const picked = pickProfile(rng, forms, needs);
    entry.profile = picked.ref;
    model = picked.info.model;
    energyKnown = picked.info.energyKnown;
    noise = picked.info.noise;
    memory = picked.info.memory;
    source = picked.source;
  }
  const replicas = rng.chance(0.4) ? 1 : rng.int(1, 3);
  if (replicas !== 1 || rng.chance(0.5)) entry.replicas = replicas;
  // A KV cache small enough to preempt, recompute and abort (or none at all on a profile without memory).
  if (rng.chance(memory ? 0.45 : 0.7)) entry.kvCapacityTokens = rng.chance(0.3) ? rng.logInt(16, 2000) : rng.logInt(2000, 200_000);
  if (kind === 'continuous-batching') {
    if (rng.chance(0.85)) entry.scheduler = rng.pick(SCHEDULERS);
    if (rng.chance(0.6)) entry.maxBatchSize = rng.logInt(1, 256);
    if (rng.chance(0.6)) entry.maxBatchedTokens = rng.chance(0.3) ? rng.logInt(8, 512) : rng.logInt(512, 16_384);
    if (rng.chance(0.4)) entry.chunkSize = rng.logInt(1, 2048);
    if (rng.chance(0.35)) entry.longPrefillThreshold = rng.chance(0.2) ? 0 : rng.logInt(1, 4096);
    if (rng.chance(0.4)) entry.chunkedPrefill = rng.chance(0.5);
    if (rng.chance(0.25)) entry.maxModelLen = rng.chance(0.3) ? rng.logInt(16, 512) : rng.logInt(512, 32_768);
    if (rng.chance(0.5)) entry.prefixCaching = rng.chance(0.6);
    if (rng.chance(0.5)) entry.blockSize = rng.pick([1, 2, 4, 8, 16, 32, 64, 128]);
    if (rng.chance(0.5)) entry.fastForward = rng.chance(0.5);
  } else {
    if (rng.chance(0.7)) entry.maxBatchSize = rng.logInt(1, 32);
    if (rng.chance(0.5)) entry.maxBatchedTokens = rng.chance(0.3) ? rng.logInt(1, 512) : rng.logInt(512, 65_536);
  }
  if (noise && rng.chance(0.6)) entry.noise = true;
  else if (rng.chance(0.15)) entry.noise = false;
  const caches = kind === 'continuous-batching' && entry.prefixCaching !== false && entry.scheduler !== 'legacy';
  return { entry, info: { name, kind, model, energyKnown, capacity: 0, replicas, source, caches }, memory };
}

/** A model + hardware entry that builds (checked once per combination with llmsim's builder). */
function modelHardware(rng: Rng): { model: string; hardware: string; tensorParallel?: number; pipelineParallel?: number; coefficientsFrom?: string } {
  const models = ids('models');
  const hardware = ids('hardware');
  for (;;) {
    const combo: { model: string; hardware: string; tensorParallel?: number; pipelineParallel?: number; coefficientsFrom?: string } = { model: rng.pick(models), hardware: rng.pick(hardware) };
    const tp = rng.weighted([[1, 4], [2, 2], [4, 2], [8, 1]] as const);
    const pp = rng.weighted([[1, 4], [2, 1], [4, 1]] as const);
    if (tp !== 1 || rng.chance(0.3)) combo.tensorParallel = tp;
    if (pp !== 1 || rng.chance(0.2)) combo.pipelineParallel = pp;
    if (rng.chance(0.25)) combo.coefficientsFrom = rng.pick(['vllm-0.11-llama-3.1-8b-h100-sxm5-80gb-tp1', 'profiles/transformer/llama-3.1-8b-h100-sxm5-80gb-tp1.yaml']);
    const key = JSON.stringify(combo);
    let ok = MODEL_HARDWARE_OK.get(key);
    if (ok === undefined) {
      ok = buildsAlone(combo);
      MODEL_HARDWARE_OK.set(key, ok);
    }
    if (ok) return combo;
  }
}

/** Whether a cluster of this one entry loads (its profile builds). */
function buildsAlone(entry: Record<string, unknown>): boolean {
  const data = {
    name: 'probe',
    workload: { synthetic: { count: 1, arrival: { process: 'poisson', rateRps: 1 }, prompt: { dist: 'fixed', tokens: 1 }, output: { dist: 'fixed', tokens: 1 } } },
    cluster: { devices: [{ name: 'x', kind: 'continuous-batching', ...entry }] },
  };
  try {
    // prepareRun builds the profile; a combination whose weights do not fit is an input error.
    prepareRun(checkScenario(data, { file: 'probe.yaml', baseDir: REPO }));
    return true;
  } catch (err) {
    if (err instanceof InputError) return false;
    throw err;
  }
}

function genEdge(rng: Rng, name: string): { entry: Record<string, any>; info: GroupInfo } {
  const m = rng.pick(edgeModels());
  const budget = m.name === 'bert-base' ? rng.logFloat(2e6, 600e6) : rng.logFloat(50e6, 6e9);
  const entry: Record<string, any> = {
    name,
    kind: 'edge-pipeline',
    model: repoPath(m.file),
    storage: { bandwidthBps: rng.logFloat(2e7, 4e9), ...(rng.chance(0.6) ? { readLatencyS: sig(rng.float(0, 2e-3)) } : {}) },
    memoryBudgetBytes: budget,
    targetLatencyS: rng.logFloat(0.005, 20),
  };
  const replicas = rng.chance(0.5) ? 1 : rng.int(1, 3);
  if (replicas !== 1 || rng.chance(0.5)) entry.replicas = replicas;
  if (rng.chance(0.6)) entry.preloadBytes = rng.chance(0.15) ? 0 : sig(budget * rng.float(0, 1));
  if (rng.chance(0.3)) entry.preloadBits = rng.pick(m.bitWidths);
  if (rng.chance(0.85)) entry.strategy = rng.pick(STRATEGIES);
  if (rng.chance(0.3)) entry.bits = rng.pick(m.bitWidths);
  if (rng.chance(0.5)) {
    entry.power = {};
    if (rng.chance(0.5)) entry.power.computeW = sig(rng.float(0, 30));
    if (rng.chance(0.5)) entry.power.ioW = sig(rng.float(0, 3));
    if (rng.chance(0.5)) entry.power.idleW = sig(rng.float(0, 5));
  }
  if (rng.chance(0.3)) {
    const buckets = new Set<number>();
    const k = rng.int(1, 5);
    for (let i = 0; i < k; i++) buckets.add(rng.logInt(1, m.maxSeqLen));
    entry.seqBuckets = [...buckets].sort((a, b) => a - b);
  }
  return { entry, info: { name, kind: 'edge-pipeline', model: m.name, energyKnown: true, capacity: 1, replicas, source: 'edge', caches: false } };
}

// ---------------------------------------------------------------- workload

interface Workload {
  spec: Record<string, any>;
  /** A window is wanted: settle() places it around real arrivals. */
  windowWanted: boolean;
  /** Only durationS given to a generator: settle() checks it yields a request. */
  durationOnly: boolean;
}

function genWorkload(rng: Rng, cluster: Cluster, features: string[]): Workload {
  const source = rng.weighted([['synthetic', 5], ['sessions', 2], ['trace', 3]] as const);
  features.push(`workload:${source}`);
  const served = [...new Set(cluster.groups.map((g) => g.model))];
  // A model name for every request: served by some group, or by none (then every request is rejected).
  const someModel = () => (rng.chance(0.95) ? rng.pick(served) : UNSERVED_MODEL);
  const spec: Record<string, any> = {};
  const w: Workload = { spec, windowWanted: false, durationOnly: false };
  if (source === 'trace') {
    const t = rng.weighted(TRACES.map((x) => [x, x.weight] as const));
    features.push(`trace:${repoPath(t.file)}`, `trace-format:${t.formats[0]}${t.file.endsWith('.jsonl') ? '-jsonl' : ''}`);
    const trace: Record<string, any> = { path: repoPath(t.file) };
    if (rng.chance(0.7)) trace.format = rng.pick(t.formats);
    if (t.mooncake && rng.chance(0.6)) trace.mooncakeArrivals = rng.pick(['spread', 'burst']);
    if (rng.chance(0.3)) trace.model = someModel();
    spec.trace = trace;
    // Traces are long: always keep a few hundred requests at most.
    spec.limit = requestCount(rng);
    if (rng.chance(0.5)) spec.rateScale = rng.logFloat(0.05, 20);
    w.windowWanted = rng.chance(0.5);
    return transformations(rng, w, t, features);
  }
  const count = requestCount(rng);
  // Short outputs when there are many requests: the whole run stays a few tens of thousands of tokens.
  const outMax = Math.max(4, Math.min(2048, Math.floor(40_000 / count)));
  if (source === 'synthetic') {
    const g: Record<string, any> = {};
    const arrival = genArrival(rng, features);
    const form = rng.weighted([['count', 5], ['both', 2], ['duration', 2]] as const);
    features.push(`synthetic:${form}`);
    if (form !== 'duration') g.count = count;
    if (form === 'both') g.durationS = rng.logFloat(0.01, 600);
    if (form === 'duration') {
      g.durationS = sig(Math.max(1e-3, count / arrival.rateRps));
      w.durationOnly = true;
    }
    g.arrival = arrival;
    // Edge models take at most 512 or 2,048 tokens: mostly short prompts when the cluster has one.
    const promptMax = cluster.groups.some((x) => x.kind === 'edge-pipeline') && rng.chance(0.7) ? 512 : 8192;
    g.prompt = rng.chance(0.25) ? sharedPrefix(rng, features) : genLength(rng, 'prompt', promptMax, features, true);
    const uncertain = rng.chance(0.3);
    if (uncertain) g.uncertainty = { dist: 'beta', a: rng.logFloat(0.2, 5), b: rng.logFloat(0.2, 5) };
    g.output =
      uncertain && rng.chance(0.5)
        ? { dist: 'uncertainty-lognormal', logMeanBase: sig(rng.float(0, Math.log(outMax))), logMeanPerU: sig(rng.float(-2, 2)), sigma: sig(rng.float(0, 1)), ...(rng.chance(0.5) ? { min: rng.logInt(1, 8) } : {}), max: outMax }
        : genLength(rng, 'output', outMax, features, true);
    if (g.output.dist === 'uncertainty-lognormal') features.push('length:uncertainty-lognormal');
    if (rng.chance(0.3)) g.model = someModel();
    spec.synthetic = g;
  } else {
    const s: Record<string, any> = {};
    const sessions = rng.logInt(1, 30);
    const arrival = genArrival(rng, features);
    if (rng.chance(0.7)) s.count = sessions;
    else {
      s.durationS = sig(Math.max(1e-3, sessions / arrival.rateRps));
      w.durationOnly = true;
    }
    s.arrival = arrival;
    s.turns = genLength(rng, 'turns', 10, features, false);
    s.userTokens = genLength(rng, 'user', 1024, features, false);
    s.outputTokens = genLength(rng, 'output', Math.max(4, Math.floor(outMax / 2)), features, false);
    s.thinkS = rng.pick([
      () => ({ dist: 'fixed', valueS: rng.chance(0.3) ? 0 : rng.logFloat(0.001, 30) }),
      () => ({ dist: 'exponential', meanS: rng.logFloat(0.001, 30) }),
      () => ({ dist: 'lognormal', medianS: rng.logFloat(0.001, 30), sigma: sig(rng.float(0, 1.5)) }),
    ])();
    features.push(`think:${s.thinkS.dist}`);
    if (rng.chance(0.5)) {
      s.systemTokens = rng.logInt(1, 2048);
      features.push('sessions:systemTokens');
    }
    if (rng.chance(0.3)) s.model = someModel();
    // Chat (history), a closed-loop population (no history), or agents (tool calls instead of think times).
    const form = rng.weighted([['chat', 6], ['population', 2], ['agents', 2]] as const);
    if (form === 'population') s.history = false;
    if (form === 'agents') {
      s.tool = { durationS: s.thinkS, resultTokens: genLength(rng, 'user', 1024, features, false) };
      delete s.thinkS;
    }
    features.push(`sessions:${form}`);
    spec.sessions = s;
    if (rng.chance(0.3)) spec.limit = requestCount(rng);
  }
  if (rng.chance(0.4)) spec.rateScale = rng.logFloat(0.1, 10);
  w.windowWanted = rng.chance(0.25);
  return transformations(rng, w, undefined, features);
}

/** How many requests (or a limit): mostly 5 to 300, now and then 1 to 4. */
function requestCount(rng: Rng): number {
  return rng.chance(0.1) ? rng.int(1, 4) : rng.logInt(5, 300);
}

/** uncertainty, deadline, timeoutS, maxConcurrency. */
function transformations(rng: Rng, w: Workload, trace: TraceInfo | undefined, features: string[]): Workload {
  const spec = w.spec;
  if (rng.chance(0.25)) spec.uncertainty = { rho: sig(rng.float(-1, 1)) };
  if (rng.chance(0.3)) {
    spec.deadline = rng.chance(0.5)
      ? { fixedS: rng.logFloat(0.01, 600) }
      : rng.pick([
          () => ({ baseS: rng.logFloat(0.01, 60) }),
          () => ({ perOutputTokenS: rng.logFloat(1e-4, 1) }),
          () => ({ baseS: rng.chance(0.2) ? 0 : rng.logFloat(0.01, 60), perOutputTokenS: rng.logFloat(1e-4, 1) }),
        ])();
    features.push('deadline');
  }
  if (rng.chance(0.35)) {
    // Mostly long enough for some requests to finish, now and then shorter than any service.
    const timeout = () => (rng.chance(0.25) ? rng.logFloat(0.01, 1) : rng.logFloat(1, 300));
    if (rng.chance(0.6)) spec.timeoutS = timeout();
    else {
      const byClass: Record<string, number> = {};
      if (rng.chance(0.7)) byClass.default = timeout();
      for (const c of trace?.classes ?? []) if (rng.chance(0.6)) byClass[c] = timeout();
      if (Object.keys(byClass).length === 0) byClass.default = timeout();
      spec.timeoutS = byClass;
    }
    features.push('timeout');
  }
  if (rng.chance(0.25)) {
    spec.maxConcurrency = rng.logInt(1, 64);
    features.push('maxConcurrency');
  }
  return w;
}

function genArrival(rng: Rng, features: string[]): Record<string, any> & { rateRps: number } {
  const process = rng.pick(['poisson', 'gamma', 'deterministic'] as const);
  features.push(`arrival:${process}`);
  const rateRps = rng.logFloat(0.02, 200);
  return process === 'gamma' ? { process, rateRps, cv: rng.logFloat(0.1, 4) } : { process, rateRps };
}

/**
 * A length distribution. `file`: may sample a trace column (synthetic prompt and output only).
 * For turns, `max` is the largest turn count.
 */
function genLength(rng: Rng, what: 'prompt' | 'output' | 'turns' | 'user', max: number, features: string[], file: boolean): Record<string, any> {
  const dist = rng.weighted([
    ['fixed', 2],
    ['uniform', 2],
    ['lognormal', 3],
    ...(file ? ([['empirical', 1.5]] as const) : []),
  ] as const);
  features.push(`length:${dist}`);
  // Now and then a much longer prompt than usual (chunking, maxModelLen, KV refusals).
  const top = what === 'prompt' && rng.chance(0.1) ? 65_536 : max;
  switch (dist) {
    case 'fixed':
      return { dist, tokens: rng.logInt(1, top) };
    case 'uniform': {
      const lo = rng.logInt(1, top);
      return { dist, min: lo, max: Math.min(top, lo - 1 + rng.logInt(1, top)) };
    }
    case 'lognormal': {
      const out: Record<string, any> = { dist, median: rng.logFloat(1, top), sigma: sig(rng.float(0, 1.5)) };
      if (rng.chance(0.4)) out.min = rng.logInt(1, 16);
      // Outputs and session lengths keep their cap; a prompt may go without one.
      if (what !== 'prompt' || rng.chance(0.7)) out.max = Math.max(out.min ?? 1, rng.logInt(1, top));
      return out;
    }
    case 'empirical': {
      // A trace's lengths run to thousands of tokens: as outputs only where few requests are made.
      if (what === 'output' && max < 256) return { dist: 'fixed', tokens: rng.logInt(1, max) };
      const t = rng.weighted(TRACES.map((x) => [x, x.weight] as const));
      const out: Record<string, any> = { dist, path: repoPath(t.file) };
      if (rng.chance(0.5)) out.format = rng.pick(t.formats);
      if (rng.chance(0.3)) out.column = rng.pick(['prompt', 'output']);
      return out;
    }
  }
}

function sharedPrefix(rng: Rng, features: string[]): Record<string, any> {
  features.push('length:shared-prefix');
  const out: Record<string, any> = { dist: 'shared-prefix', groups: rng.logInt(1, 12), usersPerGroup: rng.logInt(1, 12), systemTokens: rng.logInt(1, 4096), questionTokens: rng.logInt(1, 1024) };
  if (rng.chance(0.6)) out.order = rng.pick(['cycle', 'random']);
  return out;
}

function genSlo(rng: Rng): Record<string, number> {
  const slo: Record<string, number> = {};
  if (rng.chance(0.6)) slo.ttftS = rng.logFloat(0.01, 30);
  if (rng.chance(0.6)) slo.tpotS = rng.logFloat(0.001, 1);
  if (rng.chance(0.5) || Object.keys(slo).length === 0) slo.e2eS = rng.logFloat(0.1, 600);
  return slo;
}

// ---------------------------------------------------------------- policy and settling

interface PolicyChoice {
  policyName: PolicyName;
  objective?: 'accuracy' | 'runtime';
  sjfKey?: 'service-time' | 'output-tokens';
}

/**
 * The parts that depend on the request stream: a window around real arrivals, a count for a
 * duration that yielded nothing, and the policy's parameters (groups that serve the requests'
 * models, quotas the offline planner can meet). Uses llmsim's workload builder to see the stream.
 */
function settle(c: FuzzCase, rng: Rng, w: Workload, choice: PolicyChoice): void {
  const s = c.scenario;
  const spec = s.workload;
  if (w.durationOnly) {
    const gen = spec.synthetic ?? spec.sessions;
    try {
      requestsOf(c, { ...spec, window: undefined, limit: undefined });
      c.features.push('duration:only');
    } catch (err) {
      // No arrival within durationS (an input error): with a count as well, exactly that many are spread over it.
      if (!(err instanceof InputError && /durationS/.test(err.message))) throw err;
      gen.count = rng.logInt(1, 20);
      c.features.push('duration:empty-so-count');
    }
  }
  if (w.windowWanted) {
    const open = requestsOf(c, { ...spec, window: undefined, limit: undefined }).filter((r) => r.followUp === undefined).map((r) => r.arrivalS);
    // Around the arrivals i..j: it keeps at least those.
    const i = rng.int(0, open.length - 1);
    const j = Math.min(open.length - 1, i + rng.logInt(1, 400) - 1);
    const window: Record<string, number> = {};
    const start = rng.chance(0.3) ? open[i]! : open[i]! * rng.float(0.5, 1);
    if (start > 0 || rng.chance(0.5)) window.startS = start;
    if (rng.chance(0.8)) window.endS = open[j]! + (rng.chance(0.2) ? Number.EPSILON * Math.max(1, open[j]!) * 4 : rng.logFloat(1e-6, 30));
    spec.window = window;
    c.features.push('window');
  }
  if (spec.rateScale !== undefined) c.features.push('rateScale');
  if (spec.limit !== undefined) c.features.push('limit');
  if (spec.uncertainty !== undefined) c.features.push('uncertainty-rho');
  const requests = requestsOf(c, spec);
  c.features.push(requests.length > 100 ? 'requests:100+' : requests.length > 10 ? 'requests:11-100' : 'requests:1-10');
  // KV pressure: a cache a few times the largest request, so sequences are preempted, recomputed
  // and (below 1x) aborted, rather than all fitting or none.
  const largest = Math.max(...requests.map((r) => r.promptTokens + r.outputTokens));
  for (const d of s.cluster.devices) {
    if ((d.kind === 'continuous-batching' || d.kind === 'static-batching') && rng.chance(0.3)) {
      d.kvCapacityTokens = Math.max(1, Math.ceil(largest * rng.logFloat(0.7, 6)));
      c.features.push('kv-pressure');
    }
    // A KV block must fit the cache (an input error otherwise): the largest power of two that does.
    if (d.kind === 'continuous-batching' && d.kvCapacityTokens !== undefined && d.kvCapacityTokens < (d.blockSize ?? 16)) {
      d.blockSize = 2 ** Math.floor(Math.log2(d.kvCapacityTokens));
      c.features.push('block-fits-tiny-cache');
    }
  }
  s.policy = genPolicy(rng, c, w, choice, requests);
}

/** The request stream llmsim builds for `workload` (the case's seed). */
function requestsOf(c: FuzzCase, workload: Record<string, any>): Request[] {
  const data = { ...c.scenario, workload: stripUndefined(workload), policy: { name: 'fifo' } };
  const loaded = checkScenario(data, caseLocation(c));
  return buildWorkload(loaded.scenario.workload, { baseDir: loaded.baseDir, seed: loaded.scenario.seed, specFile: loaded.file });
}

function stripUndefined(o: Record<string, any>): Record<string, any> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function genPolicy(rng: Rng, c: FuzzCase, w: Workload, choice: PolicyChoice, requests: readonly Request[]): { name: string; params: Record<string, any> } {
  // The groups requests enter at (P/D: the prefill ones; the policy never routes to decode replicas).
  const decode = new Set(c.scenario.cluster.devices.filter((d: Record<string, any>) => d.role === 'decode').map((d: Record<string, any>) => d.name));
  const groups = c.groups.filter((g) => !decode.has(g.name));
  const names = groups.map((g) => g.name);
  // Models the requests name that some group serves: a `groups` filter must keep a server for each.
  const named = new Set(requests.map((r) => r.model).filter((m): m is string => m !== undefined));
  const servedModels = [...named].filter((m) => groups.some((g) => g.model === m));
  const groupsParam = (): string[] | undefined => {
    if (!rng.chance(0.35)) return undefined;
    const chosen = new Set(rng.subset(names, 0.5));
    for (const m of servedModels) if (!groups.some((g) => g.model === m && chosen.has(g.name))) chosen.add(rng.pick(groups.filter((g) => g.model === m)).name);
    if (chosen.size === 0) chosen.add(rng.pick(names));
    return names.filter((n) => chosen.has(n));
  };
  const params: Record<string, any> = {};
  const set = (key: string, p: number, value: () => unknown) => {
    if (rng.chance(p)) params[key] = value();
  };
  const predictor = () => {
    const p: Record<string, any> = {};
    if (rng.chance(0.5)) p.useUncertainty = rng.chance(0.5);
    if (rng.chance(0.5)) p.usePrompt = rng.chance(0.5);
    if (rng.chance(0.5)) p.refitEvery = rng.logInt(1, 100);
    if (rng.chance(0.5)) p.minSamples = rng.logInt(2, 100);
    if (rng.chance(0.5)) p.priorOutputTokens = rng.logFloat(1, 2000);
    return p;
  };
  let name: string = choice.policyName;
  switch (choice.policyName) {
    case 'fifo':
      set('routing', 0.7, () => rng.pick(['round-robin', 'least-loaded']));
      break;
    case 'random':
    case 'round-robin':
      set('level', 0.6, () => rng.pick(['replica', 'model']));
      set('groups', 1, groupsParam);
      break;
    case 'least-loaded':
      set('groups', 1, groupsParam);
      break;
    case 'carbon-aware':
      set('objective', 0.7, () => rng.pick(['energy', 'carbon']));
      set('maxLoad', 0.5, () => sig(rng.logFloat(0.05, 10)));
      set('assumedOutputTokens', 0.5, () => rng.logInt(1, 2000));
      set('groups', 1, groupsParam);
      break;
    case 'sjf-oracle':
      params.key = choice.sjfKey;
      set('routing', 0.6, () => rng.pick(['least-loaded', 'round-robin']));
      set('groups', 1, groupsParam);
      break;
    case 'uncertainty-priority':
      set('predictor', 0.5, predictor);
      set('overheadS', 0.5, () => (rng.chance(0.2) ? 0 : rng.logFloat(1e-5, 0.5)));
      set('prioritize', 0.5, () => rng.chance(0.6));
      set('order', 0.5, () => rng.pick(['predicted-work', 'least-slack']));
      set('agingWeight', 0.4, () => (rng.chance(0.2) ? 0 : rng.logFloat(1e-3, 10)));
      set('consolidate', 0.5, () => rng.chance(0.6));
      set('bucketRatio', 0.4, () => sig(1 + rng.logFloat(1e-3, 10)));
      set('offload', 0.5, () => rng.chance(0.7));
      set('offloadGroups', 0.6, () => (rng.chance(0.8) ? rng.subset(names, 0.5) : ['no-such-group']));
      set('offloadUncertainty', 0.3, () => sig(rng.float(0, 1)));
      set('offloadQueue', 0.3, () => rng.int(0, 10));
      break;
    case 'wilkins-offline': {
      params.objective = choice.objective;
      set('zeta', 0.7, () => sig(rng.float(0, 1)));
      const targets = choice.objective === 'accuracy' ? [...new Set(groups.map((g) => g.model))] : names;
      const planned = requests.filter((r) => r.model === undefined).length;
      let f = rng.chance(0.5) ? sig(rng.float(0, 0.5)) : undefined;
      if (rng.chance(0.3)) {
        // Shares that add up to at most 1 (a target left out gets 0).
        const shares: Record<string, number> = {};
        let left = 1;
        for (const t of targets) {
          if (!rng.chance(0.7)) continue;
          shares[t] = Math.floor(rng.float(0, left) * 1000) / 1000;
          left -= shares[t]!;
        }
        params.shares = shares;
      }
      // Each target gets at least max(1, f * share * n) of the n planned queries: n (1 - f) >= targets suffices.
      if (planned > 0 && planned * (1 - (f ?? 0.25)) < targets.length) f = 0;
      if (planned > 0 && planned < targets.length) {
        // Fewer queries than targets: no plan can meet the quotas; the online router needs none.
        name = 'wilkins-online';
        delete params.shares;
        f = undefined;
        c.features.push('offline-too-few-queries');
      }
      if (f !== undefined) params.minShareFactor = f;
      if (name === 'wilkins-offline') set('solver', 0.5, () => (planned <= 60 && rng.chance(0.5) ? 'milp' : 'lp'));
      break;
    }
    case 'wilkins-online':
      params.objective = choice.objective;
      set('zeta', 0.7, () => sig(rng.float(0, 1)));
      set('queueAware', 0.5, () => rng.chance(0.6));
      set('queuePenalty', 0.5, () => (rng.chance(0.2) ? 0 : rng.logFloat(1e-3, 5)));
      set('window', 0.5, () => rng.logInt(1, 2000));
      set('lengths', 0.5, () => rng.pick(['true', 'predicted']));
      set('predictor', 0.3, predictor);
      break;
    case 'prefix-affinity':
      set('eps', 0.6, () => (rng.chance(0.2) ? 0 : rng.logFloat(1e-3, 10)));
      set('maxQueued', 0.4, () => rng.int(0, 20));
      set('minHitRatio', 0.4, () => (rng.chance(0.3) ? 0 : sig(rng.float(0, 1))));
      set('groups', 1, groupsParam);
      break;
    case 'weighted': {
      const w = () => (rng.chance(0.3) ? 0 : sig(rng.logFloat(1e-2, 10)));
      set('weights', 0.6, () => {
        const ws = { queue: w(), running: w(), kv: w(), prefix: w() };
        if (ws.queue + ws.running + ws.kv + ws.prefix === 0) ws.prefix = 1;
        return ws;
      });
      set('prefixScore', 0.4, () => rng.pick(['ratio', 'min-max']));
      set('groups', 1, groupsParam);
      break;
    }
    case 'wilkins-threshold':
      // Any two groups: a request naming a model its group does not serve goes to the other's (or any) replicas serving it.
      set('feature', 0.7, () => rng.pick(['input', 'output', 'product']));
      params.threshold = rng.chance(0.1) ? 0 : rng.logFloat(1, 1e6);
      params.small = rng.pick(names);
      params.large = rng.pick(names);
      break;
  }
  // Stale routing signals: any policy.
  set('refreshS', 0.15, () => sig(rng.logFloat(1e-3, 5)));
  if (params.refreshS !== undefined) c.features.push('refreshS');
  for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
  if (rng.chance(0.1) && Object.keys(params).length === 0) return { name, params: {} };
  return { name, params };
}
