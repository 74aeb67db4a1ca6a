/**
 * Measured serving results as load points: one run of a real server at one offered load, with the
 * server's settings, the workload it was given and what was measured. `llmsim calibrate` and the
 * validation report simulate each point and compare. Readers: inference-perf stage tables
 * (data/serving/inference-perf-kubecon/stages.csv), `vllm bench serve --save-result` JSON, and
 * llmsim's own serving table (CSV, documented in docs/calibration.md).
 */
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError, describeValue } from '../errors.js';
import { MAX_RATE_RPS } from '../limits.js';
import { readTextFile } from '../util/yaml-file.js';
import { repeatedKey } from '../workload/read-mooncake.js';

/** What was measured at one load point (seconds, requests/s); absent where the source has no such figure. */
export interface Measured {
  ttftMeanS?: number;
  ttftP50S?: number;
  ttftP99S?: number;
  tpotMeanS?: number;
  e2eMeanS?: number;
  e2eP99S?: number;
  throughputRps?: number;
}
export const METRICS = ['ttftMeanS', 'ttftP50S', 'ttftP99S', 'tpotMeanS', 'e2eMeanS', 'e2eP99S', 'throughputRps'] as const;
export type Metric = (typeof METRICS)[number];

/** One measured run at one load. */
export interface LoadPoint {
  /** Unique within its file, e.g. `vllm/stage-3`. */
  readonly id: string;
  /** The server configuration it belongs to: hold-outs take or leave whole configurations. */
  readonly config: string;
  /** Settings of the continuous-batching device entry (scheduler, maxBatchSize, ...). */
  readonly device: Readonly<Record<string, unknown>>;
  /** The scenario's `workload:` block that reproduces the client. */
  readonly workload: Readonly<Record<string, unknown>>;
  /** The engine llmsim cannot model for this point, if any (e.g. speculative decoding): reported, not fitted. */
  readonly unmodelled?: string;
  readonly measured: Measured;
}

export const SERVING_FORMATS = ['inference-perf', 'vllm-bench', 'table'] as const;
export type ServingFormat = (typeof SERVING_FORMATS)[number];

/** Server flags for sources that do not record them (vllm bench results): vLLM's names. */
export interface ServerFlags {
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  maxModelLen?: number;
  chunkedPrefill?: boolean;
  prefixCaching?: boolean;
}

/** Reads the load points of a file; `format` auto-detects from the extension and header. */
export function readLoadPoints(file: string, format: ServingFormat | 'auto' = 'auto', flags: ServerFlags = {}): LoadPoint[] {
  const text = readTextFile(file, 'serving data file');
  const f = format !== 'auto' ? format : detect(file, text);
  if (f === 'vllm-bench') return [vllmBenchPoint(file, text, flags)];
  const rows = parseCsv(file, text);
  return f === 'inference-perf' ? inferencePerfPoints(file, rows) : tablePoints(file, rows);
}

function detect(file: string, text: string): ServingFormat {
  if (file.endsWith('.json')) return 'vllm-bench';
  const header = text.slice(0, text.indexOf('\n'));
  if (header.includes('tpot_from_means_ms') && header.includes('server_args')) return 'inference-perf';
  if (header.split(',').includes('rate_rps')) return 'table';
  throw new InputError({ file, line: 1 }, `expected the header of an inference-perf stages table (server_args, tpot_from_means_ms) or an llmsim serving table (rate_rps, ...), or --format, found ${describeValue(header.trim())}`);
}

type Row = Record<string, string>;

function parseCsv(file: string, text: string): Row[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true }) as Row[];
  } catch (e) {
    const err = e as { message?: string; lines?: number };
    throw new InputError({ file, line: err.lines }, `expected valid CSV, found a syntax error (${err.message ?? String(e)})`);
  }
}

/** A number from a CSV cell; `unit` scales it (ms -> s). Empty: undefined when optional. */
function cell(file: string, line: number, row: Row, column: string, unit = 1, optional = false): number | undefined {
  const raw = row[column];
  if (raw === undefined || raw.trim() === '') {
    if (optional) return undefined;
    throw new InputError({ file, line, field: column }, `expected a number, found ${raw === undefined ? 'no such column' : 'an empty cell'}`);
  }
  const v = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v) || v < 0) throw new InputError({ file, line, field: column }, `expected a finite number >= 0, found "${raw}"`);
  return v * unit;
}

const MS = 1e-3;

/**
 * inference-perf's KubeCon NA 2025 demo (see its PROVENANCE.md): vLLM on one GPU, shared-prefix
 * prompts (10 system prompts x 10 users; 128 + 64 tokens, ~204 with the chat template), 64 output
 * tokens forced, Poisson stages of 60 s from 44 workers x 10 connections (at most 440 requests in
 * flight). TPOT is (E2E mean - TTFT mean) / 63, because inference-perf's own reads ~2x low.
 */
function inferencePerfPoints(file: string, rows: Row[]): LoadPoint[] {
  const points: LoadPoint[] = [];
  rows.forEach((row, i) => {
    const line = i + 2;
    if (row.stage === 'summary') return;
    const args = row.server_args ?? '';
    const flag = (name: string) => new RegExp(`--${name}[= ](\\S+)`).exec(args)?.[1];
    const has = (name: string) => args.includes(`--${name}`);
    const v1 = row.vllm_v1_engine === 'True';
    const chunked = has('no-enable-chunked-prefill') ? false : true; // V1 default: on
    const prefixCaching = has('no-enable-prefix-caching') ? false : v1; // V1 default: on; V0: off
    const maxModelLen = Number(flag('max-model-len'));
    const maxNumSeqs = Number(flag('max-num-seqs') ?? 256);
    const requests = cell(file, line, row, 'requests_ok')! + cell(file, line, row, 'failures')!;
    const rate = cell(file, line, row, 'requested_rate')!;
    const promptMean = cell(file, line, row, 'prompt_len_mean')!;
    const outputMean = Math.round(cell(file, line, row, 'output_len_mean')!);
    // The chat template adds to the 128-token system prompt; the question is 64 tokens.
    const systemTokens = Math.max(1, Math.round(promptMean) - 64);
    const e2e = cell(file, line, row, 'e2e_mean_ms', MS)!, ttft = cell(file, line, row, 'ttft_mean_ms', MS)!;
    points.push({
      id: `${row.variant}/stage-${row.stage}`,
      config: row.variant!,
      device: {
        // vLLM V1 without chunked prefill budgets max(max_model_len, 2048) tokens per step; with it, 8192 (H100, API server).
        scheduler: v1 ? 'vllm-v1' : 'prefill-first',
        maxBatchSize: maxNumSeqs,
        maxBatchedTokens: chunked && v1 ? 8192 : Math.max(maxModelLen || 0, 2048),
        ...(v1 ? { chunkedPrefill: chunked } : {}),
        prefixCaching,
        ...(maxModelLen > 0 ? { maxModelLen } : {}),
      },
      workload: {
        synthetic: {
          // inference-perf rescales the stage's exponential gaps to the stage: requests / rate seconds.
          count: requests,
          durationS: requests / rate,
          arrival: { process: 'poisson', rateRps: rate },
          prompt: { dist: 'shared-prefix', groups: 10, usersPerGroup: 10, systemTokens, questionTokens: 64, order: 'cycle' },
          output: { dist: 'fixed', tokens: 64 },
        },
        maxConcurrency: 440,
      },
      ...(has('speculative_config') ? { unmodelled: 'speculative decoding (EAGLE-3)' } : {}),
      measured: {
        ttftMeanS: ttft,
        ttftP50S: cell(file, line, row, 'ttft_median_ms', MS),
        ttftP99S: cell(file, line, row, 'ttft_p99_ms', MS),
        tpotMeanS: (e2e - ttft) / (outputMean > 1 ? 63 : 1),
        e2eMeanS: e2e,
        e2eP99S: cell(file, line, row, 'e2e_p99_ms', MS),
        throughputRps: cell(file, line, row, 'throughput_req_s'),
      },
    });
  });
  if (points.length === 0) throw new InputError({ file }, 'expected at least one stage row, found none');
  return points;
}

/**
 * llmsim's serving table: one row per load point. Columns: id, config, rate_rps (0 = all at once),
 * requests, prompt_tokens, output_tokens (means; fixed lengths are simulated), max_concurrency
 * (empty: none), max_num_seqs, max_num_batched_tokens, chunked_prefill, prefix_caching (true/false),
 * and measured columns in ms or req/s: ttft_mean_ms, ttft_p50_ms, ttft_p99_ms, tpot_mean_ms,
 * e2e_mean_ms, e2e_p99_ms, throughput_rps (any may be empty).
 */
function tablePoints(file: string, rows: Row[]): LoadPoint[] {
  const ids = new Set<string>();
  return rows.map((row, i) => {
    const line = i + 2;
    const id = row.id?.trim();
    if (!id) throw new InputError({ file, line, field: 'id' }, 'expected a point id, found an empty cell');
    if (ids.has(id)) throw new InputError({ file, line, field: 'id' }, `expected each point id once, found "${id}" again`);
    ids.add(id);
    const bool = (column: string, dflt: boolean) => {
      const raw = (row[column] ?? '').trim();
      if (raw === '') return dflt;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw new InputError({ file, line, field: column }, `expected true or false, found "${raw}"`);
    };
    const opt = (c: string, unit = 1) => cell(file, line, row, c, unit, true);
    const rate = cell(file, line, row, 'rate_rps')!;
    const concurrency = opt('max_concurrency');
    return {
      id,
      config: row.config?.trim() || id,
      device: {
        scheduler: 'vllm-v1',
        maxBatchSize: opt('max_num_seqs') ?? 256,
        maxBatchedTokens: opt('max_num_batched_tokens') ?? 8192,
        chunkedPrefill: bool('chunked_prefill', true),
        prefixCaching: bool('prefix_caching', true),
      },
      workload: {
        synthetic: {
          count: Math.max(1, Math.round(cell(file, line, row, 'requests')!)),
          arrival: rate > 0 ? { process: 'poisson', rateRps: rate } : { process: 'deterministic', rateRps: MAX_RATE_RPS },
          prompt: { dist: 'fixed', tokens: Math.max(1, Math.round(cell(file, line, row, 'prompt_tokens')!)) },
          output: { dist: 'fixed', tokens: Math.max(1, Math.round(cell(file, line, row, 'output_tokens')!)) },
        },
        ...(concurrency ? { maxConcurrency: concurrency } : {}),
      },
      measured: {
        ttftMeanS: opt('ttft_mean_ms', MS),
        ttftP50S: opt('ttft_p50_ms', MS),
        ttftP99S: opt('ttft_p99_ms', MS),
        tpotMeanS: opt('tpot_mean_ms', MS),
        e2eMeanS: opt('e2e_mean_ms', MS),
        e2eP99S: opt('e2e_p99_ms', MS),
        throughputRps: opt('throughput_rps'),
      },
    };
  });
}

/**
 * `vllm bench serve --save-result` JSON (one run). Lengths are simulated as fixed at the run's
 * means (total_input_tokens / completed); server flags the JSON does not record come from `flags`.
 */
function vllmBenchPoint(file: string, text: string, flags: ServerFlags): LoadPoint {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InputError({ file }, `expected valid JSON, found a syntax error: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new InputError({ file }, `expected a JSON object (vllm bench serve --save-result), found ${describeValue(doc)}`);
  const twice = repeatedKey(text);
  if (twice !== undefined) throw new InputError({ file, field: twice }, `expected each key once, found "${twice}" twice`);
  const num = (key: string, optional = false): number | undefined => {
    const v = doc[key];
    if (v === undefined || v === null) {
      if (optional) return undefined;
      throw new InputError({ file, field: key }, 'expected a number, found nothing (is this a `vllm bench serve --save-result` file?)');
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InputError({ file, field: key }, `expected a finite number >= 0, found ${JSON.stringify(v)}`);
    return v;
  };
  const completed = num('completed')!;
  if (completed < 1) throw new InputError({ file, field: 'completed' }, `expected at least one completed request, found ${completed}`);
  const rateRaw = doc.request_rate;
  const rate = rateRaw === 'inf' || rateRaw === Infinity || rateRaw === null ? 0 : num('request_rate')!;
  const burstiness = num('burstiness', true) ?? 1;
  const ms = (key: string) => {
    const v = num(key, true);
    return v === undefined ? undefined : v * MS;
  };
  const id = basename(file).replace(/\.json$/, '');
  return {
    id,
    config: id,
    device: {
      scheduler: 'vllm-v1',
      maxBatchSize: flags.maxNumSeqs ?? 256,
      maxBatchedTokens: flags.maxNumBatchedTokens ?? 8192,
      chunkedPrefill: flags.chunkedPrefill ?? true,
      prefixCaching: flags.prefixCaching ?? true,
      ...(flags.maxModelLen ? { maxModelLen: flags.maxModelLen } : {}),
    },
    workload: {
      synthetic: {
        count: completed,
        arrival:
          rate === 0
            ? { process: 'deterministic', rateRps: MAX_RATE_RPS }
            : burstiness === 1
              ? { process: 'poisson', rateRps: rate }
              : { process: 'gamma', rateRps: rate, cv: 1 / Math.sqrt(burstiness) },
        prompt: { dist: 'fixed', tokens: Math.max(1, Math.round(num('total_input_tokens')! / completed)) },
        output: { dist: 'fixed', tokens: Math.max(1, Math.round(num('total_output_tokens')! / completed)) },
      },
      ...(num('max_concurrency', true) ? { maxConcurrency: num('max_concurrency')! } : {}),
    },
    measured: {
      ttftMeanS: ms('mean_ttft_ms'),
      ttftP50S: ms('median_ttft_ms'),
      ttftP99S: ms('p99_ttft_ms'),
      tpotMeanS: ms('mean_tpot_ms'),
      e2eMeanS: ms('mean_e2el_ms'),
      e2eP99S: ms('p99_e2el_ms'),
      throughputRps: num('request_throughput', true),
    },
  };
}
