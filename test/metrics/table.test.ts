import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/metrics/summary.js';
import { formatShown, formatSummaryTable, overviewRows, summaryMarkdown } from '../../src/metrics/table.js';
import { buildResult, device } from './fixtures.js';

const result = () =>
  buildResult(
    [
      { req: { arrivalS: 0, promptTokens: 10, outputTokens: 5 }, startS: 1, firstTokenS: 2, finishS: 6, device: 0 },
      { req: { arrivalS: 1, promptTokens: 10, outputTokens: 3 }, startS: 2, firstTokenS: 3, finishS: 4, device: 0 },
      { req: { arrivalS: 2, promptTokens: 10, outputTokens: 3 }, rejected: 'kv-capacity' },
    ],
    [device({ name: 'gpu/0', busyS: 3, busyEnergyJ: 600, idleEnergyJ: 60, finished: 2, iterations: 8, peakKvTokens: 40, kvCapacityTokens: 100, energyScope: 'GPU only' })],
    { events: 9, endS: 6, warnings: ['w1', 'w2', 'w3', 'w4', 'w5'] },
  );

describe('formatShown', () => {
  it('shows 4 significant digits, integers in full, - for undefined', () => {
    expect(formatShown(1 / 3)).toBe('0.3333');
    expect(formatShown(123456)).toBe('123456');
    expect(formatShown(1234.56)).toBe('1235');
    expect(formatShown(null)).toBe('-');
  });
});

describe('formatSummaryTable', () => {
  const text = formatSummaryTable(summarize(result(), { name: 'demo', slo: { ttftS: 1.5 } }));

  // The overview's cells wrap to fit 80 columns: check their text before layout, and the layout apart.
  const rows = overviewRows(summarize(result(), { name: 'demo', slo: { ttftS: 1.5 } }), { offeredRps: 1 });
  const overview = rows.map(([k, v]) => `${k}: ${v}`).join('\n');

  it('fits 80 columns: every line of every table is at most 79 characters', () => {
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(79);
    const many = buildResult(
      [{ req: { arrivalS: 0, promptTokens: 10, outputTokens: 5 }, startS: 1, firstTokenS: 2, finishS: 6, device: 0 }],
      Array.from({ length: 3 }, (_, i) => device({ name: `a-rather-long-device-group-name/${i}`, kind: 'continuous-batching', iterations: 123456789, peakKvTokens: 123456789, kvCapacityTokens: 1234567890, energyScope: 'x '.repeat(80), extra: { meanBatchSize: 12.5, cachedBlocksPeak: 1234 } })),
    );
    const wide = formatSummaryTable(summarize(many, { name: 'n'.repeat(120) }), { offeredRps: 123.456 });
    for (const line of wide.split('\n')) expect(line.length, line).toBeLessThanOrEqual(79);
    expect(wide).toMatch(/\na-rather-long-device-group-name\/2: continuous-batching; meanBatchSize 12\.5,\n  cachedBlocksPeak 1234\n/);
  });

  it('shows the offered rate next to the achieved throughput when given', () => {
    expect(overview).toContain('throughput: 0.3333 req/s (offered 1 req/s), 1.333 output tok/s');
    expect(overviewRows(summarize(result())).map(([, v]) => v).join()).not.toContain('offered');
  });

  it('renders the same rows as Markdown tables', () => {
    const md = summaryMarkdown(summarize(result(), { name: 'demo', slo: { ttftS: 1.5 } }));
    expect(md).toMatch(/^\|  \| demo \|\n\| --- \| --- \|\n\| requests \| 3 total, 2 finished, 1 rejected \(kv-capacity: 1\), 0 preempted \|/);
    expect(md).toContain('| E2E | 2 | 4.5 | 4.5 | 5.7 | 5.97 | 6 |');
    expect(md).toContain('| gpu/0 | 50% | 2 | 8 | 0 | 660 | 40/100 | continuous-batching |');
  });

  it('shows the headline numbers', () => {
    const text = overview;
    expect(text).toContain('demo');
    expect(text).toContain('3 total, 2 finished, 1 rejected (kv-capacity: 1), 0 preempted');
    // span 0..6 s: 2/6 req/s, 8 output tokens / 6 s; goodput: ttft 2 and 2, both > 1.5 -> none
    expect(text).toContain('0.3333 req/s (offered 1 req/s), 1.333 output tok/s, 3.333 prompt tok/s over 6 s');
    expect(text).toContain('0 req/s, 0% of requests (SLO: ttft <= 1.5 s)');
    expect(text).toContain('660 J = 0.0001833 kWh (busy 600 J, idle 60 J), 330 J/request, 82.5 J/output token');
    expect(text).toContain('GPU only');
  });

  it('has latency rows with count, mean and percentiles', () => {
    // ttft [2, 2]; e2e [6, 3] -> mean 4.5, p50 4.5, p90 5.7, p99 5.97, max 6
    expect(text).toMatch(/TTFT\s+│\s+2 │\s+2 │\s+2 │\s+2 │\s+2 │\s+2 │/);
    expect(text).toMatch(/E2E\s+│\s+2 │\s+4\.5 │\s+4\.5 │\s+5\.7 │\s+5\.97 │\s+6 │/);
  });

  it('has a row per replica with utilization and KV use, and its kind below', () => {
    expect(text).toMatch(/gpu\/0\s+│\s+50% │\s+2 │\s+8 │\s+0 │\s+660 │\s+40\/100 │/);
    expect(text).toContain('\ngpu/0: continuous-batching\n');
  });

  it('counts warnings but leaves printing them to the caller', () => {
    expect(text).toContain('9 events, ends at 6 s, 5 warnings');
    expect(text).not.toContain('w1');
  });

  it('is plain text: no color codes, and the same for the same summary', () => {
    expect(text).not.toMatch(/\x1b\[/);
    expect(formatSummaryTable(summarize(result(), { name: 'demo', slo: { ttftS: 1.5 } }))).toBe(text);
  });
});

describe('formatSummaryTable: time-outs and the prefix cache', () => {
  it('counts timed-out requests and shows the cache hit rate only when something was cached', () => {
    const plain = formatSummaryTable(summarize(result()));
    expect(plain).not.toContain('timed out');
    expect(plain).not.toContain('prefix cache');
    const r = buildResult(
      [
        { req: { arrivalS: 0, promptTokens: 10, outputTokens: 5 }, startS: 1, firstTokenS: 2, finishS: 6, device: 0 },
        { req: { arrivalS: 1, promptTokens: 10, outputTokens: 3 }, startS: 2, device: 0 }, // its client gives up at 3.5
        { req: { arrivalS: 2, promptTokens: 10, outputTokens: 3 }, rejected: 'kv-capacity' },
      ],
      [device({ name: 'gpu/0', busyS: 3, busyEnergyJ: 600, idleEnergyJ: 60, finished: 1, iterations: 8, peakKvTokens: 40, kvCapacityTokens: 100, energyScope: 'GPU only' })],
    );
    r.records.cachedTokens[0] = 8; // 8 of request 0's 10 prompt tokens came from the cache
    r.records.timeOut(1, 3.5);
    const text = overviewRows(summarize(r)).map(([, v]) => v).join('\n');
    expect(text).toContain('3 total, 1 finished, 1 rejected (kv-capacity: 1), 1 timed out, 0 preempted');
    // Started requests: 0 and 1 (20 prompt tokens); 8 cached = 40%.
    expect(text).toContain('40% of prompt tokens cached (8 of 20), 0 blocks evicted');
  });
});
