import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTokenCell, tokenCellAt } from '../../src/workload/cells.js';
import { parseVidurCsv } from '../../src/workload/read-vidur.js';

/** The value, or the error message, of a parse. */
function outcome(parse: () => number): number | string {
  try {
    return parse();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe('token cells read per row (tokenCellAt)', () => {
  // The fast path must agree with parseTokenCell, value for value and message for message.
  const cells = fc.oneof(
    fc.stringMatching(/^\d{1,20}$/),
    fc.stringMatching(/^[ +-]?\d{0,8}(\.\d{0,3})?([eE][+-]?\d{1,3})?[ ]?$/),
    fc.constantFrom('', ' ', '0', '00', '1', '007', '1048576', '1048577', '999999999999999', '9999999999999999', '1.0', '1e3', '0x10', 'NaN', 'Infinity', '-1', ' 5', '5 '),
  );
  it('gives what parseTokenCell gives for every cell', () => {
    fc.assert(
      fc.property(cells, (cell) => {
        expect(outcome(() => tokenCellAt(cell, 'f.csv', 7, 'num_prefill_tokens'))).toEqual(outcome(() => parseTokenCell(cell, { file: 'f.csv', line: 7, field: 'num_prefill_tokens' })));
      }),
      { numRuns: 2000 },
    );
    expect(outcome(() => tokenCellAt(undefined, 'f.csv', 7, 'x'))).toEqual(outcome(() => parseTokenCell(undefined, { file: 'f.csv', line: 7, field: 'x' })));
  });
});

describe('Vidur request ids', () => {
  const head = 'request_id,arrived_at,num_prefill_tokens,num_decode_tokens';
  it('are compared by value: leading zeros, and ids longer than 15 digits', () => {
    expect(() => parseVidurCsv(`${head}\n7,0,10,5\n007,1,10,5\n`, 't.csv')).toThrow('t.csv:3: request_id: expected each request id once, found 007 again (first at line 2)');
    expect(() => parseVidurCsv(`${head}\n7,0,10,5\n0000000000000000007,1,10,5\n`, 't.csv')).toThrow('t.csv:3: request_id: expected each request id once, found 0000000000000000007 again (first at line 2)');
    expect(() => parseVidurCsv(`${head}\n12345678901234567890,0,10,5\n012345678901234567890,1,10,5\n`, 't.csv')).toThrow('found 012345678901234567890 again (first at line 2)');
    // 2^53 + 1 and 2^53 are different ids even though they are the same double.
    expect(parseVidurCsv(`${head}\n9007199254740993,0,10,5\n9007199254740992,1,10,5\n`, 't.csv')).toHaveLength(2);
  });
});
