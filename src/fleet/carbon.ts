/**
 * Grid carbon intensity over time: a CSV step function (docs/fleet.md, "Carbon").
 *
 *     time_s,gco2_per_kwh
 *     0,420
 *     3600,380
 *
 * The intensity at time t is the value of the last row with time_s <= t (the first row's before
 * it, the last row's after the end). Lines starting with `#` are comments (where a series names
 * its source). Times are seconds, increasing; intensities >= 0.
 */
import { InputError, describeValue } from '../errors.js';
import { MAX_TIME_S } from '../limits.js';
import { readTextFile } from '../util/yaml-file.js';
import { findColumns, readCsvTable } from '../workload/csv-table.js';
import { parseNumberCell } from '../workload/cells.js';

/** A carbon-intensity series on the simulated clock. */
export interface CarbonSeries {
  /** gCO2 per kWh at simulated time t. */
  at(tS: number): number;
  /** Time-average gCO2 per kWh over [aS, bS] (the value at aS when bS <= aS). */
  meanOver(aS: number, bS: number): number;
}

/** Grams of CO2 for `energyJ` joules at `gPerKwh`. */
export const gramsCo2 = (energyJ: number, gPerKwh: number): number => (energyJ / 3.6e6) * gPerKwh;

/** Parses a series; `rateScale` k maps simulated time t to series time t*k. */
export function parseCarbonCsv(text: string, file: string, rateScale = 1): CarbonSeries {
  const stripped = text.replace(/^\uFEFF/, '').split('\n').map((l) => (l.trimStart().startsWith('#') ? '' : l)).join('\n');
  const table = readCsvTable(stripped, file);
  const col = findColumns(table, 'carbon-intensity', ['time_s', 'gco2_per_kwh'] as const);
  const times: number[] = [];
  const values: number[] = [];
  table.rows.forEach((row, i) => {
    const line = table.lines[i];
    const t = parseNumberCell(row[col.time_s], { file, line, field: 'time_s' });
    const v = parseNumberCell(row[col.gco2_per_kwh], { file, line, field: 'gco2_per_kwh' });
    if (!(t >= 0 && t <= MAX_TIME_S)) throw new InputError({ file, line, field: 'time_s' }, `expected a time in [0, ${MAX_TIME_S}] s, found ${describeValue(row[col.time_s])}`);
    if (times.length > 0 && t <= times[times.length - 1]!) throw new InputError({ file, line, field: 'time_s' }, `expected times increasing (after ${times[times.length - 1]}), found ${t}`);
    if (!(v >= 0 && v <= 1e5)) throw new InputError({ file, line, field: 'gco2_per_kwh' }, `expected an intensity in [0, 100000] gCO2/kWh, found ${describeValue(row[col.gco2_per_kwh])}`);
    times.push(t / rateScale);
    values.push(v);
  });
  return stepSeries(times, values);
}

export function loadCarbonCsv(file: string, rateScale = 1): CarbonSeries {
  return parseCarbonCsv(readTextFile(file, 'carbon-intensity file'), file, rateScale);
}

/** A step function through (times[i], values[i]), times increasing, on the simulated clock. */
export function stepSeries(times: readonly number[], values: readonly number[]): CarbonSeries {
  // Index of the last time <= t (0 before the first).
  const index = (t: number) => {
    let lo = 0, hi = times.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (times[mid]! <= t) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  const at = (t: number) => values[index(t)]!;
  return {
    at,
    meanOver(a, b) {
      if (!(b > a)) return at(a);
      let sum = 0;
      let i = index(a);
      let t = a;
      while (t < b) {
        const next = i + 1 < times.length ? Math.min(times[i + 1]!, b) : b;
        if (next > t) sum += values[i]! * (next - t);
        t = next;
        i++;
        if (i >= times.length) i = times.length - 1;
      }
      return sum / (b - a);
    },
  };
}
