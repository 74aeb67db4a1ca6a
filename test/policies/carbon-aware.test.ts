import { describe, expect, it } from 'vitest';
import { carbonAwarePolicy } from '../../src/policies/carbon-aware.js';
import { cluster, linearEstimate, make, request, view } from './views.js';

describe('carbon-aware', () => {
  // Replica 0: 2 J per prompt token + 10 J per output token; replica 1: half that.
  const devices = () => [view(0, { group: 'a', capacity: 2, estimate: linearEstimate(0, 0, 2, 10) }), view(1, { group: 'b', capacity: 2, estimate: linearEstimate(0, 0, 1, 5) })];
  const req = request(0, 0, 100, 999);

  it('energy: the replica with the least estimated energy while it has room', () => {
    const c = cluster(devices());
    const p = make(carbonAwarePolicy, { objective: 'energy' }, [req], c);
    expect(p.route(req, [0, 1], c)).toBe(1); // 100 + 5*200 = 1100 J < 2200 J
    c.devices[1]!.r = 2; // full (2 >= 1 x capacity 2)
    expect(p.route(req, [0, 1], c)).toBe(0);
    c.devices[0]!.q = 5; // none has room: least-loaded
    expect(p.route(req, [0, 1], c)).toBe(1);
  });

  it('carbon: energy x the group intensity now (2200 J x 100 < 1100 J x 300)', () => {
    const c = { ...cluster(devices()), gco2PerKwh: (i: number) => (i === 0 ? 100 : 300) };
    const p = make(carbonAwarePolicy, {}, [req], c);
    expect(p.route(req, [0, 1], c)).toBe(0);
  });

  it('without an estimate or a carbon series: by load, then lower index', () => {
    const c = cluster([view(0, { capacity: 4, r: 2 }), view(1, { capacity: 4, r: 1 })]);
    const p = make(carbonAwarePolicy, {}, [req], c);
    expect(p.route(req, [0, 1], c)).toBe(1);
    c.devices[1]!.r = 2;
    expect(p.route(req, [0, 1], c)).toBe(0);
  });
});
