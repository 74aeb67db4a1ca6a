import { closeSync, openSync, writeSync } from 'node:fs';
import { devNull } from 'node:os';
import { RequestsCsvRows } from '../metrics/requests-csv.js';
import type { LoadedScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';

/**
 * requests.csv formatting cost: runs the case's scenario in memory, then writes its rows to the
 * null device (so the figure is formatting and the write calls, not the disk). `coldUsPerRow`: the
 * first 10,000 rows of the process, as a 10k-request `llmsim run` writes them (code not yet
 * optimized); `usPerRow`: every row, median of 5 passes. CPU time per row, in microseconds.
 */
export function runCsvCase(loaded: LoadedScenario): Record<string, unknown> {
  const { result } = runScenario(loaded);
  const names = result.devices.map((d) => d.name);
  const n = result.requests.length;
  const fd = openSync(devNull, 'w');
  const write = (chunk: string | Uint8Array) => void (typeof chunk === 'string' ? writeSync(fd, chunk) : writeSync(fd, chunk));
  const pass = (rows: number): number => {
    const c0 = process.cpuUsage();
    const csv = new RequestsCsvRows(names, write);
    for (let i = 0; i < rows; i++) csv.take(result.requests[i]!, result.records, i);
    csv.flush();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / rows;
  };
  try {
    const coldRows = Math.min(10_000, n);
    const coldUsPerRow = pass(coldRows);
    const hot = Array.from({ length: 5 }, () => pass(n)).sort((a, b) => a - b);
    return { requests: n, coldRows, coldUsPerRow, usPerRow: hot[2] };
  } finally {
    closeSync(fd);
  }
}
