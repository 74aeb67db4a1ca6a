import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRequestsCsv } from '../../src/metrics/requests-csv.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { scenarioNotStreamable, streamScenario } from '../../src/scenario/stream-run.js';
import { tempDir } from '../support/tmp.js';

/**
 * KV tiers under `run --stream`: the streamed run (slots reused, the summary accumulated request by
 * request) must give the in-memory run's summary.json, kvTiers block included, and requests.csv.
 */
const R = resolve(__dirname, '../..');
const dir = tempDir('kv-tiers-stream');

describe('KV tiers in a streamed run', () => {
  it('streams, and equals the in-memory run byte for byte (swaps, fallbacks and reloads happen)', () => {
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      [
        'name: kv-tiers-stream',
        'seed: 1',
        'workload:',
        `  trace: { path: ${R}/traces/mooncake-fast25-conversation-first3500.jsonl, format: mooncake }`,
        '  limit: 150',
        'cluster:',
        '  devices:',
        '    - name: g',
        '      kind: continuous-batching',
        `      profile: ${R}/profiles/splitwise/llama2-70b-h100-tp4.yaml`,
        '      kvCapacityTokens: 100000',
        '      kvTiers: { cpu: { capacityGiB: 8 }, prefixOffload: true }',
        'policy: { name: fifo }',
        '',
      ].join('\n'),
    );
    const loaded = loadScenario(file);
    expect(scenarioNotStreamable(loaded)).toBeUndefined();
    const run = runScenario(loaded);
    let csv = '';
    writeRequestsCsv(run.result, (t) => (csv += t));
    let streamedCsv = '';
    const streamed = streamScenario(loadScenario(file), { requestsCsv: (t) => (streamedCsv += t) });
    expect(JSON.stringify(streamed.summary, null, 2)).toBe(JSON.stringify(run.summary, null, 2));
    expect(streamedCsv).toBe(csv);
    const t = run.summary.kvTiers!;
    expect(t.swapOuts).toBeGreaterThan(0);
    expect(t.swapFallbacks).toBeGreaterThan(0);
    expect(t.reloadedBlocks).toBeGreaterThan(0);
  });
});
