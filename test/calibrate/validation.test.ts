import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildValidationReport, REPORT_PATH } from '../../scripts/validate.js';

const root = resolve(import.meta.dirname, '../..');

describe('docs/validation.md', () => {
  it('is what npm run validate writes from the committed profile and data (run it after changing either)', () => {
    expect(buildValidationReport(root)).toBe(readFileSync(resolve(root, REPORT_PATH), 'utf8'));
  }, 120_000);
});
