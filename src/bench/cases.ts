/**
 * Benchmark cases: the three workloads plus the bare engine. Each runs the real path
 * (scenario validation, workload generation, device preparation, simulate) in its own process so
 * that its peak memory is its own.
 */

/** A benchmark scenario (paths relative to the package root). */
export interface BenchCase {
  readonly id: string;
  readonly title: string;
  readonly target: string;
  readonly scenario?: Record<string, unknown>;
  /** Id of the case this one is compared with (same workload, another setting): the bench prints the ratios. */
  readonly versus?: string;
  /** Also timed as a user runs it: `llmsim run <scenario>.yaml -o <dir> -q` in a fresh process, files written, code cache warm (bench.ts). */
  readonly cli?: true;
  /** requests.csv case (csv-case.ts): the scenario runs in memory, then its rows are formatted and timed. */
  readonly csv?: true;
  /** Streamed case: the trace the bench writes and runs with `--stream --no-requests` (stream-case.ts); `scenario` gives the cluster and policy. */
  readonly stream?: { count: number; rateRps: number; promptMin: number; promptMax: number; outputMin: number; outputMax: number; readOnly?: boolean };
}

/** The same case under llmsim 0.1's scheduler, to compare the default's cost with it. */
function underLegacy(c: BenchCase): BenchCase {
  const scenario = c.scenario as { cluster: { devices: Record<string, unknown>[] } };
  return {
    ...c,
    id: `${c.id}-legacy`,
    title: `${c.title}, scheduler: legacy`,
    target: '-',
    cli: undefined,
    scenario: { ...scenario, cluster: { devices: scenario.cluster.devices.map((d) => ({ ...d, scheduler: 'legacy' })) } },
  };
}

const llama7bSlots = { name: 'a100', kind: 'slots', profile: 'profiles/wilkins/llama-2-7b-a100.yaml' };
const llama70bCb = { name: 'h100', kind: 'continuous-batching', scheduler: 'vllm-v1', profile: 'profiles/splitwise/llama2-70b-h100-tp4.yaml', maxBatchSize: 64, maxBatchedTokens: 8192 };

const cases: readonly BenchCase[] = [
  { id: 'engine', title: 'engine alone: 10M events through a heap of 10k pending', target: '>= 10M events/s' },
  {
    id: 'slots-1m',
    title: '(a) 1,000,000 requests, slots cluster (8 replicas x 16 slots, Llama-2 7B bilinear)',
    target: '< 2 s',
    scenario: {
      name: 'bench-slots-1m',
      seed: 1,
      workload: {
        synthetic: {
          count: 1_000_000,
          arrival: { process: 'poisson', rateRps: 9 },
          prompt: { dist: 'lognormal', median: 200, sigma: 0.7, max: 2048 },
          output: { dist: 'lognormal', median: 100, sigma: 0.7, max: 1024 },
        },
      },
      cluster: { devices: [{ ...llama7bSlots, replicas: 8, slots: 16 }] },
      policy: { name: 'fifo', params: { routing: 'least-loaded' } },
    },
  },
  {
    id: 'azure-conv-cb4',
    title: '(b) Azure LLM 2023 conv trace, all 19,366 requests, 4 continuous-batching replicas (Llama-2 70B, H100 TP4)',
    target: '< 0.5 s process wall',
    cli: true,
    scenario: {
      name: 'bench-azure-conv',
      seed: 1,
      workload: { trace: { path: 'traces/azure-llm-2023-conv.csv', format: 'azure' } },
      cluster: { devices: [{ ...llama70bCb, replicas: 4 }] },
      policy: { name: 'fifo', params: { routing: 'least-loaded' } },
    },
  },
  {
    id: 'cb16-1m',
    title: '(c) 1,000,000 synthetic requests, 16 continuous-batching replicas (Llama-2 70B, H100 TP4)',
    target: '< 5 s process wall, < 1 GB',
    scenario: {
      name: 'bench-cb16-1m',
      seed: 1,
      workload: {
        synthetic: {
          count: 1_000_000,
          arrival: { process: 'poisson', rateRps: 40 },
          prompt: { dist: 'lognormal', median: 1000, sigma: 0.8, max: 4096 },
          output: { dist: 'lognormal', median: 150, sigma: 0.8, max: 1000 },
        },
      },
      cluster: { devices: [{ ...llama70bCb, replicas: 16 }] },
      policy: { name: 'fifo', params: { routing: 'least-loaded' } },
    },
  },
  {
    id: 'vidur-10k',
    title: 'Vidur request list (10,000 requests, Poisson 1 req/s), 1 continuous-batching replica',
    target: '< 0.25 s process wall, byte-identical results',
    cli: true,
    scenario: {
      name: 'bench-vidur',
      seed: 1,
      workload: { trace: { path: 'traces/vidur-conv-poisson1-n10000.csv', format: 'vidur' } },
      cluster: { devices: [{ ...llama70bCb, replicas: 1 }] },
    },
  },
  // Streamed runs (llmsim run --stream --no-requests) of a native trace the bench writes first;
  // LLMSIM_BENCH_STREAM_N=100000000 for the 100M-request figure (~2 GB of trace on disk).
  {
    id: 'stream-slots',
    title: 'streamed: 1,000,000-request native trace, 8 x 16-slot `slots` replicas, --no-requests',
    target: '>= 1M req/s, < 1 GB at 100M',
    stream: { count: 1_000_000, rateRps: 8, promptMin: 50, promptMax: 400, outputMin: 10, outputMax: 200 },
    scenario: {
      name: 'bench-stream-slots',
      seed: 1,
      cluster: { devices: [{ ...llama7bSlots, replicas: 8, slots: 16 }] },
      policy: { name: 'fifo', params: { routing: 'least-loaded' } },
    },
  },
  {
    id: 'stream-read',
    title: "streamed: reading alone, stream-slots' 1,000,000-request native trace pulled from its source, no simulation",
    target: 'the share of stream-slots spent reading',
    stream: { count: 1_000_000, rateRps: 8, promptMin: 50, promptMax: 400, outputMin: 10, outputMax: 200, readOnly: true },
    scenario: {
      name: 'bench-stream-read',
      seed: 1,
      cluster: { devices: [{ ...llama7bSlots, replicas: 8, slots: 16 }] },
    },
  },
  {
    id: 'stream-cb16',
    title: 'streamed: 1,000,000-request native trace, 16 continuous-batching replicas (Llama-2 70B, H100 TP4), --no-requests',
    target: '>= 300k req/s, < 1 GB at 100M',
    stream: { count: 1_000_000, rateRps: 30, promptMin: 100, promptMax: 2000, outputMin: 10, outputMax: 400 },
    scenario: {
      name: 'bench-stream-cb16',
      seed: 1,
      cluster: { devices: [{ ...llama70bCb, replicas: 16 }] },
      policy: { name: 'fifo', params: { routing: 'least-loaded' } },
    },
  },
];

/** requests.csv formatting: (a)'s workload cut to 200,000 requests, with deadlines (every column filled). */
function requestsCsv(base: BenchCase): BenchCase {
  const scenario = base.scenario as { workload: { synthetic: Record<string, unknown> } };
  return {
    id: 'requests-csv',
    title: 'requests.csv rows: 200,000 requests (8 x 16-slot `slots` replicas, deadlines), formatted and written to the null device',
    target: '>= 2x faster per row than the original writer',
    csv: true,
    scenario: { ...scenario, name: 'bench-requests-csv', workload: { synthetic: { ...scenario.workload.synthetic, count: 200_000 }, deadline: { baseS: 1, perOutputTokenS: 0.05 } } },
  };
}

/** Every case; (b) and (c) also under the legacy scheduler, which each is compared with. */
export const benchCases: readonly BenchCase[] = [
  ...cases.flatMap((c) => (c.id === 'azure-conv-cb4' || c.id === 'cb16-1m' ? [underLegacy(c), { ...c, versus: `${c.id}-legacy` }] : [c])),
  requestsCsv(cases.find((c) => c.id === 'slots-1m')!),
];
