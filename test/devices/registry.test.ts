import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceEntrySchema, deviceKinds } from '../../src/devices/registry.js';
import { fileFields, loadScenario } from '../../src/scenario/load.js';

const scenarios = resolve(__dirname, '../../scenarios');

describe('device kind registry', () => {
  it('lists each kind once, named as its schema names it, in the union in the same order', () => {
    const kinds = deviceKinds.map((k) => k.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(deviceKinds.map((k) => k.schema.shape.kind.value)).toEqual(kinds);
    expect(deviceEntrySchema.options.map((o) => o.shape.kind.value)).toEqual(kinds);
  });

  it("declares file fields that are its schema's own fields", () => {
    for (const k of deviceKinds) {
      for (const field of k.fileFields) expect(Object.keys(k.schema.shape), `${k.kind}.${field}`).toContain(field);
    }
  });

  it('gives the scenario its device files: profile, or the sharded model of an edge device', () => {
    const devicePaths = (file: string) => fileFields(loadScenario(resolve(scenarios, file)).scenario).filter((f) => f.path[0] === 'cluster');
    expect(devicePaths('quickstart.yaml').map((f) => f.path.slice(3))).toEqual([['profile']]);
    expect(devicePaths('sti-edge.yaml')).toEqual([{ path: ['cluster', 'devices', 0, 'model'], value: '../profiles/edge/bert-base.yaml' }]);
  });
});
