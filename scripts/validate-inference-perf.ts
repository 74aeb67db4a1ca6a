/**
 * llmsim against real vLLM serving under load: the inference-perf KubeCon NA 2025 runs
 * (../shared/data/serving/inference-perf-kubecon, Apache-2.0; vLLM 0.11 V1, Llama-3.1-8B-Instruct,
 * 1 x H100, shared-prefix prompts, 64 output tokens, Poisson stages of 60 s). Each measured stage
 * is replayed as a synthetic shared-prefix workload at the stage's achieved rate, on the profile a
 * user would pick (ML.ENERGY's Llama-3.1-8B H100 fit, no memory block: KV from vLLM's share of
 * 80 GiB), under each scheduler; nothing is fitted to these runs, so every stage is held out.
 * Prints, per variant and stage, measured vs simulated TTFT and E2E (means, p99 TTFT) and the
 * errors; inference-perf's own TPOT reads ~2x low, so it is not compared.
 *   npx tsx scripts/validate-inference-perf.ts [path to stages.csv]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { checkScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/scenario/run.js';

const root = resolve(import.meta.dirname, '..');
const csvPath = process.argv[2] ?? resolve(root, '../shared/data/serving/inference-perf-kubecon/stages.csv');
const rows = parse(readFileSync(csvPath, 'utf8'), { columns: true }) as Record<string, string>[];

/** The variants and how llmsim serves them (both are vLLM V1: decodes and prompts share each step). */
const VARIANTS: Record<string, { label: string; device: Record<string, unknown> }[]> = {
  vllm: [
    { label: 'vllm-v1, no caching', device: { scheduler: 'vllm-v1', prefixCaching: false } },
    { label: 'legacy', device: { scheduler: 'legacy' } },
  ],
  'vllm+chunking_and_prefix_caching': [
    { label: 'vllm-v1 + caching', device: { scheduler: 'vllm-v1', prefixCaching: true } },
    { label: 'legacy', device: { scheduler: 'legacy' } },
  ],
};

const pct = (sim: number, real: number) => `${(((sim - real) / real) * 100).toFixed(0)}%`;
const ms = (s: number | null) => (s === null ? '-' : (s * 1000).toFixed(1));
console.log('| variant | stage | req/s | llmsim as | TTFT mean ms real / sim (err) | TTFT p99 ms real / sim | E2E mean ms real / sim (err) | finished / sent |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [variant, ways] of Object.entries(VARIANTS)) {
  for (const row of rows.filter((r) => r.variant === variant && r.stage !== 'summary')) {
    const rate = Number(row.achieved_rate);
    for (const way of ways) {
      const data = {
        name: `inference-perf-${variant.replace(/[^a-zA-Z0-9._-]/g, "-")}-${row.stage}`,
        seed: 1,
        workload: {
          synthetic: {
            durationS: Number(row.send_duration_s),
            arrival: { process: 'poisson', rateRps: rate },
            // 128-token system prompts + 64-token questions; the chat template brings the measured prompt to ~204 tokens.
            prompt: { dist: 'shared-prefix', groups: 10, usersPerGroup: 10, systemTokens: 140, questionTokens: 64, order: 'cycle' },
            output: { dist: 'fixed', tokens: 64 },
          },
        },
        cluster: {
          devices: [
            {
              name: 'h100',
              kind: 'continuous-batching',
              profile: 'profiles/mlenergy/lm-arena-chat/llama-3.1-8b-instruct-h100-x1.yaml',
              maxBatchSize: Number(/--max-num-seqs=(\d+)/.exec(row.server_args!)![1]),
              maxModelLen: 512,
              kvCapacityTokens: 467291,
              ...way.device,
            },
          ],
        },
        policy: { name: 'fifo' },
      };
      const { summary: s } = runScenario(checkScenario(data, { file: 'inference-perf', baseDir: root }));
      const ttft = Number(row.ttft_mean_ms) / 1000, e2e = Number(row.e2e_mean_ms) / 1000;
      console.log(
        `| ${variant} | ${row.stage} | ${rate.toFixed(1)} | ${way.label} | ${ms(ttft)} / ${ms(s.latency.ttftS.mean)} (${pct(s.latency.ttftS.mean!, ttft)}) | ` +
          `${row.ttft_p99_ms} / ${ms(s.latency.ttftS.p99)} | ${ms(e2e)} / ${ms(s.latency.e2eS.mean)} (${pct(s.latency.e2eS.mean!, e2e)}) | ${s.requests.finished} / ${s.requests.total} |`,
      );
    }
  }
}
