import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_FILE } from '../../src/commands/catalog.js';
import { scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/scenario/json-schema.js';

const root = resolve(__dirname, '..', '..');
const committed = join(root, SCENARIO_SCHEMA_FILE);
const scenarioFiles = [
  ...readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'scenarios', f)),
  ...readdirSync(join(root, 'test', 'golden')).filter((f) => f.endsWith('.yaml') && f !== 'tolerances.yaml').map((f) => join(root, 'test', 'golden', f)),
];

describe('scenario JSON Schema', () => {
  it(`${SCENARIO_SCHEMA_FILE} is up to date (regenerate: npx tsx src/cli.ts schema -o ${SCENARIO_SCHEMA_FILE})`, () => {
    expect(readFileSync(committed, 'utf8')).toBe(scenarioJsonSchemaText());
  });

  // An independent validator (ajv) checks that editors would accept real files and flag typos.
  const validate = new Ajv({ strict: false, allErrors: true }).compile(scenarioJsonSchema());

  it.each(scenarioFiles.map((f) => [f.slice(root.length + 1), f]))('accepts %s', (_name, file) => {
    const ok = validate(parse(readFileSync(file, 'utf8')));
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('flags an unknown key, a wrong type, a bad enum and a bad sweep path, and leaves policy.params open', () => {
    const base = parse(readFileSync(join(root, 'scenarios', 'quickstart.yaml'), 'utf8')) as Record<string, any>;
    const bad = (patch: (s: Record<string, any>) => void) => {
      const s = structuredClone(base);
      patch(s);
      return validate(s);
    };
    expect(bad((s) => (s.cluster.devices[0].replica = 2))).toBe(false);
    expect(bad((s) => (s.cluster.devices[0].replicas = 'two'))).toBe(false);
    expect(bad((s) => (s.workload.trace.format = 'csv'))).toBe(false);
    expect(bad((s) => (s.sweep = { grid: { 'workload..x': [1] } }))).toBe(false);
    expect(bad((s) => (s.sweep = { grid: { 'workload.rateScale': [1, 2] }, seeds: 3 }))).toBe(true);
    expect(bad((s) => (s.policy.params = { anything: [1, 2] }))).toBe(true);
  });

  it('every shipped scenario names the schema for yaml-language-server', () => {
    for (const f of scenarioFiles) expect(readFileSync(f, 'utf8').split('\n')[0], f).toMatch(/^# yaml-language-server: \$schema=(\.\.\/)+schema\/scenario\.schema\.json$/);
  });
});
