import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gramsCo2, parseCarbonCsv, stepSeries } from '../../src/fleet/carbon.js';
import { InputError } from '../../src/errors.js';
import { leastLoadedPolicy } from '../../src/policies/least-loaded.js';
import { simulate } from '../../src/simulation/simulate.js';
import { req, slotsGroup } from '../support/models.js';
import { repoFile } from '../sweep/fixtures.js';

describe('carbon-intensity series', () => {
  const s = parseCarbonCsv('# a comment\ntime_s,gco2_per_kwh\n0,100\n10,300\n20,200\n', 'c.csv');
  it('is a step function held until the next row, the first value before it and the last after', () => {
    expect([s.at(0), s.at(9.99), s.at(10), s.at(25), s.at(1e6)]).toEqual([100, 100, 300, 200, 200]);
    // (5 x 100 + 10 x 300 + 5 x 200) / 20
    expect(s.meanOver(5, 25)).toBe(225);
    expect(s.meanOver(12, 12)).toBe(300);
    expect(stepSeries([5], [7]).at(0)).toBe(7);
  });
  it('rateScale replays the series k times faster', () => {
    const fast = parseCarbonCsv('time_s,gco2_per_kwh\n0,100\n10,300\n', 'c.csv', 10);
    expect(fast.at(0.99)).toBe(100);
    expect(fast.at(1)).toBe(300);
  });
  it('1 kWh at 400 g/kWh is 400 g', () => expect(gramsCo2(3.6e6, 400)).toBe(400));
  it.each([
    ['time_s,gco2_per_kwh\n0,1\n0,2\n', 3, 'time_s', 'expected times increasing (after 0), found 0'],
    ['time_s,gco2_per_kwh\n0,-1\n', 2, 'gco2_per_kwh', 'expected an intensity in [0, 100000] gCO2/kWh, found "-1"'],
    ['time_s,g\n0,1\n', 1, undefined, 'expected a header with the carbon-intensity columns time_s,gco2_per_kwh (gco2_per_kwh is missing'],
  ])('refuses %j at its line', (text, line, field, detail) => {
    let err: unknown;
    try {
      parseCarbonCsv(text, 'c.csv');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).location).toMatchObject({ file: 'c.csv', line, ...(field && { field }) });
    expect((err as InputError).detail).toContain(detail);
  });
});

describe('the shipped real series (scenarios/fleet/carbon-gb-neso-2023-03-14.csv)', () => {
  it("holds the NESO API's half-hourly actual values, seconds from 2023-03-14T01:00Z", () => {
    const file = repoFile('scenarios/fleet/carbon-gb-neso-2023-03-14.csv');
    const s = parseCarbonCsv(readFileSync(file, 'utf8'), file);
    // Rows of the source (from,intensity.forecast,intensity.actual): 2023-03-14T01:00Z,82,81;
    // 2023-03-14T18:00Z,170,196; 2023-03-15T00:30Z,178,182.
    expect(s.at(0)).toBe(81);
    expect(s.at(17 * 3600)).toBe(196);
    expect(s.at(17 * 3600 + 1799)).toBe(196);
    expect(s.at(23.5 * 3600)).toBe(182);
    // rateScale 144 (power-caps.yaml) replays the day in 600 s: 18:00 UTC at 425 s.
    expect(parseCarbonCsv(readFileSync(file, 'utf8'), file, 144).at(17 * 3600 / 144)).toBe(196);
  });
});

describe('emissions of a run', () => {
  it('charges each request its energy at the intensity when it is charged; idle energy at the mean over provisioned time', () => {
    // One slot, 1 s per output token, 10 J per request... tokenTimeCost has no energy: use one with 1 J per token, idle 2 W.
    const cost = { serviceS: (_p: number, o: number) => o, energyJ: (_p: number, o: number) => 3.6e5 * o, clamped: () => false, idlePowerW: 2 };
    const series = stepSeries([0, 5], [100, 300]);
    // r0: 2 tokens, 0-2, charged at 2 (100 g/kWh): 0.2 kWh -> 20 g. r1 arrives 6, 1 token, 6-7, at 300: 0.1 kWh -> 30 g.
    const res = simulate({ requests: [req(0, 0, 1, 2), req(1, 6, 1, 1)], cluster: [slotsGroup(cost, 1, 1)], policy: leastLoadedPolicy, policyParams: {}, seed: 1, fleet: { groups: [{ carbon: series }] } });
    expect(Array.from(res.fleet!.requestCo2G!)).toEqual([gramsCo2(7.2e5, 100), gramsCo2(3.6e5, 300)]);
    // Idle 4 s x 2 W = 8 J at the window's mean intensity (5 x 100 + 2 x 300) / 7.
    expect(res.fleet!.idleCo2G).toBeCloseTo(gramsCo2(8, 1100 / 7), 15);
  });
});
