import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/util/validate.js';
import { buildWorkload, workloadSchema, type WorkloadInput } from '../../src/workload/index.js';
import { tempDir } from '../support/tmp.js';

const DIR = tempDir('class-mix');
writeFileSync(join(DIR, 'cls.csv'), 'arrival_s,prompt_tokens,output_tokens,class\n0,10,10,gold\n1,10,10,\n2,10,10,\n');
const build = (input: WorkloadInput, seed = 1) => buildWorkload(validate(workloadSchema, input), { baseDir: DIR, seed, specFile: 's.yaml' });
const synthetic = { count: 20_000, arrival: { process: 'poisson' as const, rateRps: 10 }, prompt: { dist: 'fixed' as const, tokens: 10 }, output: { dist: 'fixed' as const, tokens: 10 } };

describe('workload.classMix', () => {
  it('draws classes in proportion to the weights (binomial bounds)', () => {
    const requests = build({ synthetic, classMix: { a: 1, b: 3 } });
    const a = requests.filter((r) => r.class === 'a').length;
    // Binomial(20000, 0.25): mean 5000, sd 61.2; within 4.5 sd.
    expect(Math.abs(a - 5000)).toBeLessThan(4.5 * 61.2);
    expect(requests.every((r) => r.class === 'a' || r.class === 'b')).toBe(true);
  });

  it('changes nothing but the class: arrivals and lengths are those without a mix', () => {
    const plain = build({ synthetic });
    const mixed = build({ synthetic, classMix: { a: 1, b: 1 } });
    expect(mixed.map(({ class: _c, ...r }) => r)).toEqual(plain);
    expect(build({ synthetic, classMix: { a: 1, b: 1 } })).toEqual(mixed);
  });

  it("keeps a trace's own class column", () => {
    const requests = build({ trace: { path: 'cls.csv' }, classMix: { x: 1 } });
    expect(requests.map((r) => r.class)).toEqual(['gold', 'x', 'x']);
  });
});
