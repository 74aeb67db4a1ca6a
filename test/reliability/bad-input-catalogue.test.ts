/**
 * The bad-input catalogue: hundreds of broken inputs over every command, file kind and flag, each
 * held to the CLI's contract for bad input (README, "Errors and limits"): exit code 2; exactly one
 * line on stderr, starting `llmsim: `, naming the file (with a line or field) or the flag, saying
 * what was expected and what was found; no stack trace and no internal error; no results on
 * stdout; and nothing written (the output given with -o does not exist afterwards, or is
 * unchanged if it existed). Data-driven: add a row to a table below to add a case.
 *
 * Each case runs in its own directory `$D` (below one mkdtemp, removed in afterAll), where the
 * base files (a valid scenario s.yaml and its native trace t.csv, ...) are written first and the
 * case's files over them; `$D` and `$R` (the repository) are replaced in file texts and args.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { captureCli } from '../support/cli.js';

// Root reads every file: an unreadable file is injected by name (as well as by chmod 000).
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((path: unknown, ...rest: unknown[]) => {
    if (typeof path === 'string' && path.includes('UNREADABLE')) throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
    return (fs.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
  return { ...fs, readFileSync, default: { ...fs, readFileSync } };
});

const R = resolve(__dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'llmsim-catalogue-'));
const cli = captureCli(root);

/** One bad input: files to write in `$D`, the command line, and what its one line must say. */
interface Case {
  readonly name: string;
  readonly files?: Readonly<Record<string, string | Buffer>>;
  readonly args: readonly string[];
  readonly expect: RegExp;
  /** Extra set-up in the case directory (symlinks, directories, permissions). */
  readonly setup?: (d: string) => void;
  /** The output the command was given (relative to `$D`); default `out` when args name `$D/out`. */
  readonly out?: string;
}

// ---------------------------------------------------------------------------------------------
// Base files

const PROFILE_CB = `${R}/profiles/splitwise/llama2-70b-h100-tp4.yaml`;
const NATIVE = 'arrival_s,prompt_tokens,output_tokens\n0,10,5\n0.5,20,3\n1,30,4\n';
const BASE = [
  'name: cat', //                                      1
  'seed: 3', //                                        2
  'workload:', //                                      3
  '  trace: { path: t.csv }', //                       4
  'cluster:', //                                       5
  '  devices:', //                                     6
  '    - name: gpu', //                                7
  '      kind: continuous-batching', //                8
  `      profile: ${PROFILE_CB}`, //                   9
  '      replicas: 1', //                             10
  'policy:', //                                       11
  '  name: fifo', //                                  12
  '  params: { routing: round-robin }', //            13
  '',
].join('\n');
const SYN = '  synthetic:\n    count: 5\n    arrival: { process: poisson, rateRps: 1 }\n    prompt: { dist: fixed, tokens: 10 }\n    output: { dist: fixed, tokens: 5 }';
const SESS =
  '  sessions:\n    count: 3\n    arrival: { process: poisson, rateRps: 1 }\n    turns: { dist: fixed, tokens: 2 }\n    userTokens: { dist: fixed, tokens: 10 }\n    outputTokens: { dist: fixed, tokens: 5 }\n    thinkS: { dist: fixed, valueS: 1 }';
const SUMMARY = readFileSync(join(R, 'test/golden/cb-fifo-least-loaded.summary.json'), 'utf8');
const BILINEAR = readFileSync(join(R, 'profiles/wilkins/llama-2-7b-a100.yaml'), 'utf8');
const ITERATION = readFileSync(PROFILE_CB, 'utf8');
const ROOFLINE = readFileSync(join(R, 'profiles/roofline/llama-2-7b-h100-sxm5-80gb-x1.yaml'), 'utf8');
const TRANSFORMER = readFileSync(join(R, 'profiles/transformer/llama-3.1-8b-h100-sxm5-80gb-tp1.yaml'), 'utf8');
const STAGES = readFileSync(join(R, 'data/serving/inference-perf-kubecon/stages.csv'), 'utf8');
const FIT_CSV = 'input_tokens,output_tokens,runtime_s\n8,64,1\n16,16,2\n32,8,4\n64,32,8\n100,100,20\n';
const TABLE = 'id,config,rate_rps,prompt_tokens,output_tokens,requests,ttft_mean_ms,e2e_mean_ms\np1,c,1,100,50,20,30,500\np2,c,2,100,50,20,35,520\n';
const BENCH = JSON.stringify({ completed: 10, total_input_tokens: 1000, total_output_tokens: 500, request_rate: 2, duration: 5, mean_ttft_ms: 30, mean_tpot_ms: 8, mean_e2el_ms: 430 });

/** The base scenario with `from` replaced by `to` (each a string or a regex). */
const sub = (...pairs: [string | RegExp, string][]) => pairs.reduce((t, [a, b]) => t.replace(a, b), BASE);
/** The base scenario on a synthetic workload, with replacements. */
const syn = (...pairs: [string | RegExp, string][]) => sub(['  trace: { path: t.csv }', SYN], ...pairs);
const withDevice = (extra: string, text = BASE) => text.replace('      replicas: 1', `      replicas: 1\n${extra}`);
const out = ['-q', '-o', '$D/out'];

// ---------------------------------------------------------------------------------------------
// run: scenario files

const scenarioCases: Case[] = [];
const scenario = (name: string, text: string | Buffer, expectRe: RegExp, files: Record<string, string | Buffer> = {}, args: string[] = []) =>
  scenarioCases.push({ name: `run: scenario ${name}`, files: { 's.yaml': text, ...files }, args: ['run', '$D/s.yaml', ...out, ...args], expect: expectRe });

// YAML syntax, structure and encoding
scenario('unclosed flow sequence', sub(['seed: 3', 'seed: [3']), /s\.yaml:\d+:\d+: expected valid YAML, found invalid YAML/);
scenario('unclosed quote', sub(['name: cat', 'name: "cat']), /s\.yaml:\d+:\d+: expected valid YAML/);
scenario('tab indentation', sub(['      replicas: 1', '\treplicas: 1']), /s\.yaml:\d+:\d+: expected valid YAML/);
scenario('bad indentation', sub(['      replicas: 1', '        replicas: 1']), /s\.yaml:\d+:\d+: expected valid YAML/);
scenario('duplicate top-level key', sub(['seed: 3', 'seed: 3\nseed: 4']), /s\.yaml:3:\d+: expected valid YAML, found invalid YAML: Map keys must be unique/);
scenario('duplicate nested key', sub(['      replicas: 1', '      replicas: 1\n      replicas: 2']), /s\.yaml:11:\d+: expected valid YAML.*unique/);
scenario('two documents', `${BASE}---\nname: other\n`, /s\.yaml:\d+:\d+: expected valid YAML/);
scenario('unknown alias', sub(['seed: 3', 'seed: *nope']), /s\.yaml:2:\d+: expected an anchor \(&name\) defined before its alias, found/);
scenario(
  'alias bomb',
  ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n'),
  /s\.yaml:2:\d+: expected aliases \(\*name\) that expand to at most 1000 nodes, found more/,
);
scenario('nested 100 deep (block)', `${Array.from({ length: 100 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n`, /s\.yaml:\d+:\d+: expected mappings and lists nested at most 64 deep, found deeper/);
scenario('nested 5000 deep (flow)', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /s\.yaml:\d+:\d+: expected mappings and lists nested at most 64 deep/);
scenario('empty file', '', /s\.yaml: expected a scenario .*found an empty file/);
scenario('only a comment', '# nothing\n', /s\.yaml: expected a scenario .*found an empty file/);
scenario('a scalar', 'hello\n', /s\.yaml:1:1: expected object, found "hello"/);
scenario('a list', '- a\n- b\n', /s\.yaml:1:1: expected object, found a list/);
scenario('binary garbage', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]), /s\.yaml:1:1: expected UTF-8 text, found the byte 0x89/);
scenario('a Latin-1 byte in a value', Buffer.from(sub(['name: cat', 'name: caf\xe9']), 'latin1'), /s\.yaml:1:10: expected UTF-8 text, found the byte 0xe9/);
scenario('NUL bytes', sub(['name: cat', 'name: c\u0000at']), /s\.yaml:\d+:\d+: expected valid YAML|s\.yaml:1:\d+: name: expected/);
scenario('emoji in the name', sub(['name: cat', 'name: cat🐈']), /s\.yaml:1:7: name: expected letters, digits.*found "cat🐈"/);
scenario('unicode key typo', sub(['      replicas: 1', '      réplicas: 1']), /s\.yaml:10:7: cluster\.devices\[0\]\.réplicas: unknown key \(did you mean "replicas"\?\)/);
scenario('right-to-left override in a path', sub(['path: t.csv', 'path: t\u202e.csv']), /s\.yaml:4:\d+: workload\.trace\.path: expected an existing file/);
// top-level fields
scenario('unknown top-level key', sub(['seed: 3', 'sed: 3']), /s\.yaml:2:1: sed: unknown key \(did you mean "seed"\?\)/);
scenario('missing name', sub(['name: cat\n', '']), /s\.yaml:1:1: name: missing required field \(expected string, found nothing\)/);
scenario('name a number', sub(['name: cat', 'name: 5']), /s\.yaml:1:7: name: expected string, found 5/);
scenario('name with a slash', sub(['name: cat', 'name: ../evil']), /s\.yaml:1:7: name: expected letters, digits.*found "\.\.\/evil"/);
scenario('seed a string', sub(['seed: 3', 'seed: x']), /s\.yaml:2:7: seed: expected number, found "x"/);
scenario('seed negative', sub(['seed: 3', 'seed: -1']), /s\.yaml:2:7: seed: expected >= 0, found -1/);
scenario('seed fractional', sub(['seed: 3', 'seed: 1.5']), /s\.yaml:2:7: seed: expected int, found 1\.5/);
scenario('seed 2^32', sub(['seed: 3', 'seed: 4294967296']), /s\.yaml:2:7: seed: expected <= 4294967295/);
scenario('seed .nan', sub(['seed: 3', 'seed: .nan']), /s\.yaml:2:7: seed: expected a finite number, found NaN/);
scenario('seed .inf', sub(['seed: 3', 'seed: .inf']), /s\.yaml:2:7: seed: expected a finite number, found Infinity/);
scenario('seed -.inf', sub(['seed: 3', 'seed: -.inf']), /s\.yaml:2:7: seed: expected a finite number, found -Infinity/);
scenario('seed 1e400', sub(['seed: 3', 'seed: 1e400']), /s\.yaml:2:7: seed: expected a finite number, found Infinity/);
scenario('description a list', sub(['seed: 3', 'seed: 3\ndescription: [a]']), /s\.yaml:3:14: description: expected string, found a list/);
scenario('workload a list', sub(['  trace: { path: t.csv }', '  - trace']), /s\.yaml:\d+:\d+: workload: expected object, found a list/);
scenario('cluster a string', sub([/cluster:\n[\s\S]*?policy:/, 'cluster: big\npolicy:']), /s\.yaml:5:10: cluster: expected object, found "big"/);
scenario('devices empty', sub([/cluster:\n[\s\S]*?policy:/, 'cluster:\n  devices: []\npolicy:']), /s\.yaml:6:12: cluster\.devices: expected at least 1 item\(s\), found 0/);
scenario('devices a mapping', sub([/cluster:\n[\s\S]*?policy:/, 'cluster:\n  devices: { a: 1 }\npolicy:']), /s\.yaml:6:12: cluster\.devices: expected array, found a mapping/);
scenario('output.dir empty', `${BASE}output: { dir: '' }\n`, /s\.yaml:14:\d+: output\.dir: expected >= 1|output\.dir: .*expected/);
scenario('output.requests a string', `${BASE}output: { requests: "yes" }\n`, /s\.yaml:14:\d+: output\.requests: expected boolean, found "yes"/);
scenario('output unknown key', `${BASE}output: { directory: x }\n`, /s\.yaml:14:\d+: output\.directory: unknown key; expected one of: dir, requests, found "directory"/);
scenario('slo negative', `${BASE}slo: { ttftS: -1 }\n`, /s\.yaml:14:\d+: slo\.ttftS: expected > 0, found -1/);
scenario('slo huge', `${BASE}slo: { e2eS: 1e300 }\n`, /s\.yaml:14:\d+: slo\.e2eS: expected <= 1000000000, found 1e\+300/);
scenario('slo unknown key', `${BASE}slo: { ttft: 1 }\n`, /s\.yaml:14:\d+: slo\.ttft: unknown key \(did you mean "ttftS"\?\)/);
// devices
scenario('device unknown kind', sub(['kind: continuous-batching', 'kind: gpu']), /s\.yaml:8:\d+: cluster\.devices\[0\]\.kind: expected kind to be one of .*found "gpu"/);
scenario('device without kind', sub(['      kind: continuous-batching\n', '']), /s\.yaml:7:\d+: cluster\.devices\[0\]\.kind: expected kind to be one of/);
scenario('device without name', sub(['    - name: gpu\n      kind', '    - kind']), /s\.yaml:\d+:\d+: cluster\.devices\[0\]\.name: missing required field/);
scenario('device without profile', sub([`      profile: ${PROFILE_CB}\n`, '']), /s\.yaml:7:\d+: cluster\.devices\[0\]\.profile: expected a profile, or model and hardware/);
scenario('device with profile and model', withDevice('      model: llama-3.1-8b\n      hardware: h100-sxm5-80gb'), /s\.yaml:11:\d+: cluster\.devices\[0\]\.model: expected either profile or model \+ hardware, not both/);
scenario('device model without hardware', sub([`profile: ${PROFILE_CB}`, 'model: llama-3.1-8b']), /cluster\.devices\[0\]\.hardware: expected both model and hardware/);
scenario('unknown model id', sub([`profile: ${PROFILE_CB}`, 'model: llama-9\n      hardware: h100-sxm5-80gb']), /s\.yaml:9:\d+: cluster\.devices\[0\]\.model: expected a model id of profiles\/models\/, found unknown "llama-9"/);
scenario('unknown hardware id', sub([`profile: ${PROFILE_CB}`, 'model: llama-3.1-8b\n      hardware: h900']), /s\.yaml:10:\d+: cluster\.devices\[0\]\.hardware: expected a hardware id of profiles\/hardware\/, found unknown "h900"/);
scenario('unknown shipped profile name', sub([`profile: ${PROFILE_CB}`, 'profile: no-such-profile']), /s\.yaml:9:\d+: cluster\.devices\[0\]\.profile: expected the name of a shipped profile, found unknown "no-such-profile"/);
scenario('profile path missing', sub([`profile: ${PROFILE_CB}`, 'profile: ./nope.yaml']), /s\.yaml:9:\d+: cluster\.devices\[0\]\.profile: expected an existing file, found none/);
scenario('profile path a directory', sub([`profile: ${PROFILE_CB}`, `profile: ${R}/profiles/`]), /s\.yaml:9:\d+: cluster\.devices\[0\]\.profile: expected an existing file, found none/);
scenario('tensorParallel 0', sub([`profile: ${PROFILE_CB}`, 'model: llama-3.1-8b\n      hardware: h100-sxm5-80gb\n      tensorParallel: 0']), /cluster\.devices\[0\]\.tensorParallel: expected >= 1, found 0/);
scenario('tensorParallel 65', sub([`profile: ${PROFILE_CB}`, 'model: llama-3.1-8b\n      hardware: h100-sxm5-80gb\n      tensorParallel: 65']), /cluster\.devices\[0\]\.tensorParallel: expected <= 64, found 65/);
const deviceField = (field: string, value: string, re: RegExp) => scenario(`${field}: ${value}`, withDevice(`      ${field}: ${value}`), re);
for (const [value, re] of [
  ['0', /replicas: expected > 0, found 0/],
  ['-1', /replicas: expected > 0, found -1/],
  ['1.5', /replicas: expected int, found 1\.5/],
  ['two', /replicas: expected number, found "two"/],
  ['1e9', /replicas: expected <= 10000, found 1000000000/],
  ['null', /replicas: expected number, found null/],
  ['true', /replicas: expected number, found true/],
  ['.inf', /replicas: expected a finite number, found Infinity/],
  ['[1]', /replicas: expected number, found a list/],
] as const) scenario(`replicas: ${value}`, sub(['replicas: 1', `replicas: ${value}`]), new RegExp(`s\\.yaml:10:17: cluster\\.devices\\[0\\]\\.${re.source}`));
deviceField('scheduler', 'fastest', /s\.yaml:11:\d+: cluster\.devices\[0\]\.scheduler: expected one of "vllm-v1".*found "fastest"/);
deviceField('maxBatchSize', '0', /s\.yaml:11:\d+: cluster\.devices\[0\]\.maxBatchSize: expected > 0, found 0/);
deviceField('maxBatchSize', '1e9', /s\.yaml:11:\d+: cluster\.devices\[0\]\.maxBatchSize: expected <= 65536, found 1000000000/);
deviceField('maxBatchedTokens', '-5', /maxBatchedTokens: expected > 0, found -5/);
deviceField('maxBatchedTokens', '1e12', /maxBatchedTokens: expected <= 10000000, found 1000000000000/);
deviceField('chunkSize', '1e12', /chunkSize: expected <= 10000000/);
deviceField('longPrefillThreshold', '-1', /longPrefillThreshold: expected >= 0, found -1/);
deviceField('maxModelLen', '0', /maxModelLen: expected > 0, found 0/);
deviceField('maxModelLen', '1e300', /maxModelLen: expected <= 20000000/);
deviceField('blockSize', '0', /s\.yaml:11:\d+: cluster\.devices\[0\]\.blockSize: expected > 0, found 0/);
deviceField('blockSize', '1e9', /blockSize: expected <= 10000000, found 1000000000/);
deviceField('kvCapacityTokens', '0', /kvCapacityTokens: expected > 0, found 0/);
deviceField('kvCapacityTokens', '1e15', /kvCapacityTokens: expected <= 1000000000000/);
deviceField('fastForward', 'yes', /fastForward: expected boolean, found "yes"/);
deviceField('prefixCaching', '1', /prefixCaching: expected boolean, found 1/);
scenario('noise: true on a profile without residuals', withDevice('      noise: true', sub([PROFILE_CB, `${R}/profiles/roofline/llama-2-7b-h100-sxm5-80gb-x1.yaml`])), /s\.yaml:11:\d+: cluster\.devices\[0\]\.noise: expected a profile with a noise block \(the residuals of its fit\), found none/);
scenario('blockSize above kvCapacityTokens', withDevice('      kvCapacityTokens: 1000\n      blockSize: 2048'), /s\.yaml:12:\d+: cluster\.devices\[0\]\.blockSize: expected a block size <= kvCapacityTokens \(1000 tokens\), found 2048/);
// P/D disaggregation
const PD_DECODE = `    - name: dec\n      kind: continuous-batching\n      profile: ${PROFILE_CB}\n      role: decode\n`;
const pd = (block: string, role = 'prefill', decode = PD_DECODE) =>
  `${withDevice(`      role: ${role}`).split('policy:')[0]}${decode}${block}policy:${BASE.split('policy:')[1]}`;
const LINK = '  disaggregation:\n    link: { bandwidthBytesPerS: 50e9 }\n';
scenario('P/D role without a disaggregation block', pd(''), /s\.yaml:11:\d+: cluster\.devices\[0\]\.role: expected cluster\.disaggregation \(the link KV moves over\) with a role, found none/);
scenario('P/D role unknown', pd(LINK, 'both'), /cluster\.devices\[0\]\.role: expected one of "prefill", "decode", found "both"/);
scenario('P/D role on the legacy scheduler', pd(LINK, 'prefill\n      scheduler: legacy'), /cluster\.devices\[0\]\.role: expected a scheduler other than legacy on a replica with a P\/D role/);
scenario('P/D without a decode group', pd(LINK, 'prefill', PD_DECODE.replace('role: decode', 'role: prefill')), /s\.yaml:\d+:\d+: cluster\.disaggregation: expected a device group with role decode, found none/);
scenario('P/D group without a role', pd(LINK, 'prefill', PD_DECODE.replace('      role: decode\n', '')), /cluster\.devices\[1\]\.kind: expected every group of a disaggregated cluster to be continuous-batching with role prefill or decode, found continuous-batching "dec" without a role/);
scenario('P/D link bandwidth 0', pd(LINK.replace('50e9', '0')), /cluster\.disaggregation\.link\.bandwidthBytesPerS: expected > 0, found 0/);
scenario('P/D link bandwidth 1e20', pd(LINK.replace('50e9', '1e20')), /cluster\.disaggregation\.link\.bandwidthBytesPerS: expected <= 10000000000000000/);
scenario('P/D link latency -1', pd(LINK.replace('}', ', latencyS: -1 }')), /cluster\.disaggregation\.link\.latencyS: expected >= 0, found -1/);
scenario('P/D link scope unknown', pd(LINK.replace('}', ', scope: mesh }')), /cluster\.disaggregation\.link\.scope: expected one of "per-prefill-replica", "per-decode-replica", "shared", found "mesh"/);
scenario('P/D decodeRouting unknown', pd(`${LINK}    decodeRouting: random\n`), /cluster\.disaggregation\.decodeRouting: expected one of "least-loaded", "round-robin", found "random"/);
scenario('P/D without a link', pd('  disaggregation: {}\n'), /cluster\.disaggregation\.link: missing required field/);
scenario('duplicate device names', `${BASE.split('policy:')[0]}    - name: gpu\n      kind: continuous-batching\n      profile: ${PROFILE_CB}\npolicy:${BASE.split('policy:')[1]}`, /s\.yaml:11:\d+: cluster\.devices\[1\]\.name: expected a unique device name, found "gpu" twice/);
scenario('10,001 replicas in all', `${sub(['replicas: 1', 'replicas: 6000']).split('policy:')[0]}    - name: gpu2\n      kind: continuous-batching\n      profile: ${PROFILE_CB}\n      replicas: 4001\npolicy:${BASE.split('policy:')[1]}`, /cluster\.devices\[1\]\.replicas: expected at most 10000 replicas in the whole cluster/);
scenario('slots 0', sub(['kind: continuous-batching', 'kind: slots'], [PROFILE_CB, `${R}/profiles/wilkins/llama-2-7b-a100.yaml\n      slots: 0`]), /cluster\.devices\[0\]\.slots: expected > 0, found 0/);
scenario('slots 1e9', sub(['kind: continuous-batching', 'kind: slots'], [PROFILE_CB, `${R}/profiles/wilkins/llama-2-7b-a100.yaml\n      slots: 1e9`]), /cluster\.devices\[0\]\.slots: expected <= 65536/);
scenario('slots device with an iteration profile', sub(['kind: continuous-batching', 'kind: slots']), /s\.yaml:9:\d+: cluster\.devices\[0\]\.profile: expected a profile of form "bilinear" for this device kind, found "iteration"/);
scenario('static-batching maxBatchSize 1e6', sub(['kind: continuous-batching', 'kind: static-batching'], ['replicas: 1', 'replicas: 1\n      maxBatchSize: 1e6']), /cluster\.devices\[0\]\.maxBatchSize: expected <= 65536/);
scenario('continuous-batching key on static-batching', sub(['kind: continuous-batching', 'kind: static-batching'], ['replicas: 1', 'replicas: 1\n      blockSize: 16']), /s\.yaml:11:7: cluster\.devices\[0\]\.blockSize: unknown key/);
scenario('edge-pipeline without storage', sub(['kind: continuous-batching', 'kind: edge-pipeline'], [`profile: ${PROFILE_CB}`, `model: ${R}/profiles/edge/bert-base.yaml\n      memoryBudgetBytes: 1e8\n      targetLatencyS: 1`]), /cluster\.devices\[0\]\.storage: missing required field/);
// workload
scenario('workload with no source', sub(['  trace: { path: t.csv }', '  rateScale: 2']), /s\.yaml:4:\d+: workload: expected exactly one of trace, synthetic or sessions/);
scenario('workload with two sources', sub(['  trace: { path: t.csv }', `  trace: { path: t.csv }\n${SYN}`]), /workload\.synthetic: expected exactly one of trace, synthetic or sessions/);
scenario('trace path missing', sub(['path: t.csv', 'path: gone.csv']), /s\.yaml:4:\d+: workload\.trace\.path: expected an existing file, found none at .*gone\.csv/);
scenario('trace path empty', sub(['path: t.csv', "path: ''"]), /s\.yaml:4:\d+: workload\.trace\.path: expected >= 1|workload\.trace\.path: .*expected/);
scenario('trace format unknown', sub(['path: t.csv }', 'path: t.csv, format: parquet }']), /workload\.trace\.format: expected one of "auto", "llmsim", "azure", "mooncake", "vidur", "burstgpt", "sharegpt", "vllm-bench", "otel", found "parquet"/);
scenario('trace.columns without the arrival', sub(['path: t.csv }', 'path: t.csv, columns: { promptTokens: p, outputTokens: o } }']), /workload\.trace\.columns\.arrival: missing required field \(expected string, found nothing\)/);
scenario('trace.time without trace.columns', sub(['path: t.csv }', 'path: t.csv, time: { unit: ms } }']), /workload\.trace\.time: expected trace\.columns beside trace\.time/);
scenario('trace.time unit unknown', sub(['path: t.csv }', 'path: t.csv, columns: { arrival: a, promptTokens: p, outputTokens: o }, time: { unit: ns } }']), /workload\.trace\.time\.unit: expected one of "s", "ms", "us", found "ns"/);
scenario('mooncakeArrivals unknown', sub(['path: t.csv }', 'path: t.csv, mooncakeArrivals: jitter }']), /workload\.trace\.mooncakeArrivals: expected one of "spread", "burst", found "jitter"/);
scenario('trace key typo', sub(['path: t.csv }', 'path: t.csv, fromat: azure }']), /s\.yaml:4:\d+: workload\.trace\.fromat: unknown key \(did you mean "format"\?\)/);
scenario('synthetic without count or durationS', syn(['    count: 5\n', '']), /workload\.synthetic: expected count or durationS/);
for (const [field, value, re] of [
  ['count: 5', 'count: 0', /workload\.synthetic\.count: expected >= 1, found 0/],
  ['count: 5', 'count: 1e9', /workload\.synthetic\.count: expected <= 10000000, found 1000000000/],
  ['count: 5', 'count: 2.5', /workload\.synthetic\.count: expected int, found 2\.5/],
  ['count: 5', 'durationS: 0', /workload\.synthetic\.durationS: expected > 0, found 0/],
  ['count: 5', 'durationS: 1e12', /workload\.synthetic\.durationS: expected <= 1000000000, found 1000000000000/],
  ['count: 5', 'durationS: 2e7', /workload\.synthetic\.durationS: expected durationS \* rateRps <= 10000000 requests/],
  ['count: 5', 'durationS: 1e-9', /workload\.synthetic\.durationS: expected a duration long enough for one arrival/],
  ['process: poisson', 'process: hawkes', /workload\.synthetic\.arrival\.process: expected process to be one of "poisson", "gamma", "deterministic", found "hawkes"/],
  ['rateRps: 1', 'rateRps: 0', /workload\.synthetic\.arrival\.rateRps: expected >= 0\.000001, found 0/],
  ['rateRps: 1', 'rateRps: -2', /workload\.synthetic\.arrival\.rateRps: expected >= 0\.000001, found -2/],
  ['rateRps: 1', 'rateRps: 1e-300', /workload\.synthetic\.arrival\.rateRps: expected >= 0\.000001, found 1e-300/],
  ['rateRps: 1', 'rateRps: 1e300', /workload\.synthetic\.arrival\.rateRps: expected <= 10000000, found 1e\+300/],
  ['process: poisson, rateRps: 1', 'process: gamma, rateRps: 1, cv: 0', /workload\.synthetic\.arrival\.cv: expected >= 0\.001, found 0/],
  ['process: poisson, rateRps: 1', 'process: gamma, rateRps: 1', /workload\.synthetic\.arrival\.cv: missing required field/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: zipf, tokens: 10 }', /workload\.synthetic\.prompt\.dist: expected dist to be one of .*found "zipf"/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: fixed, tokens: 0 }', /workload\.synthetic\.prompt\.tokens: expected >= 1, found 0/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: fixed, tokens: 1e12 }', /workload\.synthetic\.prompt\.tokens: expected <= 10000000, found 1000000000000/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: uniform, min: 9, max: 3 }', /workload\.synthetic\.prompt\.max: expected max >= min \(9\), found 3/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: lognormal, median: 0, sigma: 1 }', /workload\.synthetic\.prompt\.median: expected > 0, found 0/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: lognormal, median: 10, sigma: -1 }', /workload\.synthetic\.prompt\.sigma: expected >= 0, found -1/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: lognormal, median: 10, sigma: 1e6 }', /workload\.synthetic\.prompt\.sigma: expected <= 20, found 1000000/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: empirical, path: gone.csv }', /workload\.synthetic\.prompt\.path: expected an existing file, found none/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: empirical, path: t.csv, column: both }', /workload\.synthetic\.prompt\.column: expected one of "prompt", "output", found "both"/],
  ['{ dist: fixed, tokens: 5 }', '{ dist: uncertainty-lognormal, logMeanBase: 1, logMeanPerU: 1, sigma: 1 }', /workload\.synthetic\.output\.dist: expected a synthetic\.uncertainty block/],
  ['{ dist: fixed, tokens: 5 }', '{ dist: fixed, tokens: 5 }\n    uncertainty: { dist: beta, a: 0, b: 1 }', /workload\.synthetic\.uncertainty\.a: expected > 0, found 0/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: shared-prefix, groups: 0, usersPerGroup: 1, systemTokens: 5, questionTokens: 5 }', /workload\.synthetic\.prompt\.groups: expected >= 1, found 0/],
  ['{ dist: fixed, tokens: 10 }', '{ dist: shared-prefix, groups: 70000, usersPerGroup: 1, systemTokens: 5, questionTokens: 5 }', /workload\.synthetic\.prompt\.groups: expected <= 65535, found 70000/],
] as const) scenario(`synthetic ${value}`, syn([field, value]), new RegExp(`s\\.yaml:\\d+:\\d+: ${re.source}`));
for (const [value, re] of [
  ['rateScale: 0', /workload\.rateScale: expected >= 0\.000001, found 0/],
  ['rateScale: 1e-300', /workload\.rateScale: expected >= 0\.000001, found 1e-300/],
  ['rateScale: 1e300', /workload\.rateScale: expected <= 1000000, found 1e\+300/],
  ['window: { startS: 5, endS: 5 }', /workload\.window\.endS: expected endS > startS \(5\), found 5/],
  ['window: { startS: -1 }', /workload\.window\.startS: expected >= 0, found -1/],
  ['window: { startS: 0, endS: 1e300 }', /workload\.window\.endS: expected <= 1000000000, found 1e\+300/],
  ['window: { startS: 100, endS: 200 }', /workload\.window: expected the window \[100, 200\) s to contain a request, found none/],
  ['limit: 0', /workload\.limit: expected >= 1, found 0/],
  ['limit: 1.5', /workload\.limit: expected int, found 1\.5/],
  ['limit: 1e12', /workload\.limit: expected <= 10000000/],
  ['uncertainty: { rho: 2 }', /workload\.uncertainty\.rho: expected <= 1, found 2/],
  ['deadline: { fixedS: 5, baseS: 1 }', /workload\.deadline: expected either fixedS, or baseS and\/or perOutputTokenS/],
  ['deadline: { fixedS: 0 }', /workload\.deadline\.fixedS: expected > 0, found 0/],
  ['deadline: { baseS: 0 }', /workload\.deadline\.baseS: expected baseS or perOutputTokenS > 0/],
  ['timeoutS: -1', /workload\.timeoutS: .*expected/],
  ['timeoutS: { default: abc }', /workload\.timeoutS\.default: expected number, found "abc"/],
  ['timeoutS: 1e300', /workload\.timeoutS: .*expected/],
  ['maxConcurrency: 0', /workload\.maxConcurrency: expected >= 1, found 0/],
  ['maxConcurrency: 1e12', /workload\.maxConcurrency: expected <= 10000000/],
] as const) scenario(`workload ${value}`, sub(['  trace: { path: t.csv }', `  trace: { path: t.csv }\n  ${value}`]), new RegExp(`s\\.yaml:\\d+:\\d+: ${re.source}`));
for (const [field, value, re] of [
  ['count: 3', 'count: 0', /workload\.sessions\.count: expected >= 1, found 0/],
  ['turns: { dist: fixed, tokens: 2 }', 'turns: { dist: fixed, tokens: 1001 }', /workload\.sessions\.turns\.tokens: expected at most 1000 turns per session, found 1001/],
  ['turns: { dist: fixed, tokens: 2 }', 'turns: { dist: uniform, min: 1, max: 1e6 }', /workload\.sessions\.turns\.max: expected at most 1000 turns per session/],
  ['thinkS: { dist: fixed, valueS: 1 }', 'thinkS: { dist: exponential, meanS: 0 }', /workload\.sessions\.thinkS\.meanS: expected > 0, found 0/],
  ['thinkS: { dist: fixed, valueS: 1 }', 'thinkS: { dist: fixed, valueS: 1e300 }', /workload\.sessions\.thinkS\.valueS: expected <= 1000000000/],
  ['thinkS: { dist: fixed, valueS: 1 }', 'thinkS: { dist: sometimes }', /workload\.sessions\.thinkS\.dist: expected dist to be one of/],
  ['userTokens: { dist: fixed, tokens: 10 }', 'userTokens: { dist: empirical, path: t.csv }', /workload\.sessions\.userTokens\.dist: expected dist to be one of "fixed", "uniform", "lognormal", found "empirical"/],
  ['thinkS: { dist: fixed, valueS: 1 }', 'history: false', /workload\.sessions: expected exactly one of thinkS \(users\) or tool \(agents\), found neither/],
  ['thinkS: { dist: fixed, valueS: 1 }', 'thinkS: { dist: fixed, valueS: 1 }\n    tool: { durationS: { dist: fixed, valueS: 1 }, resultTokens: { dist: fixed, tokens: 5 } }', /workload\.sessions\.thinkS: expected exactly one of thinkS \(users\) or tool \(agents\), found both/],
  ['thinkS: { dist: fixed, valueS: 1 }', 'tool: { durationS: { dist: fixed, valueS: -1 }, resultTokens: { dist: fixed, tokens: 5 } }', /workload\.sessions\.tool\.durationS\.valueS: expected >= 0, found -1/],
  ['thinkS: { dist: fixed, valueS: 1 }', 'tool: { durationS: { dist: fixed, valueS: 1 }, resultTokens: { dist: fixed, tokens: 0 } }', /workload\.sessions\.tool\.resultTokens\.tokens: expected >= 1, found 0/],
  ['thinkS: { dist: fixed, valueS: 1 }', 'history: false\n    tool: { durationS: { dist: fixed, valueS: 1 }, resultTokens: { dist: fixed, tokens: 5 } }', /workload\.sessions\.history: expected history: true with tool/],
] as const) scenario(`sessions ${value}`, sub(['  trace: { path: t.csv }', SESS.replace(field, value)]), new RegExp(`s\\.yaml:\\d+:\\d+: ${re.source}`));
scenario('sessions of 100,000 x 100 turns', sub(['  trace: { path: t.csv }', SESS.replace('count: 3', 'count: 100000').replace('tokens: 2 }', 'tokens: 100 }')]), /s\.yaml:5:\d+: workload\.sessions\.count: expected count x turns\^2 <= 100000000 prefix segments \(turns 100\), found 100000/);
// policy
scenario('unknown policy', sub(['name: fifo', 'name: fifi']), /s\.yaml:12:9: policy\.name: unknown policy "fifi" \(did you mean "fifo"\?\); expected one of: .*found|s\.yaml:12:9: policy\.name: unknown policy "fifi"/);
scenario('policy name a number', sub(['name: fifo', 'name: 7']), /s\.yaml:12:9: policy\.name: expected string, found 7/);
scenario('policy params a list', sub(['params: { routing: round-robin }', 'params: [round-robin]']), /s\.yaml:13:11: policy\.params: expected record, found a list/);
scenario('policy param typo', sub(['routing: round-robin', 'routng: round-robin']), /s\.yaml:13:\d+: policy\.params\.routng: unknown key \(did you mean "routing"\?\)/);
scenario('policy param bad value', sub(['routing: round-robin', 'routing: sideways']), /s\.yaml:13:\d+: policy\.params\.routing: expected one of "round-robin", "least-loaded", found "sideways"/);
scenario('policy groups unknown (found at run time)', sub(['routing: round-robin', 'routing: round-robin, groups: [tpu]']), /s\.yaml:13:\d+: policy\.params\.groups\[0\]: expected a device group of the cluster \(gpu\), found "tpu"/);
scenario('policy refreshS 0', sub(['routing: round-robin', 'routing: round-robin, refreshS: 0']), /s\.yaml:13:\d+: policy\.params\.refreshS: expected > 0, found 0/);
scenario('prefix-affinity eps negative', sub(['name: fifo', 'name: prefix-affinity'], ['{ routing: round-robin }', '{ eps: -1 }']), /s\.yaml:13:\d+: policy\.params\.eps: expected >= 0, found -1/);
scenario('weighted weights all 0', sub(['name: fifo', 'name: weighted'], ['{ routing: round-robin }', '{ weights: { queue: 0, kv: 0, prefix: 0 } }']), /s\.yaml:13:\d+: policy\.params\.weights: expected at least one weight > 0/);
scenario('weighted unknown scorer', sub(['name: fifo', 'name: weighted'], ['{ routing: round-robin }', '{ weights: { cache: 1 } }']), /s\.yaml:13:\d+: policy\.params\.weights\.cache: unknown key/);
scenario('wilkins-threshold without threshold', sub(['name: fifo', 'name: wilkins-threshold'], ['{ routing: round-robin }', '{ small: gpu, large: gpu }']), /s\.yaml:13:\d+: policy\.params\.threshold: missing required field \(expected number, found nothing\)/);
scenario('wilkins-threshold on an unknown group (found at run time)', sub(['name: fifo', 'name: wilkins-threshold'], ['{ routing: round-robin }', '{ threshold: 5, small: cpu, large: gpu }']), /s\.yaml:13:\d+: policy\.params\.small: expected a device group of the cluster \(gpu\), found "cpu"/);
// a scenario's sweep block is validated by run too
scenario('sweep grid path malformed', `${BASE}sweep:\n  grid:\n    "workload..rateScale": [1]\n`, /s\.yaml:\d+:\d+: sweep\.grid\.workload\.\.rateScale: expected a field path such as workload\.rateScale/);
scenario('sweep seeds 0', `${BASE}sweep:\n  seeds: 0\n`, /s\.yaml:15:10: sweep\.seeds: .*expected/);
scenario('sweep seeds repeated', `${BASE}sweep:\n  seeds: [1, 2, 1]\n`, /s\.yaml:15:\d+: sweep\.seeds\[2\]: expected each seed once \(1 is also sweep\.seeds\[0\]\)/);
scenario('sweep level 1', `${BASE}sweep:\n  level: 1\n`, /s\.yaml:15:10: sweep\.level: expected < 1, found 1/);
// fleet: (docs/fleet.md); the block starts at line 14
const fleet = (block: string) => `${BASE}fleet:\n${block}\n`;
const CARBON_OK = 'time_s,gco2_per_kwh\n0,100\n';
scenario('fleet group unknown', fleet('  groups:\n    gpus: { pricePerGpuHour: 1 }'), /s\.yaml:16:\d+: fleet\.groups\.gpus: expected the name of a cluster\.devices entry \(gpu\), found "gpus"/);
scenario('fleet price negative', fleet('  groups:\n    gpu: { pricePerGpuHour: -1 }'), /s\.yaml:16:\d+: fleet\.groups\.gpu\.pricePerGpuHour: expected >= 0, found -1/);
scenario('fleet autoscale min > max', fleet('  groups:\n    gpu: { autoscale: { min: 3, max: 2, signal: queue, upAbove: 1, downBelow: 0 } }'), /fleet\.groups\.gpu\.autoscale\.min: expected min <= max \(2\)/);
scenario('fleet autoscale replicas outside bounds', fleet('  groups:\n    gpu: { autoscale: { min: 2, max: 4, signal: queue, upAbove: 1, downBelow: 0 } }'), /fleet\.groups\.gpu\.autoscale\.initial: expected min \(2\) <= initial replicas <= max \(4\), found 1/);
scenario('fleet autoscale unknown signal', fleet('  groups:\n    gpu: { autoscale: { max: 2, signal: cpu, upAbove: 1, downBelow: 0 } }'), /fleet\.groups\.gpu\.autoscale\.signal: expected one of "queue", "utilization", "kv", "slo-miss", found "cpu"/);
scenario('fleet autoscale down above up', fleet('  groups:\n    gpu: { autoscale: { max: 2, signal: queue, upAbove: 1, downBelow: 2 } }'), /fleet\.groups\.gpu\.autoscale\.downBelow: expected downBelow <= upAbove \(1\)/);
scenario('fleet slo-miss without slo', fleet('  groups:\n    gpu: { autoscale: { max: 2, signal: slo-miss, upAbove: 0.1, downBelow: 0 } }'), /fleet\.groups\.gpu\.autoscale\.signal: expected a scenario slo for the slo-miss signal, found none/);
scenario('fleet weightsOf unknown', fleet('  groups:\n    gpu: { autoscale: { max: 2, signal: queue, upAbove: 1, downBelow: 0, storageBytesPerS: 1e9, weightsOf: llama-9 } }'), /fleet\.groups\.gpu\.autoscale\.weightsOf: expected the id of a model file in profiles\/models\/ .*found "llama-9"/);
scenario('fleet power cap zero', fleet('  groups:\n    gpu: { powerCap: { wattsPerGpu: 0, prefillWattsPerGpu: 700 } }'), /fleet\.groups\.gpu\.powerCap\.wattsPerGpu: expected > 0, found 0/);
scenario('fleet power cap on slots', sub([`kind: continuous-batching`, 'kind: slots'], [PROFILE_CB, `${R}/profiles/wilkins/llama-2-7b-a100.yaml\n      slots: 2`]) + 'fleet:\n  groups:\n    gpu: { powerCap: { wattsPerGpu: 300, prefillWattsPerGpu: 700 } }\n', /fleet\.groups\.gpu\.powerCap: expected a device of a batching kind \(an iteration model to cap\), found kind "slots"/);
scenario('fleet carbon file missing', fleet('  carbon: { path: nope.csv }'), /s\.yaml:15:\d+: fleet\.carbon\.path: expected an existing file, found none at .*nope\.csv/);
scenario('fleet carbon bad header', fleet('  carbon: { path: c.csv }'), /c\.csv:1: expected a header with the carbon-intensity columns time_s,gco2_per_kwh/, { 'c.csv': 'time,g\n0,1\n' });
scenario('fleet carbon times not increasing', fleet('  carbon: { path: c.csv }'), /c\.csv:3: time_s: expected times increasing \(after 5\), found 5/, { 'c.csv': 'time_s,gco2_per_kwh\n5,100\n5,200\n' });
scenario('fleet carbon negative', fleet('  carbon: { path: c.csv }'), /c\.csv:3: gco2_per_kwh: expected an intensity in \[0, 100000\] gCO2\/kWh, found "-3"/, { 'c.csv': `${CARBON_OK}10,-3\n` });
scenario('fleet carbon not a number', fleet('  carbon: { path: c.csv }'), /c\.csv:2: gco2_per_kwh: expected a finite number, found "high"/, { 'c.csv': 'time_s,gco2_per_kwh\n0,high\n' });
// paths
scenarioCases.push(
  { name: 'run: scenario missing', args: ['run', '$D/nope.yaml', ...out], expect: /nope\.yaml: expected a readable scenario file, found no such file/ },
  { name: 'run: scenario is a directory', args: ['run', '$D', ...out], expect: /: expected a readable scenario file, found a directory/ },
  { name: 'run: scenario symlink loop', setup: (d) => (symlinkSync(join(d, 'loop-b.yaml'), join(d, 'loop-a.yaml')), symlinkSync(join(d, 'loop-a.yaml'), join(d, 'loop-b.yaml'))), args: ['run', '$D/loop-a.yaml', ...out], expect: /loop-a\.yaml: expected a readable scenario file, found a symbolic link loop/ },
  { name: 'run: scenario unreadable', files: { 'UNREADABLE.yaml': BASE }, setup: (d) => chmodSync(join(d, 'UNREADABLE.yaml'), 0), args: ['run', '$D/UNREADABLE.yaml', ...out], expect: /UNREADABLE\.yaml: expected a readable scenario file, found no permission to read it/ },
  { name: 'run: trace unreadable', files: { 's.yaml': sub(['t.csv', 'UNREADABLE.csv']), 'UNREADABLE.csv': NATIVE }, setup: (d) => chmodSync(join(d, 'UNREADABLE.csv'), 0), args: ['run', '$D/s.yaml', ...out], expect: /UNREADABLE\.csv: expected a readable trace file, found no permission to read it/ },
  { name: 'run: trace is a symlink loop', files: { 's.yaml': sub(['t.csv', 'loop.csv']) }, setup: (d) => symlinkSync(join(d, 'loop.csv'), join(d, 'loop.csv')), args: ['run', '$D/s.yaml', ...out], expect: /s\.yaml:4:\d+: workload\.trace\.path: expected an existing file, found none at .*loop\.csv/ },
  { name: 'run: -o is an existing file', files: { out: 'precious' }, args: ['run', '$D/s.yaml', '-q', '-o', '$D/out'], expect: /\/out: expected a directory\b.*found (a file|EEXIST)/ },
  { name: 'run: -o below an existing file', files: { out: 'precious' }, args: ['run', '$D/s.yaml', '-q', '-o', '$D/out/sub'], expect: /\/out(\/sub)?: expected a directory\b.*found (a file|EEXIST|ENOTDIR)/ },
  { name: 'run: output.dir is an existing file', files: { 's.yaml': `${BASE}output: { dir: $D/out }\n`, out: 'precious' }, args: ['run', '$D/s.yaml', '-q'], expect: /\/out: expected a directory\b.*found (a file|EEXIST)/ },
);

// ---------------------------------------------------------------------------------------------
// Traces: every format

const traceCases: Case[] = [];
const trace = (format: string, name: string, text: string | Buffer, expectRe: RegExp, file = format === 'mooncake-jsonl' ? 'tr.jsonl' : 'tr.csv') => {
  const fmt = format.startsWith('mooncake') ? 'mooncake' : format === 'native' ? 'llmsim' : format;
  traceCases.push({ name: `run: ${format} trace ${name}`, files: { 's.yaml': sub(['  trace: { path: t.csv }', `  trace: { path: ${file}, format: ${fmt} }`]), [file]: text }, args: ['run', '$D/s.yaml', ...out], expect: expectRe });
};
const HEADERS = {
  native: 'arrival_s,prompt_tokens,output_tokens',
  azure: 'TIMESTAMP,ContextTokens,GeneratedTokens',
  'mooncake-csv': 'timestamp,input_length,output_length,num_hash_blocks',
  vidur: 'request_id,arrived_at,num_prefill_tokens,num_decode_tokens',
} as const;
const ROWS = {
  native: (t: string, p: string, o: string) => `${t},${p},${o}`,
  azure: (t: string, p: string, o: string) => `2023-11-16 18:15:${String(10 + Number(t) || 10).padStart(2, '0')}.0000000,${p},${o}`,
  'mooncake-csv': (t: string, p: string, o: string) => `${t},${p},${o},1`,
  vidur: (t: string, p: string, o: string, id = '0') => `${id},${t},${p},${o}`,
} as const;
for (const f of Object.keys(HEADERS) as (keyof typeof HEADERS)[]) {
  const h = HEADERS[f];
  const row = ROWS[f];
  const good = (i: number) => (f === 'vidur' ? ROWS.vidur(String(i), '10', '5', String(i)) : row(String(i), '10', '5'));
  const csv = (...rows: string[]) => `${h}\n${rows.join('\n')}\n`;
  const tokenCol = f === 'native' ? 'prompt_tokens' : f === 'azure' ? 'ContextTokens' : f === 'vidur' ? 'num_prefill_tokens' : 'input_length';
  const bad = (p: string) => (f === 'vidur' ? ROWS.vidur('1', p, '5', '1') : row('1', p, '5'));
  trace(f, 'empty', '', /tr\.csv:1: expected a .*found an empty file/);
  trace(f, 'header only', `${h}\n`, /tr\.csv:2: expected at least one data row after the header, found none/);
  trace(f, 'only a BOM and blank lines', '\ufeff\n\n', /tr\.csv:1: expected a .*found an empty file/);
  trace(f, 'misspelt header', csv(good(0)).replace(h.split(',')[1]!, 'tokens'), /tr\.csv:1: expected .*header.*found/);
  trace(f, 'missing column', `${h.split(',').slice(0, 2).join(',')}\n${good(0).split(',').slice(0, 2).join(',')}\n`, /tr\.csv:1: expected .*found/);
  trace(f, 'a row with an extra cell', csv(good(0), `${good(1)},9`), /tr\.csv:3: expected \d cells like the header .*found \d/);
  trace(f, 'a row with a missing cell', csv(good(0), good(1).split(',').slice(0, -1).join(',')), /tr\.csv:3: expected \d cells like the header .*found \d/);
  trace(f, 'non-numeric tokens', csv(good(0), bad('abc')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected a finite number, found "abc"`));
  trace(f, 'NaN tokens', csv(good(0), bad('NaN')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected a finite number, found "NaN"`));
  trace(f, 'infinite tokens', csv(good(0), bad('Infinity')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected a finite number, found "Infinity"`));
  trace(f, 'hex tokens', csv(good(0), bad('0x10')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected a finite number, found "0x10"`));
  trace(f, 'empty token cell', csv(good(0), bad('')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected a finite number, found an empty string`));
  trace(f, 'zero tokens', csv(good(0), bad('0')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected a whole number of tokens >= 1, found "0"`));
  trace(f, 'negative tokens', csv(good(0), bad('-3')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected a whole number of tokens >= 1, found "-3"`));
  trace(f, 'fractional tokens', csv(good(0), bad('2.5')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected a whole number of tokens >= 1, found "2\\.5"`));
  trace(f, 'huge tokens', csv(good(0), bad('1e15')), new RegExp(`tr\\.csv:3: ${tokenCol}: expected at most 10000000 tokens, found "1e15"`));
  trace(f, 'a Latin-1 byte', Buffer.from(csv(good(0), good(1), `${good(2)}`).replace(/\n$/, '\xe9\n'), 'latin1'), /tr\.csv:4:\d+: expected UTF-8 text, found the byte 0xe9/);
  trace(f, 'binary garbage', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xfe, 0xff, 0x00, 0x01]), /tr\.csv:1:\d+: expected UTF-8 text, found the byte 0x8b/);
  trace(f, 'unbalanced quote', csv(good(0), `"${good(1)}`), /tr\.csv(:\d+)?: expected valid CSV, found a syntax error/);
  if (f !== 'azure') trace(f, 'unsorted rows', csv(good(0), good(2), f === 'vidur' ? ROWS.vidur('1', '10', '5', '3') : good(1)), /tr\.csv:4: (arrival_s|arrived_at|timestamp): expected arrival times in non-decreasing order/);
}
trace('azure', 'unsorted rows', `${HEADERS.azure}\n2023-11-16 18:15:12.0000000,10,5\n2023-11-16 18:15:11.0000000,10,5\n`, /tr\.csv:3: TIMESTAMP: expected arrival times in non-decreasing order/);
trace('azure', 'impossible date', `${HEADERS.azure}\n2023-02-30 18:15:12.0000000,10,5\n`, /tr\.csv:2: TIMESTAMP: expected a timestamp like 2023-11-16 18:15:46\.6805900, found "2023-02-30 18:15:12\.0000000"/);
trace('azure', 'epoch seconds instead of a timestamp', `${HEADERS.azure}\n1700150146,10,5\n`, /tr\.csv:2: TIMESTAMP: expected a timestamp like/);
trace('azure', 'arrivals 40 years apart', `${HEADERS.azure}\n1990-01-01 00:00:00,10,5\n2030-01-01 00:00:00,10,5\n`, /tr\.csv:3: TIMESTAMP: expected an arrival at most 1000000000 s after the first row's/);
trace('native', 'unknown column', `${HEADERS.native},modle\n0,10,5,a\n`, /tr\.csv:1: modle: unknown column \(did you mean "model"\?\)/);
trace('native', 'column twice', `${HEADERS.native},model,model\n0,10,5,a,b\n`, /tr\.csv:1: model: expected each column once, found "model" twice/);
trace('native', 'header in the wrong order', 'prompt_tokens,arrival_s,output_tokens\n10,0,5\n', /tr\.csv:1: expected the header to start with arrival_s,prompt_tokens,output_tokens/);
trace('native', 'negative arrival', `${HEADERS.native}\n-1,10,5\n`, /tr\.csv:2: arrival_s: expected a time >= 0, found "-1"/);
trace('native', 'arrival 1e308', `${HEADERS.native}\n0,10,5\n1e308,10,5\n`, /tr\.csv:3: arrival_s: expected an arrival time at most 1000000000 s, found 1e\+308/);
trace('native', 'uncertainty out of [0, 1]', `${HEADERS.native},uncertainty\n0,10,5,1.5\n`, /tr\.csv:2: uncertainty: expected an uncertainty score in \[0, 1\], found "1\.5"/);
trace('native', 'zero deadline', `${HEADERS.native},deadline_s\n0,10,5,0\n`, /tr\.csv:2: deadline_s: expected a relative deadline > 0 s, found "0"/);
trace('native', 'prefix longer than the prompt', `${HEADERS.native},prefix\n0,10,5,sys:20\n`, /tr\.csv:2: prefix: expected .*found/);
trace('native', 'prefix malformed', `${HEADERS.native},prefix\n0,10,5,sys\n`, /tr\.csv:2: prefix: expected .*found/);
trace('vidur', 'duplicate request id', `${HEADERS.vidur}\n0,0,10,5\n1,1,10,5\n1,2,10,5\n`, /tr\.csv:4: request_id: expected each request id once, found 1 again \(first at line 3\)/);
trace('vidur', 'non-numeric request id', `${HEADERS.vidur}\n0,0,10,5\nr1,1,10,5\n`, /tr\.csv:3: request_id: expected a whole-number request id, found "r1"/);
trace('vidur', 'negative request id', `${HEADERS.vidur}\n-1,0,10,5\n`, /tr\.csv:2: request_id: expected a whole-number request id, found "-1"/);
trace('vidur', 'arrival 1e308', `${HEADERS.vidur}\n0,0,10,5\n1,1e308,10,5\n`, /tr\.csv:3: arrived_at: expected an arrival time at most 1000000000 s, found 1e\+308/);
trace('mooncake-csv', 'timestamps 40 years apart (ms)', `${HEADERS['mooncake-csv']}\n0,10,5,1\n2e12,10,5,1\n`, /tr\.csv:3: timestamp: expected an arrival time at most 1000000000 s \(1000000000000 in this column's unit\)/);
const J = (o: Record<string, unknown>) => JSON.stringify({ timestamp: 0, input_length: 10, output_length: 5, ...o });
trace('mooncake-jsonl', 'empty', '', /tr\.jsonl:1: expected at least one JSON line, found an empty file/);
trace('mooncake-jsonl', 'blank lines only', '\n \n\n', /tr\.jsonl:1: expected at least one JSON line, found an empty file/);
trace('mooncake-jsonl', 'invalid JSON', `${J({})}\n{"timestamp": 1,\n`, /tr\.jsonl:2: expected a JSON object per line, found invalid JSON/);
trace('mooncake-jsonl', 'a JSON array line', `${J({})}\n[1, 2]\n`, /tr\.jsonl:2: expected a JSON object per line, found a list/);
trace('mooncake-jsonl', 'a JSON null line', `${J({})}\nnull\n`, /tr\.jsonl:2: expected a JSON object per line, found null/);
trace('mooncake-jsonl', 'missing timestamp', `${J({})}\n{"input_length": 10, "output_length": 5}\n`, /tr\.jsonl:2: timestamp: expected a number, found no such key/);
trace('mooncake-jsonl', 'quoted number', `${J({ input_length: '12' })}\n`, /tr\.jsonl:1: input_length: expected a number, found "12"/);
trace('mooncake-jsonl', 'zero output', `${J({ output_length: 0 })}\n`, /tr\.jsonl:1: output_length: expected a whole number of tokens >= 1, found 0/);
trace('mooncake-jsonl', 'huge input', `${J({ input_length: 1e15 })}\n`, /tr\.jsonl:1: input_length: expected at most 10000000 tokens/);
trace('mooncake-jsonl', 'negative timestamp', `${J({ timestamp: -5 })}\n`, /tr\.jsonl:1: timestamp: expected a time >= 0, found -5/);
trace('mooncake-jsonl', 'unsorted', `${J({ timestamp: 3000 })}\n${J({ timestamp: 0 })}\n`, /tr\.jsonl:2: timestamp: expected arrival times in non-decreasing order/);
trace('mooncake-jsonl', 'timestamp 1e308', `${J({})}\n${J({ timestamp: 1e308 })}\n`, /tr\.jsonl:2: timestamp: expected an arrival time at most 1000000000 s/);
trace('mooncake-jsonl', 'duplicate key', `${J({})}\n{"timestamp": 1, "input_length": 10, "output_length": 5, "timestamp": 2}\n`, /tr\.jsonl:2: timestamp: expected each key once per JSON line, found "timestamp" twice/);
trace('mooncake-jsonl', 'duplicate nested key', `{"timestamp": 1, "input_length": 10, "output_length": 5, "meta": {"a": 1, "a": 2}}\n`, /tr\.jsonl:1: a: expected each key once per JSON line, found "a" twice/);
trace('mooncake-jsonl', 'hash_ids not a list', `${J({ hash_ids: 'abc' })}\n`, /tr\.jsonl:1: hash_ids: expected .*found/);
trace('mooncake-jsonl', 'a Latin-1 byte', Buffer.from(`${J({})}\n{"timestamp": 1, "input_length": 10, "output_length": 5, "x": "\xe9"}\n`, 'latin1'), /tr\.jsonl:2:\d+: expected UTF-8 text, found the byte 0xe9/);
trace('mooncake-jsonl', 'a UTF-16 file', Buffer.from(`\ufeff${J({})}\n`, 'utf16le'), /tr\.jsonl:1:1: expected UTF-8 text, found the byte 0xff/);
// BurstGPT, ShareGPT, vllm bench serve results, OTLP spans, and any CSV/JSONL through trace.columns.
const BURST = 'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type';
trace('burstgpt', 'non-numeric tokens', `${BURST}\n5,ChatGPT,472,18,490,Conversation log\n6,ChatGPT,x,18,490,Conversation log\n`, /tr\.csv:3: Request tokens: expected a finite number, found "x"/);
trace('burstgpt', 'unsorted', `${BURST}\n9,ChatGPT,472,18,490,Conversation log\n6,GPT-4,100,18,118,API log\n`, /tr\.csv:3: Timestamp: expected arrival times in non-decreasing order/);
trace('burstgpt', 'missing column', 'Timestamp,Model,Request tokens\n5,ChatGPT,472\n', /tr\.csv:1: expected a header with the burstgpt columns .*Response tokens is missing/);
trace('burstgpt', 'fractional response', `${BURST}\n5,ChatGPT,472,1.5,490,Conversation log\n`, /tr\.csv:2: Response tokens: expected a whole number of tokens >= 1, found "1\.5"/);
const conv = (h: unknown, g: unknown) => ({ id: 'x', conversations: [{ from: 'human', value: 'hi', ...(h as object) }, { from: 'gpt', value: 'hello there', ...(g as object) }] });
trace('sharegpt', 'not JSON', '[{"id": 1,', /tr\.json(:\d+:\d+)?: expected a ShareGPT JSON array of conversations \(valid JSON\), found a syntax error/, 'tr.json');
trace('sharegpt', 'an object, not an array', '{"conversations": []}', /tr\.json: expected a ShareGPT JSON array of conversations, found a mapping/, 'tr.json');
trace('sharegpt', 'conversations not a list', JSON.stringify([{ conversations: 'hi' }]), /tr\.json: \[0\]\.conversations: expected a list of turns \{ from, value \}, found "hi"/, 'tr.json');
trace('sharegpt', 'no human turn with a reply', JSON.stringify([{ conversations: [{ from: 'gpt', value: 'x' }] }]), /tr\.json: expected at least one conversation with a human turn and a reply, found none/, 'tr.json');
trace('sharegpt', 'zero tokens given', JSON.stringify([conv({ tokens: 0 }, {})]), /tr\.json: \[0\]\.conversations\[0\]\.tokens: expected a whole number of tokens >= 1, found 0/, 'tr.json');
trace('sharegpt', 'unsorted timestamps', JSON.stringify([{ ...conv({}, {}), timestamp: 5 }, { ...conv({}, {}), timestamp: 1 }]), /tr\.json: \[1\]\.timestamp: expected conversations sorted by timestamp/, 'tr.json');
const VB = (o: Record<string, unknown>) => JSON.stringify({ request_rate: 'inf', input_lens: [10, 20], output_lens: [5, 6], ttfts: [0.1, 0.2], ...o });
trace('vllm-bench', 'no input_lens', VB({ input_lens: undefined }), /tr\.json: input_lens: expected a list \(vllm bench serve --save-detailed writes it\), found no such key/, 'tr.json');
trace('vllm-bench', 'lists of different lengths', VB({ output_lens: [5] }), /tr\.json: output_lens: expected as many entries as input_lens \(2\), found 1/, 'tr.json');
trace('vllm-bench', 'a text token count', VB({ input_lens: [10, 'many'] }), /tr\.json: input_lens\[1\]: expected a finite number, found "many"/, 'tr.json');
trace('vllm-bench', 'negative request rate', VB({ request_rate: -2 }), /tr\.json: request_rate: expected a request rate > 0 or "inf", found -2/, 'tr.json');
trace('vllm-bench', 'every request failed', VB({ output_lens: [0, 0] }), /tr\.json: output_lens: expected at least one request with output, found none/, 'tr.json');
trace('vllm-bench', 'a start time that is not a number', VB({ start_times: [1.5, null] }), /tr\.json: start_times\[1\]: expected a time in seconds, found null/, 'tr.json');
const span = (start: unknown, attrs: [string, unknown][]) => ({ name: 'chat', startTimeUnixNano: start, attributes: attrs.map(([key, v]) => ({ key, value: typeof v === 'string' ? { stringValue: v } : { intValue: String(v) } })) });
const OT = (...spans: unknown[]) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
trace('otel', 'not OTLP', JSON.stringify({ spans: [] }), /tr\.json: resourceSpans: expected OTLP JSON .*found a mapping/, 'tr.json');
trace('otel', 'no GenAI spans', OT(span('1', [['http.method', 'POST']])), /tr\.json: expected spans with gen_ai\.usage\.input_tokens and gen_ai\.usage\.output_tokens .*found none/, 'tr.json');
trace('otel', 'zero output tokens', OT(span('1', [['gen_ai.usage.input_tokens', 10], ['gen_ai.usage.output_tokens', 0]])), /tr\.json: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.gen_ai\.usage\.output_tokens: expected a whole number of tokens >= 1, found 0/, 'tr.json');
trace('otel', 'start time not in nanoseconds', OT(span('2024-05-01', [['gen_ai.usage.input_tokens', 10], ['gen_ai.usage.output_tokens', 3]])), /tr\.json: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.startTimeUnixNano: expected nanoseconds since 1970 \(digits\), found "2024-05-01"/, 'tr.json');
const cols = (extra = '') => sub(['  trace: { path: t.csv }', `  trace: { path: c.csv, columns: { arrival: ts, promptTokens: in, outputTokens: out }${extra} }`]);
traceCases.push(
  { name: 'run: trace.columns names a missing column', files: { 's.yaml': cols(), 'c.csv': 'ts,input,out\n0,10,5\n' }, args: ['run', '$D/s.yaml', ...out], expect: /c\.csv:1: expected a header with the trace\.columns columns ts,in,out \(in is missing.*found "ts,input,out"/ },
  { name: 'run: trace.columns ISO timestamp malformed', files: { 's.yaml': cols(', time: { format: iso8601 }'), 'c.csv': 'ts,in,out\n2024-05-01T12:00:00Z,10,5\n2024-05-01 noon,10,5\n' }, args: ['run', '$D/s.yaml', ...out], expect: /c\.csv:3: ts: expected an ISO 8601 timestamp like 2024-05-01T12:00:00\.250Z, found "2024-05-01 noon"/ },
  { name: 'run: trace.columns epoch times unsorted', files: { 's.yaml': cols(', time: { unit: ms, format: epoch }'), 'c.csv': 'ts,in,out\n1714564800000,10,5\n1714564799000,10,5\n' }, args: ['run', '$D/s.yaml', ...out], expect: /c\.csv:3: ts: expected arrival times in non-decreasing order/ },
  { name: 'run: trace.columns JSONL with a missing key', files: { 's.yaml': sub(['  trace: { path: t.csv }', '  trace: { path: c.jsonl, columns: { arrival: ts, promptTokens: in, outputTokens: out } }']), 'c.jsonl': '{"ts": 0, "in": 10, "out": 5}\n{"ts": 1, "in": 10}\n' }, args: ['run', '$D/s.yaml', ...out], expect: /c\.jsonl:2: out: expected a finite number, found nothing/ },
  { name: 'run: trace.columns relative time negative', files: { 's.yaml': cols(), 'c.csv': 'ts,in,out\n-1,10,5\n' }, args: ['run', '$D/s.yaml', ...out], expect: /c\.csv:2: ts: expected a time >= 0, found "-1"/ },
);
traceCases.push({ name: 'run: auto-detected trace with an unknown header', files: { 's.yaml': sub(['t.csv', 'odd.csv']), 'odd.csv': 'when,tokens\n0,1\n' }, args: ['run', '$D/s.yaml', ...out], expect: /odd\.csv:1: expected the header of a known trace format .*found "when,tokens"/ });
traceCases.push({ name: 'run: empirical lengths from a broken trace', files: { 's.yaml': syn(['{ dist: fixed, tokens: 10 }', '{ dist: empirical, path: e.csv }']), 'e.csv': `${HEADERS.native}\n0,x,5\n` }, args: ['run', '$D/s.yaml', ...out], expect: /e\.csv:2: prompt_tokens: expected a finite number, found "x"/ });

// ---------------------------------------------------------------------------------------------
// Profiles of each form

// A streamed run (`run --stream`) reads native, Azure, Vidur and Mooncake traces chunk by chunk: the same one line for each.
const streamedTrace = /^run: (native|azure|vidur|mooncake-csv|mooncake-jsonl) trace /;
for (const c of traceCases.filter((c) => streamedTrace.test(c.name))) traceCases.push({ ...c, name: `${c.name} (--stream)`, args: [...c.args, '--stream'] });
traceCases.push({
  name: 'run: native trace with a lone CR (--stream)',
  files: { 's.yaml': sub(['  trace: { path: t.csv }', '  trace: { path: tr.csv, format: llmsim }']), 'tr.csv': 'arrival_s,prompt_tokens,output_tokens\n0,10,5\n1,10,5\r2,10,5\n' },
  args: ['run', '$D/s.yaml', ...out, '--stream'],
  expect: /tr\.csv:3: expected LF or CRLF line ends in a streamed trace, found a lone CR/,
});

const profileCases: Case[] = [];
const profile = (form: string, name: string, text: string | Buffer, expectRe: RegExp, kind = 'continuous-batching') =>
  profileCases.push({
    name: `run: ${form} profile ${name}`,
    files: { 's.yaml': sub([PROFILE_CB, 'p.yaml'], ['kind: continuous-batching', `kind: ${kind}`]), 'p.yaml': text },
    args: ['run', '$D/s.yaml', ...out],
    expect: expectRe,
  });
const re = (text: string, from: string | RegExp, to: string) => {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`catalogue: "${String(from)}" not found`);
  return next;
};
profile('bilinear', 'missing a coefficient', re(BILINEAR, 'a1: 8.35e-2, ', ''), /p\.yaml:\d+:\d+: runtime\.a1: missing required field \(expected number, found nothing\)/, 'slots');
profile('bilinear', 'coefficient a string', re(BILINEAR, 'a1: 8.35e-2', 'a1: fast'), /p\.yaml:\d+:\d+: runtime\.a1: expected number, found "fast"/, 'slots');
profile('bilinear', 'coefficient .nan', re(BILINEAR, 'a1: 8.35e-2', 'a1: .nan'), /p\.yaml:\d+:\d+: runtime\.a1: expected a finite number, found NaN/, 'slots');
profile('bilinear', 'accuracy 150', re(BILINEAR, 'accuracy: 50.97', 'accuracy: 150'), /p\.yaml:\d+:\d+: accuracy: expected <= 100, found 150/, 'slots');
profile('bilinear', 'unknown key', re(BILINEAR, 'idlePowerW: 0', 'idlePowerWatts: 0'), /p\.yaml:\d+:\d+: idlePowerWatts: unknown key/, 'slots');
profile('bilinear', 'gpus 0', re(BILINEAR, 'gpus: 1', 'gpus: 0'), /p\.yaml:\d+:\d+: gpus: expected > 0, found 0/, 'slots');
profile('any', 'unknown form', re(ITERATION, 'form: iteration', 'form: magic'), /p\.yaml:\d+:\d+: form: expected form to be one of .*found "magic"/);
profile('any', 'empty', '', /p\.yaml: expected .*found/);
profile('any', 'a list', '- 1\n', /p\.yaml:\d+:\d+: expected object, found a list|p\.yaml: expected .*found a list/);
profile('any', 'YAML syntax error', re(ITERATION, '  c0: 0.0214057', '  c0: [0.0214057'), /p\.yaml:\d+:\d+: expected valid YAML, found invalid YAML/);
profile('any', 'duplicate key', re(ITERATION, '  c0: 0.0214057', '  c0: 0.0214057\n  c0: 1'), /p\.yaml:\d+:\d+: expected valid YAML, found invalid YAML: Map keys must be unique/);
profile('any', 'non-UTF-8', Buffer.from(re(ITERATION, 'model: llama-2-70b', 'model: llama-2-70b\xff'), 'latin1'), /p\.yaml:\d+:\d+: expected UTF-8 text, found the byte 0xff/);
profile('any', 'binary', Buffer.from([0x00, 0x01, 0x02, 0xc0, 0xaf]), /p\.yaml:1:4: expected UTF-8 text, found the byte 0xc0/);
profile('iteration', 'prefill c1 negative', re(ITERATION, 'c1: 0.0000846558', 'c1: -1'), /p\.yaml:\d+:\d+: prefill\.c1: expected >= 0, found -1/);
profile('iteration', 'decode missing', re(ITERATION, /decode:\n(  .*\n)+/, ''), /p\.yaml:\d+:\d+: decode: missing required field/);
profile('iteration', 'decode.perSeq a list', re(ITERATION, 'perSeq: 0.000264191', 'perSeq: [1]'), /p\.yaml:\d+:\d+: decode\.perSeq: expected number, found a list/);
profile('iteration', 'power busyW .inf', re(ITERATION, 'busyW: 1786.73', 'busyW: .inf'), /p\.yaml:\d+:\d+: power\.busyW: expected a finite number, found Infinity/);
profile('iteration', 'memory utilization 2', re(ITERATION, /utilization: [0-9.]+/, 'utilization: 2'), /p\.yaml:\d+:\d+: memory\.utilization: expected <= 1, found 2/);
profile('iteration', 'fit r2 above 1', re(ITERATION, 'r2: 0.9859', 'r2: 1.5'), /p\.yaml:\d+:\d+: prefill\.fit\.r2: expected <= 1, found 1\.5/);
profile('iteration', 'on a slots device', ITERATION, /s\.yaml:9:\d+: cluster\.devices\[0\]\.profile: expected a profile of form "bilinear" for this device kind, found "iteration"/, 'slots');
profile('roofline', 'peakFlopsPerS 0', re(ROOFLINE, /peakFlopsPerS: \d+/, 'peakFlopsPerS: 0'), /p\.yaml:\d+:\d+: device\.peakFlopsPerS: expected > 0, found 0/);
profile('roofline', 'layers fractional', re(ROOFLINE, /layers: \d+/, 'layers: 2.5'), /p\.yaml:\d+:\d+: shape\.layers: expected int, found 2\.5/);
profile('roofline', 'shape missing', re(ROOFLINE, /shape:\n(  .*\n)+/, ''), /p\.yaml:\d+:\d+: shape: missing required field/);
profile('roofline', 'memory too small for the weights', re(ROOFLINE, /memoryBytes: \d+/, 'memoryBytes: 1000'), /p\.yaml.*expected .*found|s\.yaml.*expected .*found/);
profile('transformer', 'architecture heads not dividing hidden', re(TRANSFORMER, 'heads: 32', 'heads: 33'), /p\.yaml:\d+:\d+: architecture\.heads: expected .*found/);
profile('transformer', 'architecture unknown dtype', re(TRANSFORMER, 'weightDtype: bf16', 'weightDtype: fp7'), /p\.yaml:\d+:\d+: architecture\.weightDtype: expected one of .*found "fp7"/);
profile('transformer', 'architecture key typo', re(TRANSFORMER, 'ffnSize: 14336', 'ffnSzie: 14336'), /p\.yaml:\d+:\d+: architecture\.ffnSzie: unknown key \(did you mean "ffnSize"\?\)/);
profile('transformer', 'architecture layers 0', re(TRANSFORMER, 'layers: 32', 'layers: 0'), /p\.yaml:\d+:\d+: architecture\.layers: expected > 0, found 0/);
profile('transformer', 'device bandwidth negative', re(TRANSFORMER, 'memoryBandwidthBytesPerS: 3.35e12', 'memoryBandwidthBytesPerS: -3'), /p\.yaml:\d+:\d+: device\.memoryBandwidthBytesPerS: expected > 0, found -3/);
profile('transformer', 'device tdp a string', re(TRANSFORMER, 'tdpW: 700', 'tdpW: hot'), /p\.yaml:\d+:\d+: device\.tdpW: expected number, found "hot"/);
profile('transformer', 'efficiency above 1', re(TRANSFORMER, 'computeEfficiency: 0.6', 'computeEfficiency: 1.6'), /p\.yaml:\d+:\d+: coefficients\.computeEfficiency: expected <= 1, found 1\.6/);
profile('transformer', 'parallel tensor 0', re(TRANSFORMER, 'tensor: 1', 'tensor: 0'), /p\.yaml:\d+:\d+: parallel\.tensor: expected > 0, found 0/);
profile('transformer', 'memoryUtilization 0', re(TRANSFORMER, 'memoryUtilization: 0.9', 'memoryUtilization: 0'), /p\.yaml:\d+:\d+: memoryUtilization: expected > 0, found 0/);
profile('transformer', 'weights beyond memory', re(TRANSFORMER, 'memoryBytes: 85899345920', 'memoryBytes: 1000000'), /(p|s)\.yaml.*expected .*found/);

const BERT = readFileSync(join(R, 'profiles/edge/bert-base.yaml'), 'utf8');
const edge = (name: string, text: string, expectRe: RegExp) =>
  profileCases.push({
    name: `run: edge model file ${name}`,
    files: {
      's.yaml': sub([/cluster:\n[\s\S]*?policy:/, 'cluster:\n  devices:\n    - { name: phone, kind: edge-pipeline, model: m.yaml, storage: { bandwidthBps: 250e6 }, memoryBudgetBytes: 16e6, targetLatencyS: 0.3 }\npolicy:'], ['  params: { routing: round-robin }', '']),
      'm.yaml': text,
    },
    args: ['run', '$D/s.yaml', ...out],
    expect: expectRe,
  });
edge('with 1e9 layers', re(BERT, /layers: 12/, 'layers: 1e9'), /m\.yaml:\d+:\d+: shape\.layers: expected <= 1000, found 1000000000/);
edge('with 1e6 heads', re(BERT, /heads: 12/, 'heads: 1e6'), /m\.yaml:\d+:\d+: shape\.heads: expected <= 1024, found 1000000/);
edge('with a key typo', re(BERT, /layers: 12/, 'layer: 12'), /m\.yaml:\d+:\d+: shape\.layer: unknown key \(did you mean "layers"\?\)/);
edge('with a YAML error', re(BERT, /layers: 12/, 'layers: [12'), /m\.yaml:\d+:\d+: expected valid YAML, found invalid YAML/);

// ---------------------------------------------------------------------------------------------
// Flags of every command, and the commands' own files

// request classes and admission control
scenario('class priority out of range', `${BASE}classes:\n  gold: { priority: 2000 }\n`, /s\.yaml:15:\d+: classes\.gold\.priority: expected <= 1000, found 2000/);
scenario('class rate limit burst 0', `${BASE}classes:\n  gold: { rateLimit: { rateRps: 1, burst: 0 } }\n`, /s\.yaml:15:\d+: classes\.gold\.rateLimit\.burst: expected >= 1, found 0/);
scenario('class name with a space', `${BASE}classes:\n  "a b": { priority: 1 }\n`, /s\.yaml:15:\d+: classes\.a b: expected a class name/);
scenario('class unknown key', `${BASE}classes:\n  gold: { prio: 1 }\n`, /s\.yaml:15:\d+: classes\.gold(\.prio)?: .*unknown key/);
scenario('admission maxQueue -1', `${BASE}admission: { maxQueue: -1 }\n`, /s\.yaml:14:\d+: admission\.maxQueue: expected >= 0, found -1/);
scenario('classMix weight 0', syn([SYN, `${SYN}\n  classMix: { a: 0 }`]), /s\.yaml:\d+:\d+: workload\.classMix\.a: expected > 0, found 0/);
scenario('priorityPreemption not a boolean', withDevice('      priorityPreemption: yes please'), /s\.yaml:11:\d+: cluster\.devices\[0\]\.priorityPreemption: expected boolean, found "yes please"/);
// KV tiers (kvTiers on a continuous-batching group)
const tiers = (body: string) => withDevice(`      kvTiers:\n${body}`);
scenario('kvTiers without cpu', tiers('        preemptionMode: swap'), /s\.yaml:\d+:\d+: cluster\.devices\[0\]\.kvTiers\.cpu: missing required field \(expected object, found nothing\)/);
scenario('kvTiers cpu capacity 0', tiers('        cpu: { capacityGiB: 0 }'), /s\.yaml:12:\d+: cluster\.devices\[0\]\.kvTiers\.cpu\.capacityGiB: expected > 0, found 0/);
scenario('kvTiers cpu capacity 1e9 GiB', tiers('        cpu: { capacityGiB: 1e9 }'), /kvTiers\.cpu\.capacityGiB: expected <= 65536, found 1000000000/);
scenario('kvTiers pcieGBps -1', tiers('        cpu: { capacityGiB: 4, pcieGBps: -1 }'), /kvTiers\.cpu\.pcieGBps: expected > 0, found -1/);
scenario('kvTiers pcieGBps 1e6', tiers('        cpu: { capacityGiB: 4, pcieGBps: 1e6 }'), /kvTiers\.cpu\.pcieGBps: expected <= 10000, found 1000000/);
scenario('kvTiers latency negative', tiers('        cpu: { capacityGiB: 4, latencyS: -0.1 }'), /kvTiers\.cpu\.latencyS: expected >= 0, found -0\.1/);
scenario('kvTiers preemptionMode unknown', tiers('        cpu: { capacityGiB: 4 }\n        preemptionMode: migrate'), /s\.yaml:13:\d+: cluster\.devices\[0\]\.kvTiers\.preemptionMode: expected one of "recompute", "swap", found "migrate"/);
scenario('kvTiers unknown key', tiers('        cpu: { capacityGiB: 4 }\n        swapSpace: 4'), /cluster\.devices\[0\]\.kvTiers(\.swapSpace)?: .*unknown key/);
scenario('kvTiers prefixOffload without prefix caching', tiers('        cpu: { capacityGiB: 4 }\n        prefixOffload: true\n      prefixCaching: false'), /cluster\.devices\[0\]\.kvTiers\.prefixOffload: expected prefixCaching: true with kvTiers\.prefixOffload, found prefixCaching: false/);
scenario('kvTiers on the legacy scheduler', tiers('        cpu: { capacityGiB: 4 }\n      scheduler: legacy'), /cluster\.devices\[0\]\.kvTiers: expected kvTiers on a group without a P\/D role and with a scheduler other than legacy, found scheduler legacy/);
scenario('kvTiers kvBytesPerToken 0', tiers('        cpu: { capacityGiB: 4 }\n        kvBytesPerToken: 0'), /kvTiers\.kvBytesPerToken: expected > 0, found 0/);
scenario(
  'kvTiers on a profile without KV bytes per token',
  tiers('        cpu: { capacityGiB: 4 }').replace(PROFILE_CB, `${R}/profiles/mlenergy/sourcegraph-fim/qwen3-coder-30b-a3b-instruct-h100-x1.yaml`),
  /s\.yaml:\d+:\d+: cluster\.devices\[0\]\.kvTiers: expected kvTiers\.kvBytesPerToken: profile ".*" gives no KV bytes per token, found none/,
);

const cmdCases: Case[] = [];
const cmd = (name: string, args: string[], expectRe: RegExp, files: Record<string, string | Buffer> = {}, extra: Partial<Case> = {}) => cmdCases.push({ name, files, args, expect: expectRe, ...extra });
// run
for (const v of ['', '0x10', '1e3', '1.5', '-1', 'x1', '4294967296', ' 7 8'])
  cmd(`run --seed ${JSON.stringify(v)}`, ['run', '$D/s.yaml', '--seed', v, ...out], /^llmsim: --seed: expected (a whole number in decimal digits|a number [<>]=)/);
cmd('run --out ""', ['run', '$D/s.yaml', '--out', ''], /--out: expected .*found ""/);
cmd('run unknown option', ['run', '$D/s.yaml', '--sed', '3', ...out], /--sed: expected an option of this command \(--help lists them\), found an unknown option \(did you mean --seed\?\)/);
cmd('run --seed without a value', ['run', '$D/s.yaml', ...out, '--seed'], /--seed: expected a value after it, found none/);
cmd('run without a scenario', ['run', ...out], /<scenario>: expected this argument, found none/);
cmd('run with two scenarios', ['run', '$D/s.yaml', '$D/s.yaml', ...out], /<arguments>: expected 1 argument\(s\) for run, found 2/);
cmd('unknown command', ['rnu', '$D/s.yaml'], /<command>: expected a command \(llmsim --help lists them\), found "rnu" \(did you mean run\?\)/);
// compare
const cmpOut = ['-q', '-o', '$D/out'];
cmd('compare --seeds 0', ['compare', '$D/s.yaml', '--seeds', '0', ...cmpOut], /--seeds: expected a number >= 1, found "0"/);
cmd('compare --seeds 0x5', ['compare', '$D/s.yaml', '--seeds', '0x5', ...cmpOut], /--seeds: expected a whole number in decimal digits, found "0x5"/);
cmd('compare --seeds 1e2', ['compare', '$D/s.yaml', '--seeds', '1e2', ...cmpOut], /--seeds: expected a whole number in decimal digits, found "1e2"/);
cmd('compare --seeds 100001', ['compare', '$D/s.yaml', '--seeds', '100001', ...cmpOut], /--seeds: expected a number <= 10000, found "100001"/);
cmd('compare --level 1', ['compare', '$D/s.yaml', '--level', '1', ...cmpOut], /--level: expected a number < 1, found "1"/);
cmd('compare --level 0', ['compare', '$D/s.yaml', '--level', '0', ...cmpOut], /--level: expected a number > 0, found "0"/);
cmd('compare --level ""', ['compare', '$D/s.yaml', '--level', '', ...cmpOut], /--level: expected a decimal number, found ""/);
cmd('compare --level NaN', ['compare', '$D/s.yaml', '--level', 'NaN', ...cmpOut], /--level: expected a decimal number, found "NaN"/);
cmd('compare -j 0', ['compare', '$D/s.yaml', '-j', '0', ...cmpOut], /--jobs: expected a number >= 1, found "0"/);
cmd('compare --policies unknown', ['compare', '$D/s.yaml', '--policies', 'fifo,nope', ...cmpOut], /--policies: policy "nope": policy\.name: unknown policy "nope"/);
cmd('compare --policies bad param', ['compare', '$D/s.yaml', '--policies', 'fifo:routing=sideways', ...cmpOut], /--policies: policy "fifo:routing=sideways": policy\.params\.routing: expected one of/);
cmd('compare --policies without =', ['compare', '$D/s.yaml', '--policies', 'fifo:routing', ...cmpOut], /--policies: expected key=value after "fifo:", found "routing"/);
cmd('compare --policies empty entry', ['compare', '$D/s.yaml', '--policies', 'fifo,,random', ...cmpOut], /--policies: expected name\[:key=value\.\.\.\] for each comma-separated policy, found ""/);
cmd('compare on a broken scenario', ['compare', '$D/s.yaml', ...cmpOut], /s\.yaml:10:17: cluster\.devices\[0\]\.replicas: expected > 0, found 0/, { 's.yaml': sub(['replicas: 1', 'replicas: 0']) });
cmd('compare on a broken trace', ['compare', '$D/s.yaml', ...cmpOut], /t\.csv:3: prompt_tokens: expected a finite number, found "x"/, { 't.csv': `${HEADERS.native}\n0,1,1\n1,x,1\n` });
cmd('compare -o is an existing file', ['compare', '$D/s.yaml', '-q', '-o', '$D/out'], /out: expected a directory for the compare output \(--out\), found a file/, { out: 'precious' });
// sweep
const SWEEP = `${BASE}sweep:\n  grid:\n    workload.rateScale: [1, 2]\n`;
cmd('sweep -j 0', ['sweep', '$D/s.yaml', '-j', '0', ...cmpOut], /--jobs: expected a number >= 1, found "0"/, { 's.yaml': SWEEP });
cmd('sweep -j 0x2', ['sweep', '$D/s.yaml', '-j', '0x2', ...cmpOut], /--jobs: expected a whole number in decimal digits, found "0x2"/, { 's.yaml': SWEEP });
cmd('sweep -j 2000', ['sweep', '$D/s.yaml', '-j', '2000', ...cmpOut], /--jobs: expected a number <= 1024, found "2000"/, { 's.yaml': SWEEP });
cmd('sweep --shard 2/2', ['sweep', '$D/s.yaml', '--shard', '2/2', ...cmpOut], /--shard: expected i\/n with 0 <= i < n, found "2\/2"/, { 's.yaml': SWEEP });
cmd('sweep --shard x', ['sweep', '$D/s.yaml', '--shard', 'x', ...cmpOut], /--shard: expected i\/n with 0 <= i < n, found "x"/, { 's.yaml': SWEEP });
cmd('sweep --shard 0/0', ['sweep', '$D/s.yaml', '--shard', '0/0', ...cmpOut], /--shard: expected i\/n with 0 <= i < n, found "0\/0"/, { 's.yaml': SWEEP });
cmd('sweep without a sweep block', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:1:1: sweep: expected a sweep: block \(grid and\/or seeds\), found none/);
cmd('sweep grid sets seed', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:16:5: sweep\.grid\.seed: expected a scenario field other than seed, found "seed" \(use sweep\.seeds for replications\)/, { 's.yaml': `${BASE}sweep:\n  grid:\n    seed: [1, 2]\n` });
cmd('sweep grid bad value', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:16:5: workload\.rateScale: in sweep point 1 \(workload\.rateScale=-1\): expected >= 0\.000001, found -1/, { 's.yaml': `${BASE}sweep:\n  grid:\n    workload.rateScale: [1, -1]\n` });
cmd('sweep grid unknown field', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:16:5: workload\.rateScal: in sweep point 0 \(workload\.rateScal=1\): unknown key/, { 's.yaml': `${BASE}sweep:\n  grid:\n    workload.rateScal: [1]\n` });
cmd('sweep grid index out of range', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:16:5: sweep\.grid\.cluster\.devices\[3\]\.replicas: cannot set cluster\.devices: expected an index below 1/, { 's.yaml': `${BASE}sweep:\n  grid:\n    cluster.devices[3].replicas: [1]\n` });
cmd('sweep grid empty list', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:16:\d+: sweep\.grid\.workload\.rateScale: expected at least 1 item\(s\), found 0/, { 's.yaml': `${BASE}sweep:\n  grid:\n    workload.rateScale: []\n` });
cmd('sweep grid of 1,000,000 points', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:16:\d+: sweep\.grid: expected at most 100000 grid points, found 1000 x 1000 = 1000000/, {
  's.yaml': `${BASE}sweep:\n  grid:\n    workload.rateScale: [${Array.from({ length: 1000 }, (_, i) => i + 1).join(', ')}]\n    slo.ttftS: [${Array.from({ length: 1000 }, (_, i) => i + 1).join(', ')}]\n`,
});
cmd('sweep of 2,000,000 runs', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:15:\d+: sweep: expected at most 1000000 runs, found 20 points x 100000 seeds = 2000000/, {
  's.yaml': `${BASE}sweep:\n  grid:\n    workload.rateScale: [${Array.from({ length: 20 }, (_, i) => i + 1).join(', ')}]\n  seeds: 100000\n`,
});
cmd('sweep seeds 100001', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:15:\d+: sweep\.seeds: .*expected/, { 's.yaml': `${BASE}sweep:\n  seeds: 100001\n` });
cmd('sweep seeds beyond 2^32', ['sweep', '$D/s.yaml', ...cmpOut], /sweep\.seeds: expected seeds <= 4294967295/, { 's.yaml': `${sub(['seed: 3', 'seed: 4294967295'])}sweep:\n  seeds: 2\n` });
cmd('sweep policy.params on a policy without them', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:16:5: policy\.params\.nope: in sweep point 0 \(policy\.params\.nope=1\): unknown key/, { 's.yaml': `${BASE}sweep:\n  grid:\n    policy.params.nope: [1]\n` });
cmd('sweep swept trace missing', ['sweep', '$D/s.yaml', ...cmpOut], /s\.yaml:16:5: workload\.trace\.path: in sweep point 1 .*expected an existing file, found none/, { 's.yaml': `${BASE}sweep:\n  grid:\n    workload.trace.path: [t.csv, gone.csv]\n` });
cmd('sweep -o is an existing file', ['sweep', '$D/s.yaml', '-q', '-o', '$D/out'], /\/out: expected a directory\b.*found (a file|EEXIST)/, { 's.yaml': SWEEP, out: 'precious' });
// capacity
const CAP = ['-q', '-o', '$D/out', '--target', 'e2e.p99=10'];
cmd('capacity without --target', ['capacity', '$D/s.yaml', '-q', '-o', '$D/out'], /^llmsim: --target: expected at least one --target .*found none/);
cmd('capacity --target ttft.p98', ['capacity', '$D/s.yaml', ...CAP, '--target', 'ttft.p98=2'], /--target: expected a metric ttft\|tpot\|e2e\|queue\..*found "ttft\.p98=2"/);
cmd('capacity --target without a number', ['capacity', '$D/s.yaml', ...CAP, '--target', 'tpot.p99=fast'], /--target: expected a number after "=".*found "tpot\.p99=fast"/);
cmd('capacity --target goodput=2', ['capacity', '$D/s.yaml', ...CAP, '--target', 'goodput=2'], /--target: expected a fraction in \[0, 1\] for goodput, found "goodput=2"/);
cmd('capacity --target twice', ['capacity', '$D/s.yaml', ...CAP, '--target', 'e2e.p99=3'], /--target: expected each metric once \(e2e\.p99 is given twice\), found "e2e\.p99=3"/);
cmd('capacity --group replicas', ['capacity', '$D/s.yaml', ...CAP, '--group', 'replicas=3'], /--group: expected device fields other than replicas .*found "replicas=3"/);
cmd('capacity --group without =', ['capacity', '$D/s.yaml', ...CAP, '--group', 'tensorParallel'], /--group: expected key=value pairs separated by ",".*found "tensorParallel"/);
cmd('capacity --group bad value', ['capacity', '$D/s.yaml', ...CAP, '--group', 'maxBatchSize=0'], /--group: in group "maxBatchSize=0" \(cluster\.devices\[0\]\.maxBatchSize\): expected > 0, found 0/);
cmd('capacity --rate 0', ['capacity', '$D/s.yaml', ...CAP, '--rate', '0'], /--rate: expected a number > 0, found "0"/);
cmd('capacity --rate and --replicas', ['capacity', '$D/s.yaml', ...CAP, '--rate', '1', '--replicas', '2'], /--replicas: expected --rate .* or --replicas .*found both/);
cmd('capacity --seeds 0', ['capacity', '$D/s.yaml', ...CAP, '--seeds', '0'], /--seeds: expected a number >= 1, found "0"/);
cmd('capacity --tolerance 2', ['capacity', '$D/s.yaml', ...CAP, '--tolerance', '2'], /--tolerance: expected a number <= 1, found "2"/);
cmd('capacity --max-replicas 0', ['capacity', '$D/s.yaml', ...CAP, '--rate', '1', '--max-replicas', '0'], /--max-replicas: expected a number >= 1, found "0"/);
cmd('capacity on a broken scenario', ['capacity', '$D/s.yaml', ...CAP], /s\.yaml:10:17: cluster\.devices\[0\]\.replicas: expected > 0, found 0/, { 's.yaml': sub(['replicas: 1', 'replicas: 0']) });
// merge
cmd('merge without -o', ['merge', '$D/nope'], /--out: expected this option \(it is required\), found none/);
cmd('merge without shards', ['merge', '-o', '$D/out'], /<dirs>: expected this argument, found none/);
cmd('merge a missing directory', ['merge', '$D/nope', '-o', '$D/out'], /nope: expected a sweep directory \(with sweep\.json\), found none/);
cmd('merge a directory without a manifest', ['merge', '$D/empty', '-o', '$D/out'], /empty: expected a sweep directory \(with sweep\.json\), found none/, {}, { setup: (d) => mkdirSync(join(d, 'empty')) });
cmd('merge a file', ['merge', '$D/t.csv', '-o', '$D/out'], /t\.csv: expected a sweep directory \(with sweep\.json\), found/);
cmd('merge a broken manifest', ['merge', '$D/sh', '-o', '$D/out'], /sweep\.json:1:\d+: expected valid (JSON|YAML), found/, { 'sh/sweep.json': '{"fingerprint": ' });
cmd('merge a manifest of the wrong shape', ['merge', '$D/sh', '-o', '$D/out'], /sweep\.json(:\d+:\d+)?: .*expected .*found/, { 'sh/sweep.json': '{"fingerprint": 5}' });
cmd('merge a non-UTF-8 manifest', ['merge', '$D/sh', '-o', '$D/out'], /sweep\.json:1:\d+: expected UTF-8 text, found the byte 0xff/, { 'sh/sweep.json': Buffer.from([0x7b, 0xff, 0x7d]) });
// check
const SUM = { 'sum.json': SUMMARY, 'base.json': SUMMARY };
cmd('check without --baseline or --limit', ['check', '$D/sum.json'], /--baseline: expected a baseline summary, or at least one --limit \(or limits: in the tolerances file\), found neither/, SUM);
cmd('check with a malformed --limit', ['check', '$D/sum.json', '--limit', 'latency.ttftS.p99 == 2'], /--limit: expected a limit "metric <= number"/, SUM);
cmd('check --format unknown', ['check', '$D/sum.json', '--limit', 'requests.total >= 0', '--format', 'xml'], /--format: expected one of "table", "json", "junit", found "xml"/, SUM);
cmd('check a missing summary', ['check', '$D/nope.json', '--baseline', '$D/base.json'], /nope\.json: expected a readable .*found no such file/, SUM);
cmd('check a missing baseline', ['check', '$D/sum.json', '--baseline', '$D/nope.json'], /nope\.json: --baseline: expected an existing baseline summary, found no such file/, SUM);
cmd('check a summary that is a directory', ['check', '$D', '--baseline', '$D/base.json'], /: expected a readable .*found a directory/, SUM);
cmd('check invalid JSON', ['check', '$D/sum.json', '--baseline', '$D/base.json'], /sum\.json:1:\d+: expected valid JSON, found a syntax error/, { ...SUM, 'sum.json': '{"requests": ' });
cmd('check a JSON array', ['check', '$D/sum.json', '--baseline', '$D/base.json'], /sum\.json: expected a summary .*found a list/, { ...SUM, 'sum.json': '[]' });
cmd('check a JSON scalar', ['check', '$D/sum.json', '--baseline', '$D/base.json'], /sum\.json: expected a summary .*found 42/, { ...SUM, 'sum.json': '42' });
cmd('check a summary without latency', ['check', '$D/sum.json', '--baseline', '$D/base.json'], /sum\.json: latency: expected a summary .*found no "latency"/, { ...SUM, 'sum.json': JSON.stringify({ ...JSON.parse(SUMMARY), latency: undefined }) });
cmd('check a summary 10,000 deep', ['check', '$D/sum.json', '--baseline', '$D/base.json'], /sum\.json: expected objects and arrays nested at most 64 deep/, { ...SUM, 'sum.json': `${'['.repeat(10000)}${']'.repeat(10000)}` });
cmd('check a non-UTF-8 summary', ['check', '$D/sum.json', '--baseline', '$D/base.json'], /sum\.json:1:2: expected UTF-8 text, found the byte 0xfe/, { ...SUM, 'sum.json': Buffer.from([0x7b, 0xfe, 0x7d]) });
cmd('check a YAML baseline with an alias bomb', ['check', '$D/sum.json', '--baseline', '$D/base.yaml'], /base\.yaml:2:\d+: expected aliases/, {
  ...SUM,
  'base.yaml': ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n'),
});
const TOL = (text: string) => ({ ...SUM, 'tol.yaml': text });
const checkTol = ['check', '$D/sum.json', '--baseline', '$D/base.json', '--tolerances', '$D/tol.yaml'];
cmd('check tolerances missing', checkTol, /tol\.yaml: expected a readable tolerances file, found no such file/, SUM);
cmd('check tolerances syntax error', checkTol, /tol\.yaml:1:\d+: expected valid YAML/, TOL('default: { abs: 1'));
cmd('check tolerances unknown key', checkTol, /tol\.yaml:1:1: defaults: unknown key \(did you mean "default"\?\)/, TOL('defaults: { abs: 1 }\n'));
cmd('check tolerances negative', checkTol, /tol\.yaml:1:\d+: default\.abs: expected >= 0, found -1/, TOL('default: { abs: -1 }\n'));
cmd('check tolerances .nan', checkTol, /tol\.yaml:2:\d+: metrics\.x\.rel: expected .*found NaN/, TOL('metrics:\n  x: { rel: .nan }\n'));
cmd('check tolerances ignore a string', checkTol, /tol\.yaml:2:\d+: metrics\.x\.ignore: expected boolean, found "yes"/, TOL('metrics:\n  x: { ignore: "yes" }\n'));
cmd('check tolerances a list', checkTol, /tol\.yaml(:1:1)?: expected object, found a list/, TOL('- 1\n'));
cmd('check tolerances a bad pattern', checkTol, /tol\.yaml:2:\d+: metrics\.\[: expected .*found/, TOL('metrics:\n  "[": { abs: 1 }\n'));
cmd('check tolerances duplicate key', checkTol, /tol\.yaml:3:\d+: expected valid YAML.*unique/, TOL('metrics:\n  a: { abs: 1 }\n  a: { abs: 2 }\n'));
scenario('rateRps too low for its count', syn(['count: 5', 'count: 10000'], ['rateRps: 1', 'rateRps: 1e-6']), /s\.yaml:\d+:\d+: workload\.synthetic\.arrival\.rateRps: expected count \/ rateRps <= 1000000000 s of arrivals \(count 10000\), found 0\.000001/);
scenario('rateScale pushing arrivals past the time limit', sub(['  trace: { path: t.csv }', '  trace: { path: late.csv }\n  rateScale: 1e-6']), /s\.yaml:\d+:\d+: workload\.rateScale: expected arrival times <= 1000000000 s, found request 1 arriving at 10000000000 s after dividing by rateScale 0\.000001/, { 'late.csv': `${HEADERS.native}\n0,10,5\n10000,10,5\n` });
cmd('fit -o below a file', ['fit', '$D/m.csv', '--form', 'bilinear', '-q', '-o', '$D/t.csv/out.yaml'], /--out: expected a file to write in a directory, found a file: .*t\.csv/, { 'm.csv': FIT_CSV }, { out: 't.csv' });
cmd('report -o below a file', ['report', '$D/points.csv', '-q', '-o', '$D/t.csv/r.html'], /--out: expected a file to write in a directory, found a file/, { 'points.csv': 'point,x,runs,n\n0,1,1,1\n' }, { out: 't.csv' });
// report
cmd('report a missing input', ['report', '$D/nope', '-q', '-o', '$D/out.html'], /nope: expected a results directory or a sweep CSV, found no such file/, {}, { out: 'out.html' });
cmd('report an empty directory', ['report', '$D/empty', '-q', '-o', '$D/out.html'], /empty: expected a results directory .*found neither/, {}, { out: 'out.html', setup: (d) => mkdirSync(join(d, 'empty')) });
cmd('report a random file', ['report', '$D/t.csv', '-q', '-o', '$D/out.html'], /t\.csv: expected a sweep CSV .*found another file/, {}, { out: 'out.html' });
cmd('report a points.csv with a bad header', ['report', '$D/points.csv', '-q', '-o', '$D/out.html'], /points\.csv:1: expected a sweep points\.csv header/, { 'points.csv': 'a,b\n1,2\n' }, { out: 'out.html' });
cmd('report a points.csv with a bad runs cell', ['report', '$D/points.csv', '-q', '-o', '$D/out.html'], /points\.csv:2: runs: expected a whole number, found "many"/, { 'points.csv': 'point,x,runs\n0,1,many\n' }, { out: 'out.html' });
cmd('report a non-UTF-8 points.csv', ['report', '$D/points.csv', '-q', '-o', '$D/out.html'], /points\.csv:2:\d+: expected UTF-8 text/, { 'points.csv': Buffer.from('point,x,runs\n0,\xff,1\n', 'latin1') }, { out: 'out.html' });
cmd('report a run directory with a broken summary.json', ['report', '$D/res', '-q', '-o', '$D/out.html'], /summary\.json:1:\d+: expected valid JSON/, { 'res/summary.json': '{', 'res/requests.csv': 'id\n' }, { out: 'out.html' });
cmd('report -o is a directory', ['report', '$D/points.csv', '-q', '-o', '$D/outdir'], /--out: expected a file to write, found a directory/, { 'points.csv': 'point,x,runs,n\n0,1,1,1\n' }, { out: 'outdir', setup: (d) => mkdirSync(join(d, 'outdir')) });
cmd('report --figures is a file', ['report', '$D/points.csv', '-q', '-o', '$D/out.html', '--figures', '$D/t.csv'], /--figures: expected a directory to write the figures in, found a file: .*t\.csv/, { 'points.csv': 'point,x,runs,n\n0,1,1,1\n' }, { out: 'out.html' });
cmd('report --figures below a file', ['report', '$D/points.csv', '-q', '-o', '$D/out.html', '--figures', '$D/t.csv/figs'], /--figures: expected a directory to write the figures in, found a file: .*t\.csv/, { 'points.csv': 'point,x,runs,n\n0,1,1,1\n' }, { out: 'out.html' });
cmd('report --figures ""', ['report', '$D/points.csv', '-q', '-o', '$D/out.html', '--figures', ''], /--figures: expected .*found ""/, { 'points.csv': 'point,x,runs,n\n0,1,1,1\n' }, { out: 'out.html' });
cmd('report --title ""', ['report', '$D/points.csv', '--title', '', '-o', '$D/out.html'], /--title: expected .*found ""/, { 'points.csv': 'point,x,runs,n\n0,1,1,1\n' }, { out: 'out.html' });
// fit
const fitArgs = (...a: string[]) => ['fit', '$D/m.csv', '--form', 'bilinear', ...a, '-q', '-o', '$D/out.yaml'];
const FIT = { 'm.csv': FIT_CSV };
const fitCase = (name: string, args: string[], expectRe: RegExp, files: Record<string, string | Buffer> = {}) => cmd(`fit ${name}`, args, expectRe, { ...FIT, ...files }, { out: 'out.yaml' });
fitCase('a missing CSV', ['fit', '$D/nope.csv', '--form', 'bilinear', '-o', '$D/out.yaml'], /nope\.csv: expected a readable .*found no such file/);
fitCase('an empty CSV', fitArgs(), /m\.csv(:1)?: expected .*found/, { 'm.csv': '' });
fitCase('a header-only CSV', fitArgs(), /m\.csv(:\d+)?: expected .*found/, { 'm.csv': 'input_tokens,output_tokens,runtime_s\n' });
fitCase('a non-numeric cell', fitArgs(), /m\.csv:3: input_tokens: expected .*found "x"/, { 'm.csv': FIT_CSV.replace('16,16,2', 'x,16,2') });
fitCase('a hex cell', fitArgs(), /m\.csv:3: input_tokens: expected .*found "0x10"/, { 'm.csv': FIT_CSV.replace('16,16,2', '0x10,16,2') });
fitCase('a negative time', fitArgs(), /m\.csv:3: runtime_s: expected a measured time > 0 for runtimeS, found "-2"/, { 'm.csv': FIT_CSV.replace('16,16,2', '16,16,-2') });
fitCase('a missing column', fitArgs(), /m\.csv(:1)?: .*expected .*found/, { 'm.csv': 'input_tokens,output_tokens\n8,8\n16,16\n' });
fitCase('a non-UTF-8 CSV', fitArgs(), /m\.csv:3:\d+: expected UTF-8 text/, { 'm.csv': Buffer.from(FIT_CSV.replace('16,16,2', '16,16,2\xe9'), 'latin1') });
fitCase('--form unknown', ['fit', '$D/m.csv', '--form', 'cubic', '-o', '$D/out.yaml'], /--form: expected one of "bilinear", "iteration", found "cubic"/);
fitCase('without --form', ['fit', '$D/m.csv', '-o', '$D/out.yaml'], /--form.*expected .*found|form: .*expected .*found/);
fitCase('--col without =', fitArgs('--col', 'runtimeS'), /--col(\[0\])?: expected role=column.*found "runtimeS"/);
fitCase('--col unknown role', fitArgs('--col', 'speed=runtime_s'), /--col: .*expected .*found/);
fitCase('--col scale not a number', fitArgs('--col', 'runtimeS=runtime_s*1..2'), /--col: expected role=column\*scale with a nonzero decimal scale .*found "runtimeS=runtime_s\*1\.\.2"/);
fitCase('--col scale zero', fitArgs('--col', 'runtimeS=runtime_s*0'), /--col: expected role=column\*scale with a nonzero decimal scale/);
fitCase('--where malformed', fitArgs('--where', 'input_tokens'), /--where\[0\]: expected column=value, column!=value, column>=number/);
fitCase('--where not a number', fitArgs('--where', 'input_tokens>=eight'), /where\.input_tokens: expected a number after ">=", found "eight"/);
fitCase('--where reversed range', fitArgs('--where', 'input_tokens=9..3'), /where\.input_tokens: expected a range low\.\.high with low <= high, found "9\.\.3"/);
fitCase('--where on an unknown column', fitArgs('--where', 'nope=1'), /m\.csv:1: expected a header with the bilinear fit columns .*\(nope is missing\), found/);
fitCase('--terms a5', fitArgs('--terms', 'a5'), /--terms: expected bilinear terms separated by commas, e\.g\. a0,a1,a2,a3, found "a5"/);
fitCase('--weights unknown', fitArgs('--weights', 'heavy'), /--weights: expected one of "none", "relative", found "heavy"/);
fitCase('--aggregate unknown', fitArgs('--aggregate', 'mean'), /--aggregate: expected one of "none", "median", found "mean"/);
fitCase('--gpus 0', fitArgs('--gpus', '0'), /--gpus: expected a number >= 1, found "0"/);
fitCase('--gpus 0x2', fitArgs('--gpus', '0x2'), /--gpus: expected a whole number in decimal digits, found "0x2"/);
fitCase('--gpus ""', fitArgs('--gpus', ''), /--gpus: expected a whole number in decimal digits, found ""/);
fitCase('--map missing', fitArgs('--map', '$D/nope.yaml'), /nope\.yaml: expected a readable .*found no such file/);
fitCase('--map syntax error', fitArgs('--map', '$D/map.yaml'), /map\.yaml:1:\d+: expected valid YAML/, { 'map.yaml': 'columns: { runtimeS: [' });
fitCase('--map unknown key', fitArgs('--map', '$D/map.yaml'), /map\.yaml:1:1: wheer: unknown key \(did you mean "where"\?\)/, { 'map.yaml': 'wheer: { a: 1 }\n' });
fitCase('--map unknown role', fitArgs('--map', '$D/map.yaml'), /map\.yaml:2:\d+: columns\.speed: .*expected .*found/, { 'map.yaml': 'columns:\n  speed: runtime_s\n' });
fitCase('--map scale a string', fitArgs('--map', '$D/map.yaml'), /map\.yaml:2:\d+: columns\.runtimeS\.scale: expected number, found "fast"|map\.yaml:2:\d+: columns\.runtimeS.*expected/, { 'map.yaml': 'columns:\n  runtimeS: { column: runtime_s, scale: fast }\n' });
fitCase('--map a list', fitArgs('--map', '$D/map.yaml'), /map\.yaml(:1:1)?: expected object, found a list/, { 'map.yaml': '- 1\n' });
fitCase('--map alias bomb', fitArgs('--map', '$D/map.yaml'), /map\.yaml:2:\d+: expected aliases/, {
  'map.yaml': ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n'),
});
fitCase('-o is a directory', ['fit', '$D/m.csv', '--form', 'bilinear', '-q', '-o', '$D/outdir'], /--out: expected a file to write, found a directory/, {});
// calibrate
const TPL = `${R}/profiles/transformer/llama-3.1-8b-h100-sxm5-80gb-tp1.yaml`;
const cal = (name: string, args: string[], expectRe: RegExp, files: Record<string, string | Buffer> = {}) => cmd(`calibrate ${name}`, ['calibrate', ...args, '-q', '-o', '$D/out.yaml'], expectRe, { 'table.csv': TABLE, ...files }, { out: 'out.yaml' });
cal('without --data', [TPL], /--data: expected this option \(it is required\), found none/);
cal('a missing profile', ['$D/nope.yaml', '--data', '$D/table.csv'], /nope\.yaml: expected a readable .*found no such file/);
cal('a profile that is not a transformer', [PROFILE_CB, '--data', '$D/table.csv'], /llama2-70b-h100-tp4\.yaml: form: expected a profile of form "transformer" to calibrate, found "iteration"/);
cal('missing data', [TPL, '--data', '$D/nope.csv'], /nope\.csv: expected a readable .*found no such file/);
cal('data a directory', [TPL, '--data', '$D'], /: expected a readable .*found a directory/);
cal('data of an unknown format', [TPL, '--data', '$D/odd.csv'], /odd\.csv:1: expected the header of an inference-perf stages table .*found "a,b"/, { 'odd.csv': 'a,b\n1,2\n' });
cal('--format unknown', [TPL, '--data', '$D/table.csv', '--format', 'excel'], /--format: expected one of "auto", "inference-perf", "vllm-bench", "table", "splitwise", found "excel"/);
cal('table with a bad cell', [TPL, '--data', '$D/table.csv'], /table\.csv:3: rate_rps: expected a finite number >= 0, found "fast"/, { 'table.csv': TABLE.replace('p2,c,2,', 'p2,c,fast,') });
cal('table with a hex cell', [TPL, '--data', '$D/table.csv'], /table\.csv:3: rate_rps: expected a finite number >= 0, found "0x2"/, { 'table.csv': TABLE.replace('p2,c,2,', 'p2,c,0x2,') });
cal('table with a duplicate id', [TPL, '--data', '$D/table.csv'], /table\.csv:3: id: expected each point id once, found "p1" again|table\.csv:3: id: .*expected .*found/, { 'table.csv': TABLE.replace('p2,', 'p1,') });
cal('table without an id', [TPL, '--data', '$D/table.csv'], /table\.csv:3: id: expected a point id, found an empty cell|table\.csv:3: id: expected .*found/, { 'table.csv': TABLE.replace('p2,', ',') });
cal('table with a missing column', [TPL, '--data', '$D/table.csv'], /table\.csv:2: .*expected .*found/, { 'table.csv': 'id,config,rate_rps\np1,c,1\n' });
cal('table not UTF-8', [TPL, '--data', '$D/table.csv'], /table\.csv:3:\d+: expected UTF-8 text/, { 'table.csv': Buffer.from(TABLE.replace('p2,c', 'p2,\xe9'), 'latin1') });
cal('table with an unbalanced quote', [TPL, '--data', '$D/table.csv'], /table\.csv(:\d+)?: expected valid CSV, found a syntax error/, { 'table.csv': TABLE.replace('p2,c', 'p2,"c') });
cal('inference-perf stages with a bad cell', [TPL, '--data', '$D/stages.csv'], /stages\.csv:2: requested_rate: expected a finite number >= 0, found "abc"/, { 'stages.csv': STAGES.replace(/,1\.0,1\.0254654214024423,/, ',abc,1.0254654214024423,') });
cal('vllm bench JSON invalid', [TPL, '--data', '$D/b.json'], /b\.json(:\d+:\d+)?: expected valid JSON, found a syntax error/, { 'b.json': '{"completed": ' });
cal('vllm bench JSON missing a key', [TPL, '--data', '$D/b.json'], /b\.json: total_input_tokens: expected a number, found nothing/, { 'b.json': JSON.stringify({ ...JSON.parse(BENCH), total_input_tokens: undefined }) });
cal('vllm bench JSON negative', [TPL, '--data', '$D/b.json'], /b\.json: total_output_tokens: expected a finite number >= 0, found -5/, { 'b.json': BENCH.replace('"total_output_tokens":500', '"total_output_tokens":-5') });
cal('vllm bench JSON a string number', [TPL, '--data', '$D/b.json'], /b\.json: completed: expected a finite number >= 0, found "10"/, { 'b.json': BENCH.replace('"completed":10', '"completed":"10"') });
cal('vllm bench JSON none completed', [TPL, '--data', '$D/b.json'], /b\.json: completed: expected at least one completed request, found 0/, { 'b.json': BENCH.replace('"completed":10', '"completed":0') });
cal('vllm bench JSON an array', [TPL, '--data', '$D/b.json'], /b\.json: expected a JSON object \(vllm bench serve --save-result\), found a list/, { 'b.json': '[]' });
cal('vllm bench JSON with a duplicate key', [TPL, '--data', '$D/b.json'], /b\.json: completed: expected each key once, found "completed" twice/, { 'b.json': BENCH.replace('{', '{"completed":3,') });
cal('--max-evals 0', [TPL, '--data', '$D/table.csv', '--max-evals', '0'], /--max-evals: expected a number >= 1, found "0"/);
cal('--max-evals 0x10', [TPL, '--data', '$D/table.csv', '--max-evals', '0x10'], /--max-evals: expected a whole number in decimal digits, found "0x10"/);
cal('--seed ""', [TPL, '--data', '$D/table.csv', '--seed', ''], /--seed: expected a whole number in decimal digits, found ""/);
cal('--max-num-seqs 1e3', [TPL, '--data', '$D/b.json', '--max-num-seqs', '1e3'], /--max-num-seqs: expected a whole number in decimal digits, found "1e3"/, { 'b.json': BENCH });
cal('--max-model-len 0', [TPL, '--data', '$D/b.json', '--max-model-len', '0'], /--max-model-len: expected a number >= 1, found "0"/, { 'b.json': BENCH });
cal('--params unknown', [TPL, '--data', '$D/table.csv', '--params', 'speed'], /--params: unknown coefficient "speed"; expected any of computeEfficiency.*found "speed"/);
cal('--only an unknown configuration', [TPL, '--data', '$D/table.csv', '--only', 'nope'], /--only: expected .*found "nope"/);
cal('--hold-out everything', [TPL, '--data', '$D/table.csv', '--hold-out', 'c'], /table\.csv: expected at least one load point to fit after --only\/--hold-out .*found none/);
cal('-o is a directory', [TPL, '--data', '$D/table.csv'], /--out: expected a file to write, found a directory/, {});
// schema, policies, profiles
cmd('schema with an argument', ['schema', 'x'], /<arguments>: expected 0 argument\(s\) for schema, found 1/);
cmd('schema -o is a directory', ['schema', '-o', '$D/outdir'], /--out: expected a file to write, found a directory/, {}, { out: 'outdir', setup: (d) => mkdirSync(join(d, 'outdir')) });
cmd('schema -o below a file', ['schema', '-o', '$D/t.csv/schema.json'], /--out: expected a file to write in a directory, found a file: .*t\.csv/, {}, { out: 't.csv' });
cmd('schema unknown option', ['schema', '--json'], /--json: expected an option of this command/);
cmd('policies with an argument', ['policies', 'fifo'], /<arguments>: expected 0 argument\(s\) for policies, found 1/);
cmd('policies unknown option', ['policies', '--all'], /--all: expected an option of this command/);
cmd('profiles with an argument', ['profiles', 'h100'], /<arguments>: expected 0 argument\(s\) for profiles, found 1/);
cmd('profiles --form without a value', ['profiles', '--form'], /--form: expected a value after it, found none/);
cmd('profiles unknown option', ['profiles', '--gpu', 'h100'], /--gpu: expected an option of this command .*found an unknown option/);

// The fit/calibrate "-o is a directory" cases need the directory.
for (const c of cmdCases) if (/^(fit|calibrate) -o is a directory/.test(c.name)) Object.assign(c, { out: 'outdir', args: c.args.map((a) => (a === '$D/out.yaml' ? '$D/outdir' : a)), setup: (d: string) => mkdirSync(join(d, 'outdir')) });

// ---------------------------------------------------------------------------------------------
// Accepted on purpose: a UTF-8 BOM and CRLF line ends, in every text input

const accepted: { name: string; files: Record<string, string>; args: string[] }[] = [];
const bomCrlf = (t: string) => `\ufeff${t.replace(/\n/g, '\r\n')}`;
accepted.push({ name: 'scenario with a BOM and CRLF', files: { 's.yaml': bomCrlf(BASE) }, args: ['run', '$D/s.yaml', ...out] });
for (const f of Object.keys(HEADERS) as (keyof typeof HEADERS)[]) {
  const rows = f === 'vidur' ? ['0,0,10,5', '1,1,10,5'] : [ROWS[f]('0', '10', '5'), ROWS[f]('1', '20', '3')];
  const fmt = f.startsWith('mooncake') ? 'mooncake' : f === 'native' ? 'llmsim' : f;
  accepted.push({ name: `${f} trace with a BOM and CRLF`, files: { 's.yaml': sub(['path: t.csv }', `path: tr.csv, format: ${fmt} }`]), 'tr.csv': bomCrlf(`${HEADERS[f]}\n${rows.join('\n')}\n`) }, args: ['run', '$D/s.yaml', ...out] });
}
accepted.push({ name: 'mooncake JSONL with a BOM and CRLF', files: { 's.yaml': sub(['path: t.csv }', 'path: tr.jsonl }']), 'tr.jsonl': bomCrlf(`${J({})}\n${J({ timestamp: 3000 })}\n`) }, args: ['run', '$D/s.yaml', ...out] });
accepted.push({ name: 'profile with a BOM and CRLF', files: { 's.yaml': sub([PROFILE_CB, 'p.yaml']), 'p.yaml': bomCrlf(ITERATION) }, args: ['run', '$D/s.yaml', ...out] });
accepted.push({ name: 'fit CSV with a BOM and CRLF', files: { 'm.csv': bomCrlf(FIT_CSV) }, args: ['fit', '$D/m.csv', '--form', 'bilinear', '-q', '-o', '$D/out.yaml'] });
accepted.push({ name: 'check tolerances with a BOM and CRLF', files: { ...SUM, 'tol.yaml': bomCrlf('default: { abs: 1.0e-9, rel: 1.0e-6 }\n') }, args: ['check', '$D/sum.json', '--baseline', '$D/base.json', '--tolerances', '$D/tol.yaml', '-q'] });

// ---------------------------------------------------------------------------------------------
// The runner

const CATALOGUE: readonly Case[] = [...scenarioCases, ...traceCases, ...profileCases, ...cmdCases];
const isRoot = process.getuid?.() === 0;
let counter = 0;

function prepare(files: Readonly<Record<string, string | Buffer>> | undefined, setup?: (d: string) => void): string {
  const d = join(root, `c${counter++}`);
  mkdirSync(d);
  const all: Record<string, string | Buffer> = { 's.yaml': BASE, 't.csv': NATIVE, ...files };
  for (const [name, body] of Object.entries(all)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), typeof body === 'string' ? body.replaceAll('$D', d).replaceAll('$R', R) : body);
  }
  setup?.(d);
  return d;
}

/** Contents of a path (a file's bytes, a directory's listing), to tell whether it changed. */
function snapshot(path: string): string | undefined {
  if (!existsSync(path) && !isLink(path)) return undefined;
  const st = lstatSync(path);
  if (st.isDirectory()) return `dir:${readdirSync(path).sort().map((n) => `${n}=${snapshot(join(path, n))}`).join(';')}`;
  if (st.isSymbolicLink()) return 'link';
  return `file:${readFileSync(path).toString('base64')}`;
}
function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

describe('bad-input catalogue', () => {
  beforeAll(() => {
    // A directory `-o` must not become: created per case where a case needs one.
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(250);
    expect(new Set(CATALOGUE.map((c) => c.name)).size).toBe(CATALOGUE.length);
  });

  it.each(CATALOGUE.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const d = prepare(c.files, c.setup);
    const args = c.args.map((a) => a.replaceAll('$D', d).replaceAll('$R', R));
    const outName = c.out ?? (args.includes(join(d, 'out')) || c.args.some((a) => a.startsWith('$D/out/')) ? 'out' : undefined);
    const outPath = outName === undefined ? undefined : join(d, outName);
    const before = outPath === undefined ? undefined : snapshot(outPath);
    const code = await cli.llmsim(...args);
    const err = cli.err;
    const lines = err.split('\n');
    // One line, newline-terminated, in llmsim's form; no stack trace, not a bug report.
    expect({ code, err }).toMatchObject({ code: 2 });
    expect(lines.length, err).toBe(2);
    expect(lines[1]).toBe('');
    const line = lines[0]!;
    expect(line).toMatch(/^llmsim: /);
    expect(line).not.toMatch(/internal error|\bat .*\.[jt]s:\d+/);
    // What was expected and what was found.
    expect(line).toMatch(/expected/);
    expect(line).toMatch(/found/);
    expect(line).toMatch(c.expect);
    // It names the file (with a line or field), or the flag or argument.
    const names = [...Object.keys(c.files ?? {}).map((f) => basename(f)), ...args.filter((a) => a.startsWith(d) || a.startsWith(R)).map((a) => basename(a))].filter((n) => n !== '');
    const namesFile = names.some((n) => line.includes(`${n}:`) || line.includes(`${n} `)) || line.includes(`${d}:`) || line.includes(`${d}/`);
    const namesFlag = /(^llmsim: |: )(--[a-z-]+|<[a-z.]+>)(\[\d+\])?: /.test(line) || /where\.[A-Za-z_]+(\[\d+\])?: /.test(line);
    expect(namesFile || namesFlag, `names no file or flag: ${line}`).toBe(true);
    // Nothing on stdout that looks like results, and nothing written.
    expect(cli.out).not.toMatch(/wrote|mean|p99/);
    if (outPath !== undefined) expect(snapshot(outPath)).toBe(before);
  });
});

describe('accepted on purpose: a UTF-8 byte order mark and CRLF line ends', () => {
  it.each(accepted.map((a) => [a.name, a] as const))('%s', async (_name, a) => {
    const d = prepare(a.files);
    const code = await cli.llmsim(...a.args.map((x) => x.replaceAll('$D', d)));
    expect(cli.err).not.toMatch(/llmsim: (?!warning)/);
    expect(code).toBe(0);
  });
});

describe('unreadable files', () => {
  it(`are refused whether or not the tests run as root (${isRoot ? 'root: injected by name' : 'chmod 000'})`, () => {
    expect(CATALOGUE.filter((c) => c.name.includes('unreadable')).length).toBeGreaterThan(0);
  });
});
