/**
 * The Argonne LLM-Inference-Bench results: offline batches of B requests, input and output both L
 * tokens, end-to-end latency of the whole batch. Pure: CSV text in, grouped medians out.
 */
import { csvRecords, median, num } from './common.js';

/** One (hardware, devices, framework, model) configuration with its measured points. */
export interface ArgonneGroup {
  hardware: string;
  devices: number;
  framework: string;
  model: string;
  /** One point per distinct (length, batch): the median of its repeated rows. */
  points: ArgonnePoint[];
}

export interface ArgonnePoint {
  length: number;
  batch: number;
  latencyS: number;
  /** Average power per device, W (power CSV only). */
  powerW?: number;
  repetitions: number;
}

/** Groups All_results.csv (or power_results.csv, whose avg_power is in mW) by configuration. */
export function parseArgonne(text: string): ArgonneGroup[] {
  const groups = new Map<string, { g: ArgonneGroup; raw: Map<string, { l: number; b: number; lat: number[]; pw: number[] }> }>();
  for (const r of csvRecords(text)) {
    if (!r.Hardware) continue;
    const key = [r.Hardware, r['Num of Hardware'], r.Framework, r.Model].join('|');
    let entry = groups.get(key);
    if (!entry) {
      entry = { g: { hardware: r.Hardware, devices: num(r['Num of Hardware'], 'devices'), framework: r.Framework!, model: r.Model!, points: [] }, raw: new Map() };
      groups.set(key, entry);
    }
    const l = num(r['Input Output Length'], 'length');
    const b = num(r['Batch Size'], 'batch');
    const pk = `${l}|${b}`;
    const p = entry.raw.get(pk) ?? { l, b, lat: [], pw: [] };
    p.lat.push(num(r.Latency, 'latency'));
    if (r.avg_power !== undefined) p.pw.push(num(r.avg_power, 'avg_power') / 1000);
    entry.raw.set(pk, p);
  }
  const out = [...groups.values()].map(({ g, raw }) => ({
    ...g,
    points: [...raw.values()]
      .map((p) => ({ length: p.l, batch: p.b, latencyS: median(p.lat), ...(p.pw.length ? { powerW: median(p.pw) } : {}), repetitions: p.lat.length }))
      .sort((a, b) => a.length - b.length || a.batch - b.batch),
  }));
  return out.sort((a, b) => a.hardware.localeCompare(b.hardware) || a.devices - b.devices || a.framework.localeCompare(b.framework) || a.model.localeCompare(b.model));
}

/**
 * Decode-step context sum of one batch run: after the prefill iteration each of the B sequences
 * holds L + 1 tokens, and decode step j (j = 0 .. L-2) sees L + 1 + j per sequence, so the total
 * over the L - 1 steps is B * ((L-1)(L+1) + (L-1)(L-2)/2).
 */
export function decodeContextSum(length: number, batch: number): number {
  const k = length - 1;
  return batch * (k * (length + 1) + (k * (k - 1)) / 2);
}
