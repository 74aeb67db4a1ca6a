/**
 * Writes docs/fidelity.md: how well llmsim predicts held-out measurements. Run from the repository
 * root:
 *
 *   npm run fidelity              # write docs/fidelity.md
 *   npm run fidelity -- --check   # exit 1 if the committed report is out of date
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reportMain } from './report-file.js';
import { loadHardwareFiles } from './derive-profiles.js';
import { fidelityReport } from './fidelity/report.js';

export const REPORT_PATH = 'docs/fidelity.md';

/** The report text from the measurements under `root`. */
export function buildFidelityReport(root: string): string {
  const read = (p: string) => readFileSync(resolve(root, `profiles/measurements/${p}`), 'utf8');
  return fidelityReport({
    splitwiseCsv: read('splitwise-perf-model.csv'),
    mlEnergyCsv: read('mlenergy-v3-llm-configs.csv'),
    argonneCsv: read('llm-inference-bench-all-results.csv'),
    hardware: loadHardwareFiles(root),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = reportMain(process.argv.slice(2), REPORT_PATH, 'npm run fidelity', buildFidelityReport);
