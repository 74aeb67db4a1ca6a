/**
 * Fits the power-cap slowdown exponent of src/fleet/power-cap.ts to Splitwise's power-capped H100
 * rows (profiles/measurements/splitwise-perf-model.csv): pairs every `h100-80gb-pcap` row with the
 * `h100-80gb` row of the same model, tensor parallelism, prompt, batch and output (medians of the
 * repetitions), prints the capped/uncapped ratios of prompt_time and token_time, and the exponent
 * a = ln(median prefill ratio) / ln(prefill demand / cap), with the cap 490 W per GPU (70% of 700 W,
 * splitwise-sim's dgx-h100-pcap.yaml) and the prefill demand the H100 SXM TDP, 700 W.
 *
 *     npx tsx scripts/fit-power-cap.ts
 */
import { readFileSync } from 'node:fs';
import { median } from 'simple-statistics';
import { readCsvTable } from '../src/workload/csv-table.js';
import { POWER_CAP_EXPONENT } from '../src/fleet/power-cap.js';

const FILE = 'profiles/measurements/splitwise-perf-model.csv';
const CAP_W = 490, TDP_W = 700;
const table = readCsvTable(readFileSync(FILE, 'utf8'), FILE);
const col = (n: string) => table.header.indexOf(n);
const groups = new Map<string, { prompt: number[]; token: number[] }>();
for (const row of table.rows) {
  const hw = row[col('hardware')]!;
  if (hw !== 'h100-80gb' && hw !== 'h100-80gb-pcap') continue;
  const key = [hw, row[col('model')], row[col('tensor_parallel')], row[col('prompt_size')], row[col('batch_size')], row[col('token_size')]].join('|');
  const g = groups.get(key) ?? { prompt: [], token: [] };
  g.prompt.push(Number(row[col('prompt_time')]));
  g.token.push(Number(row[col('token_time')]));
  groups.set(key, g);
}
const prefill: number[] = [], decode: number[] = [];
const perCombo = new Map<string, { p: number[]; d: number[] }>();
for (const [key, capped] of groups) {
  if (!key.startsWith('h100-80gb-pcap|')) continue;
  const free = groups.get(key.replace('h100-80gb-pcap|', 'h100-80gb|'));
  if (!free) continue;
  const p = median(capped.prompt) / median(free.prompt);
  const d = median(capped.token) / median(free.token);
  prefill.push(p);
  decode.push(d);
  const combo = key.split('|').slice(1, 3).join(' TP');
  const c = perCombo.get(combo) ?? { p: [], d: [] };
  c.p.push(p);
  c.d.push(d);
  perCombo.set(combo, c);
}
const r = (x: number) => x.toFixed(4);
console.log('| model, TP | points | prompt_time ratio min / median / max | token_time ratio min / median / max |');
console.log('|---|---:|---|---|');
for (const [combo, c] of perCombo) console.log(`| ${combo} | ${c.p.length} | ${r(Math.min(...c.p))} / ${r(median(c.p))} / ${r(Math.max(...c.p))} | ${r(Math.min(...c.d))} / ${r(median(c.d))} / ${r(Math.max(...c.d))} |`);
const a = Math.log(median(prefill)) / Math.log(TDP_W / CAP_W);
console.log(`\n${prefill.length} paired points; median prefill ratio ${r(median(prefill))}, median decode ratio ${r(median(decode))}`);
console.log(`exponent a = ln(${r(median(prefill))}) / ln(${TDP_W} / ${CAP_W}) = ${a.toFixed(4)} (src/fleet/power-cap.ts: ${POWER_CAP_EXPONENT.toFixed(4)})`);
