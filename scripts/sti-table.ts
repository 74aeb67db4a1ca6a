/**
 * Prints the STI-vs-baselines table (target latency x memory budget x strategy) as markdown.
 *
 *   npx tsx scripts/sti-table.ts                                  # BERT-base, eMMC defaults
 *   npx tsx scripts/sti-table.ts --seq 64 --budgets-mb 16        # short inputs: STI spends the
 *                                                                 # slack as planned waits for IO
 *   npx tsx scripts/sti-table.ts --model profiles/edge/tinyllama-1.1b.yaml \
 *       --targets 1,2,4 --budgets-mb 32,64,128 --preload-mb 32
 *
 * Defaults: 128-token inputs; eMMC 5.1 storage, 250 MB/s sequential read and 1/11,000 s per
 * read (from 11,000 random-read IOPS), both from Samsung's embedded-storage table of March 2020;
 * flash read power 0.5 W (assumption); compute power from the model file. For UFS 3.1 (same
 * table: 2,100 MB/s, 100,000 IOPS) pass --bandwidth-mbps 2100 --read-latency-ms 0.01.
 */
import { parseArgs } from 'node:util';
import { loadShardedModel } from '../src/sti/load-model.js';
import { modelBytes } from '../src/sti/model.js';
import { formatSweepMarkdown, stiSweep } from '../src/sti/sweep.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'profiles/edge/bert-base.yaml' },
    seq: { type: 'string', default: '128' },
    targets: { type: 'string', default: '0.1,0.2,0.3,0.4' },
    'budgets-mb': { type: 'string', default: '8,16,32' },
    'preload-mb': { type: 'string', default: '4' },
    'bandwidth-mbps': { type: 'string', default: '250' },
    'read-latency-ms': { type: 'string', default: '0.0909' },
    'io-power-w': { type: 'string', default: '0.5' },
    'layerwise-bits': { type: 'string', default: '32,6' },
  },
});

const list = (s: string): number[] => s.split(',').map((x) => {
  const v = Number(x);
  if (!Number.isFinite(v)) throw new Error(`expected a comma-separated list of numbers, found "${s}"`);
  return v;
});

const model = loadShardedModel(values.model);
const seqLen = Number(values.seq);
const rows = stiSweep({
  model,
  seqLen,
  storage: { bandwidthBps: Number(values['bandwidth-mbps']) * 1e6, readLatencyS: Number(values['read-latency-ms']) / 1e3 },
  preloadBytes: Number(values['preload-mb']) * 1e6,
  targetsS: list(values.targets),
  budgetsBytes: list(values['budgets-mb']).map((x) => x * 1e6),
  strategies: [
    { strategy: 'sti' },
    { strategy: 'hold-in-memory' },
    { strategy: 'load-then-execute' },
    ...list(values['layerwise-bits']).map((bits) => ({ strategy: 'layerwise' as const, bits })),
  ],
  power: { computeW: model.computePowerW, ioW: Number(values['io-power-w']) },
});

console.log(`### ${model.name}: ${model.layers} layers x ${model.shardsPerLayer} shards, ${(modelBytes(model) / 1e6).toFixed(1)} MB at 32 bits, ${seqLen}-token input`);
console.log(`storage ${values['bandwidth-mbps']} MB/s + ${values['read-latency-ms']} ms/read, preload buffer ${values['preload-mb']} MB, compute on ${model.computeDevice}\n`);
console.log(formatSweepMarkdown(rows, model.accuracy.metric));
