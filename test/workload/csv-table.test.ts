import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvTable } from '../../src/workload/csv-table.js';

const CONV = readFileSync(new URL('../../traces/azure-llm-2023-conv.csv', import.meta.url), 'utf8');

/** Same cells, but the header quoted, which sends the text down the csv-parse path. */
const quoteHeader = (text: string) => text.replace(/^([^\r\n]*)/, (h) => h.split(',').map((c) => `"${c}"`).join(','));

describe('readCsvTable', () => {
  it('the quote-free fast path and csv-parse agree on the real Azure trace (CRLF, no final newline)', () => {
    const fast = readCsvTable(CONV, 'conv.csv');
    const slow = readCsvTable(quoteHeader(CONV), 'conv.csv');
    expect(fast.rows).toHaveLength(19_366);
    expect(fast.header).toEqual(['TIMESTAMP', 'ContextTokens', 'GeneratedTokens']);
    expect(slow).toEqual(fast);
    expect(fast.lines[0]).toBe(2);
    expect(fast.lines.at(-1)).toBe(19_367);
  });

  it('both paths agree on random quote-free CSV with blank lines and either line ending', () => {
    const cell = fc.stringMatching(/^[a-z0-9. ]{1,4}$/);
    const table = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 })).chain(([cols, rows]) =>
      fc.array(fc.oneof(fc.constant(null), fc.array(cell, { minLength: cols, maxLength: cols })), { minLength: rows, maxLength: rows + 3 }).map((body) => ({ cols, body })),
    );
    fc.assert(
      fc.property(table, fc.constantFrom('\n', '\r\n'), fc.boolean(), ({ cols, body }, eol, finalEol) => {
        const header = Array.from({ length: cols }, (_, i) => `c${i}`).join(',');
        const lines = [header, ...body.map((r) => (r === null ? '' : r.join(',')))];
        if (!body.some((r) => r !== null)) return;
        const text = lines.join(eol) + (finalEol ? eol : '');
        const fast = readCsvTable(text, 't.csv');
        expect(readCsvTable(quoteHeader(text), 't.csv')).toEqual(fast);
        // Each row sits on the file line it came from.
        fast.rows.forEach((row, i) => expect(lines[fast.lines[i]! - 1]).toBe(row.join(',')));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('strips a UTF-8 byte-order mark from the header', () => {
    expect(readCsvTable('\ufeffa,b\n1,2\n', 'x.csv').header).toEqual(['a', 'b']);
  });
});
