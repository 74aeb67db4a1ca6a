import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCostModel, compileIterationModel, loadProfile, parseProfile } from '../../src/profiles/load.js';
import { errorOf } from '../support/errors.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('profile');

const bilinear = `name: t
form: bilinear
model: m
hardware: h
gpus: 1
provenance:
  source: s
  derivation: d
runtime:
  a0: -0.01
  a1: 0.08
  a2: 0.0001
`;

const iteration = `name: it
form: iteration
model: m
hardware: h
gpus: 2
provenance: { source: s, derivation: d }
prefill: { c0: 0.02, c1: 0.0001, c2: 0 }
decode: { c0: 0.03, perSeq: 0.0003, perContextToken: 0.0000001 }
power: { idleW: 150, busyW: 900, busyWPerSeq: 2 }
memory:
  deviceBytes: 1000
  weightBytes: 500
  kvBytesPerToken: 10
  utilization: 0.9
`;


describe('profile loader errors', () => {
  it('accepts the valid fixtures', () => {
    expect(parseProfile(bilinear, 't.yaml').form).toBe('bilinear');
    expect(parseProfile(iteration, 'i.yaml').form).toBe('iteration');
  });

  it('names a missing coefficient by field path and line', () => {
    const msg = errorOf(() => parseProfile(bilinear.replace('  a2: 0.0001\n', ''), 'p.yaml'));
    // Located at the start of the `runtime` mapping (line 10), the nearest node that exists.
    expect(msg).toBe('p.yaml:10:3: runtime.a2: missing required field (expected number, found nothing)');
  });

  it('rejects .nan and .inf with the line of the value', () => {
    expect(errorOf(() => parseProfile(bilinear.replace('a1: 0.08', 'a1: .nan'), 'p.yaml'))).toBe('p.yaml:11:7: runtime.a1: expected a finite number, found NaN');
    expect(errorOf(() => parseProfile(iteration.replace('c2: 0 }', 'c2: -.inf }'), 'i.yaml'))).toBe('i.yaml:7:38: prefill.c2: expected a finite number, found -Infinity');
  });

  it('rejects a wrong type', () => {
    expect(errorOf(() => parseProfile(bilinear.replace('gpus: 1', 'gpus: four'), 'p.yaml'))).toBe('p.yaml:5:7: gpus: expected number, found "four"');
  });

  it('rejects an unknown key and suggests the closest known one', () => {
    const msg = errorOf(() => parseProfile(bilinear.replace('runtime:', 'runtiem:'), 'p.yaml'));
    expect(msg).toMatch(/^p\.yaml:9:1: runtiem: unknown key \(did you mean "runtime"\?\)/);
  });

  it('rejects an unknown form, listing the known ones', () => {
    expect(errorOf(() => parseProfile(bilinear.replace('form: bilinear', 'form: table'), 'p.yaml'))).toBe(
      'p.yaml:2:7: form: expected form to be one of "bilinear", "iteration", "roofline", "transformer", found "table"',
    );
  });

  it('reports a YAML syntax error with line and column', () => {
    expect(errorOf(() => parseProfile(bilinear.replace('  a1: 0.08', '  a1: [0.08'), 'p.yaml'))).toMatch(/^p\.yaml:12:3: expected valid YAML, found invalid YAML: Flow sequence/);
  });

  it('reports a missing file', () => {
    expect(errorOf(() => loadProfile('/nonexistent/profile.yaml'))).toBe('/nonexistent/profile.yaml: expected a readable profile file, found no such file');
  });

  it('rejects weights that do not fit in usable memory', () => {
    // usable = 1000 * 0.9 = 900 bytes < 950 bytes of weights
    const msg = errorOf(() => parseProfile(iteration.replace('weightBytes: 500', 'weightBytes: 950'), 'i.yaml'));
    expect(msg).toBe('i.yaml:12:16: memory.weightBytes: expected weights to fit in deviceBytes*utilization = 900 bytes with room for KV cache, found 950');
  });

  it('rejects negative iteration coefficients (times must grow with work)', () => {
    expect(errorOf(() => parseProfile(iteration.replace('perSeq: 0.0003', 'perSeq: -0.0003'), 'i.yaml'))).toMatch(/^i\.yaml:8:\d+: decode\.perSeq: expected >= 0, found -0\.0003$/);
  });

  it('loads JSON too, from a file', () => {
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ name: 'j', form: 'bilinear', model: 'm', hardware: 'h', gpus: 1, provenance: { source: 's', derivation: 'd' }, runtime: { a0: 0, a1: 1, a2: 0 } }));
    expect(compileCostModel(loadProfile(file)).serviceS(5, 3)).toBe(3);
  });

  it('refuses to compile a profile for the wrong kind of device', () => {
    expect(errorOf(() => compileIterationModel(parseProfile(bilinear, 'p.yaml')))).toBe('form: profile "t" cannot drive a batching device: expected form "iteration" or "roofline" or "transformer", found "bilinear"');
    expect(errorOf(() => compileCostModel(parseProfile(iteration, 'i.yaml')))).toMatch(/expected form "bilinear", found "iteration"/);
  });
});
