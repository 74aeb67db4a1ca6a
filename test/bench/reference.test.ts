import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCases } from '../../src/bench/cases.js';
import { REFERENCE, readmeTables } from '../../src/bench/reference.js';

const readme = readFileSync(join(resolve(__dirname, '..', '..'), 'README.md'), 'utf8');

// The bench compares each run with src/bench/reference.json: README's Performance section must
// show those same figures, so the two never disagree.
describe('bench reference figures', () => {
  it("README's Performance tables are the reference figures", () => {
    const section = readme.slice(readme.indexOf('## Performance'), readme.indexOf('\n## ', readme.indexOf('## Performance') + 1));
    expect(section, `README.md's Performance section must contain:\n${readmeTables()}`).toContain(readmeTables());
  });

  it('every reference case is a bench case', () => {
    const ids = new Set(benchCases.map((c) => c.id));
    for (const id of Object.keys(REFERENCE.cases)) expect(ids.has(id), id).toBe(true);
  });
});
