import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SimResult } from '../simulation/result.js';
import { ensureDir, writeFileAtomic } from './atomic-write.js';
import { writeRequestsCsv, type WriteChunk } from './requests-csv.js';
import type { Summary } from './summary.js';

/** What `writeResults` writes. */
export interface ResultFiles {
  /** The run's records: requests.csv is written from them unless `requestsBody` is given. */
  readonly result?: SimResult;
  readonly summary: Summary | (() => Summary);
  /** The resolved scenario as YAML text; scenario.yaml is written only when given. */
  readonly scenarioText?: string;
  /**
   * Write requests.csv (default true); sweeps turn it off to save space. A requests.csv left in
   * the directory by an earlier run is then removed, so it is never mistaken for this run's.
   */
  readonly requests?: boolean;
  /** Body of requests.csv when not written from `result` (a streamed run writes its rows as requests end). */
  readonly requestsBody?: (write: WriteChunk) => void;
}

/** File names inside a results directory. */
export const RESULT_FILE_NAMES = { requests: 'requests.csv', summary: 'summary.json', scenario: 'scenario.yaml' } as const;

/**
 * Writes requests.csv (unless `requests` is false), summary.json (2-space indent, trailing
 * newline) and, if given, scenario.yaml into `dir`, creating it if needed. Each file is replaced atomically. Returns the
 * paths written. Same inputs give byte-identical files.
 */
export function writeResults(dir: string, files: ResultFiles): string[] {
  ensureDir(dir);
  const written: string[] = [];
  if (files.requests ?? true) {
    const requestsPath = join(dir, RESULT_FILE_NAMES.requests);
    const body = files.requestsBody ?? ((write: WriteChunk) => writeRequestsCsv(files.result!, write));
    writeFileAtomic(requestsPath, body);
    written.push(requestsPath);
  } else {
    rmSync(join(dir, RESULT_FILE_NAMES.requests), { force: true });
  }
  const summaryPath = join(dir, RESULT_FILE_NAMES.summary);
  // After requests.csv: a streamed run's summary exists once its rows are written.
  const summary = typeof files.summary === 'function' ? files.summary() : files.summary;
  writeFileAtomic(summaryPath, (write) => write(`${JSON.stringify(summary, null, 2)}\n`));
  written.push(summaryPath);
  if (files.scenarioText !== undefined) {
    const scenarioPath = join(dir, RESULT_FILE_NAMES.scenario);
    const text = files.scenarioText;
    writeFileAtomic(scenarioPath, (write) => write(text.endsWith('\n') ? text : `${text}\n`));
    written.push(scenarioPath);
  }
  return written;
}
