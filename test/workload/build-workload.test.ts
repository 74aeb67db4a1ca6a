import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../../src/errors.js';
import { validate } from '../../src/util/validate.js';
import { buildWorkload, workloadSchema, type WorkloadInput } from '../../src/workload/index.js';
import { checkWorkloadYaml } from './check-yaml.js';
import { tempDir } from '../support/tmp.js';

const TRACES = fileURLToPath(new URL('../../traces/', import.meta.url));
const DIR = tempDir('workload');
writeFileSync(join(DIR, 'six.csv'), 'arrival_s,prompt_tokens,output_tokens,deadline_s\n0,10,100,9\n1,11,200,9\n2,12,300,9\n3,13,400,9\n4,14,500,9\n5,15,600,9\n');

const build = (input: WorkloadInput, baseDir = DIR) => buildWorkload(validate(workloadSchema, input), { baseDir, seed: 1, specFile: 's.yaml' });

describe('buildWorkload steps (rateScale, window, limit, deadline), by hand', () => {
  const trace = { path: 'six.csv' };

  it('rateScale 2 halves every arrival time', () => {
    expect(build({ trace, rateScale: 2 }).map((r) => r.arrivalS)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  });

  it('window keeps [startS, endS) of the scaled times and shifts startS to 0; limit keeps the first N', () => {
    // Scaled: 0 .5 1 1.5 2 2.5; [0.5, 2) keeps 0.5, 1, 1.5 -> 0, 0.5, 1; limit 2 -> 0, 0.5.
    const r = build({ trace, rateScale: 2, window: { startS: 0.5, endS: 2 }, limit: 2 });
    expect(r).toEqual([
      { id: 0, arrivalS: 0, promptTokens: 11, outputTokens: 200, deadlineS: 9 },
      { id: 1, arrivalS: 0.5, promptTokens: 12, outputTokens: 300, deadlineS: 9 },
    ]);
    expect(build({ trace, window: { startS: 4 } }).map((r) => r.arrivalS)).toEqual([0, 1]);
  });

  it('deadline: fixedS, or baseS + perOutputTokenS * output, replacing the trace deadlines', () => {
    expect(build({ trace, deadline: { fixedS: 2.5 } }).map((r) => r.deadlineS)).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
    const lin = build({ trace, deadline: { baseS: 1, perOutputTokenS: 0.01 } }).map((r) => r.deadlineS!);
    [2, 3, 4, 5, 6, 7].forEach((d, i) => expect(lin[i]).toBeCloseTo(d, 12));
    expect(build({ trace, deadline: { perOutputTokenS: 0.02 } })[0]!.deadlineS).toBeCloseTo(2, 12);
  });

  it('an empty window is an InputError naming the scenario file and field', () => {
    expect(() => build({ trace, window: { startS: 10, endS: 20 } })).toThrow('s.yaml: workload.window: expected the window [10, 20) s to contain a request, found none');
  });

  it('trace paths resolve against baseDir; the model default applies', () => {
    const r = build({ trace: { path: 'azure-llm-2023-conv.csv', model: 'llama-2-70b' }, window: { startS: 600, endS: 1200 } }, TRACES);
    // Counted independently (Python, Decimal arithmetic on the timestamps): 3,118 arrivals in
    // [600, 1200) s, the first at 600.1976360 s (row 2869: 958 prompt, 89 output tokens).
    expect(r).toHaveLength(3118);
    expect(r[0]).toMatchObject({ promptTokens: 958, outputTokens: 89, model: 'llama-2-70b' });
    expect(r[0]!.arrivalS).toBeCloseTo(0.197636, 9);
    expect(build({ trace: { path: 'azure-llm-2023-conv.csv' }, rateScale: 2, window: { startS: 600, endS: 1200 } }, TRACES)).toHaveLength(8191);
  });

  it("compresses a day-long Azure trace (the 2024 week-long traces' timestamp layout) to minutes with rateScale", () => {
    // A day of arrivals in the Azure layout with a +00:00 zone, as the 2024 week-long traces write it:
    // 00:00:00, 06:00:00.5, 12:00:00, 23:59:59 UTC. rateScale 144 replays the 86,400 s in 600 s:
    // 0, 21600.5 / 144, 43200 / 144 = 300, 86399 / 144; window [0, 300) keeps the first two.
    writeFileSync(
      join(DIR, 'azure-day.csv'),
      'TIMESTAMP,ContextTokens,GeneratedTokens\n2024-05-10 00:00:00.000000+00:00,100,10\n2024-05-10 06:00:00.500000+00:00,200,20\n2024-05-10 12:00:00.000000+00:00,300,30\n2024-05-10 23:59:59.000000+00:00,400,40\n',
    );
    const day = { path: 'azure-day.csv', format: 'azure' as const };
    const times = build({ trace: day, rateScale: 144 }).map((r) => r.arrivalS);
    expect(times[0]).toBe(0);
    expect(times[1]).toBeCloseTo(21600.5 / 144, 12);
    expect(times[2]).toBeCloseTo(300, 12);
    expect(times[3]).toBeCloseTo(86399 / 144, 12);
    expect(build({ trace: day, rateScale: 144, window: { startS: 0, endS: 300 } }).map((r) => r.promptTokens)).toEqual([100, 200]);
  });

  it('a missing trace file is an InputError naming the resolved path', () => {
    expect(() => build({ trace: { path: 'nope.csv' } })).toThrow(InputError);
    expect(() => build({ trace: { path: 'nope.csv' } })).toThrow(`${join(DIR, 'nope.csv')}: expected a readable trace file, found no such file`);
  });
});

describe('workloadSchema', () => {
  const check = checkWorkloadYaml;

  it('fills defaults', () => {
    const spec = validate(workloadSchema, { trace: { path: 'x.csv' } });
    expect(spec).toEqual({ trace: { path: 'x.csv', format: 'auto', mooncakeArrivals: 'spread' }, rateScale: 1 });
  });

  it('points at the offending line and field, with a suggestion for typos', () => {
    expect(check('workload:\n  trace:\n    path: a.csv\n  rateScael: 2\n')).toBe('s.yaml:4:3: workload.rateScael: unknown key (did you mean "rateScale"?); expected one of: trace, synthetic, sessions, rateScale, window, limit, uncertainty, deadline, classMix, timeoutS, maxConcurrency, found "rateScael"');
    expect(check('workload:\n  trace:\n    path: a.csv\n    format: csv\n')).toBe('s.yaml:4:13: workload.trace.format: expected one of "auto", "llmsim", "azure", "mooncake", "vidur", "burstgpt", "sharegpt", "vllm-bench", "otel", found "csv"');
    expect(check('workload:\n  trace: { path: a.csv }\n  rateScale: 0\n')).toBe('s.yaml:3:14: workload.rateScale: expected >= 0.000001, found 0');
    expect(check('workload:\n  synthetic:\n    count: 5\n    arrival: { process: poisson, rateRps: 1 }\n    prompt: { dist: fixed, tokens: 0 }\n    output: { dist: fixed, tokens: 1 }\n')).toMatch(/^s\.yaml:5:\d+: workload\.synthetic\.prompt\.tokens: expected >= 1, found 0$/);
  });

  it('cross-field rules: one source, one size, uncertainty for uncertainty-lognormal, window order', () => {
    expect(check('workload:\n  rateScale: 2\n')).toMatch(/^s\.yaml:2:3: workload: expected exactly one of trace, synthetic or sessions/);
    const synth = '  synthetic:\n    arrival: { process: poisson, rateRps: 1 }\n    prompt: { dist: fixed, tokens: 1 }\n';
    expect(check(`workload:\n  trace: { path: a.csv }\n${synth}    count: 3\n    output: { dist: fixed, tokens: 1 }\n`)).toMatch(/workload\.synthetic: expected exactly one of trace, synthetic or sessions/);
    expect(check(`workload:\n${synth}    output: { dist: fixed, tokens: 1 }\n`)).toMatch(/workload\.synthetic: expected count or durationS \(or both\)/);
    expect(check(`workload:\n${synth}    count: 3\n    output: { dist: uncertainty-lognormal, logMeanBase: 4, logMeanPerU: 1, sigma: 1 }\n`)).toMatch(
      /workload\.synthetic\.output\.dist: expected a synthetic\.uncertainty block/,
    );
    expect(check(`workload:\n${synth}    count: 3\n    output: { dist: uniform, min: 9, max: 3 }\n`)).toMatch(/workload\.synthetic\.output\.max: expected max >= min \(9\), found 3$/);
    expect(check('workload:\n  trace: { path: a.csv }\n  window: { startS: 5, endS: 5 }\n')).toMatch(/^s\.yaml:3:\d+: workload\.window\.endS: expected endS > startS \(5\), found 5$/);
    expect(check('workload:\n  trace: { path: a.csv }\n  deadline: { fixedS: 5, baseS: 1 }\n')).toMatch(/workload\.deadline: expected either fixedS, or baseS and\/or perOutputTokenS/);
    expect(check('workload:\n  trace: { path: a.csv }\n  uncertainty: { rho: 1.5 }\n')).toMatch(/workload\.uncertainty\.rho: expected <= 1, found 1\.5$/);
    expect(check(`workload:\n${synth}    durationS: 1e9\n    output: { dist: fixed, tokens: 1 }\n`)).toMatch(/workload\.synthetic\.durationS: expected durationS \* rateRps <= 10000000 requests/);
  });

  it('documents every field (each property in the JSON Schema has a description)', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const obj = node as Record<string, unknown>;
      if (obj.properties && typeof obj.properties === 'object') {
        for (const [key, prop] of Object.entries(obj.properties as Record<string, Record<string, unknown>>)) {
          if (typeof prop.description !== 'string' || prop.description === '') undocumented.push(`${path}.${key}`);
        }
      }
      for (const [key, child] of Object.entries(obj)) walk(child, `${path}.${key}`);
    };
    const schema = z.toJSONSchema(workloadSchema);
    walk(schema, 'workload');
    expect(undocumented).toEqual([]);
    expect(JSON.stringify(schema)).toContain('logMeanPerU');
  });
});
