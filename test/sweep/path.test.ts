import { describe, expect, it } from 'vitest';
import { parseFieldPath, PathError, setAtPath } from '../../src/sweep/path.js';

describe('field paths', () => {
  it('splits dotted keys and list indexes', () => {
    expect(parseFieldPath('workload.rateScale')).toEqual(['workload', 'rateScale']);
    expect(parseFieldPath('cluster.devices[0].replicas')).toEqual(['cluster', 'devices', 0, 'replicas']);
    expect(parseFieldPath('a[2][10].b')).toEqual(['a', 2, 10, 'b']);
    expect(parseFieldPath('seed')).toEqual(['seed']);
  });

  it('sets a value without mutating the original, sharing untouched branches', () => {
    const data = { cluster: { devices: [{ replicas: 1, x: { y: 1 } }, { replicas: 2 }] }, workload: { a: 1 } };
    const frozen = JSON.stringify(data);
    const out = setAtPath(data, ['cluster', 'devices', 0, 'replicas'], 4) as typeof data;
    expect(out.cluster.devices[0]!.replicas).toBe(4);
    expect(out.cluster.devices[1]!.replicas).toBe(2);
    expect(JSON.stringify(data)).toBe(frozen);
    expect(out.workload).toBe(data.workload);
    expect(out.cluster.devices[0]!.x).toBe(data.cluster.devices[0]!.x);
  });

  it('creates missing mappings (a field left to its default is absent from the file)', () => {
    expect(setAtPath({ policy: { name: 'fifo' } }, ['policy', 'params', 'routing'], 'least-loaded')).toEqual({ policy: { name: 'fifo', params: { routing: 'least-loaded' } } });
  });

  it('refuses indexes past the end, indexing a mapping, and keys on a scalar', () => {
    const data = { cluster: { devices: [{ replicas: 1 }] }, seed: 3 };
    expect(() => setAtPath(data, ['cluster', 'devices', 1, 'replicas'], 2)).toThrow(/expected an index below 1/);
    expect(() => setAtPath(data, ['cluster', 0], 2)).toThrow(/expected a list to index with \[0\], found a mapping/);
    expect(() => setAtPath(data, ['seed', 'x'], 2)).toThrow(PathError);
  });
});
