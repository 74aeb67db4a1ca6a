import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openJournal, readJournal } from '../../src/sweep/journal.js';
import { tempDir } from './fixtures.js';

const dir = tempDir('journal');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const header = { fingerprint: 'abc', runs: 10, shard: { index: 0, count: 1 } };

describe('sweep journal', () => {
  it('reads back what was appended, in any order', () => {
    const file = join(dir, 'a.jsonl');
    const j = openJournal(file, header);
    j.append(3, { x: 1.5, y: null });
    j.append(0, { x: 2, y: 7 });
    j.close();
    const again = openJournal(file, header);
    expect([...again.done.entries()]).toEqual([[3, { x: 1.5, y: null }], [0, { x: 2, y: 7 }]]);
    expect(() => again.append(3, { x: 0, y: 0 })).toThrow(/recorded twice/);
    again.close();
  });

  it('drops a torn last line (a write cut short), truncates it away and appends cleanly after', () => {
    const file = join(dir, 'b.jsonl');
    const j = openJournal(file, header);
    j.append(1, { x: 1 });
    j.close();
    appendFileSync(file, '{"run":2,"metrics":{"x"'); // no newline: the process died mid-write
    expect([...readJournal(file)!.done.keys()]).toEqual([1]);
    const k = openJournal(file, header);
    expect([...k.done.keys()]).toEqual([1]);
    k.append(2, { x: 2 });
    k.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(4); // header, run 1, run 2, '' after the final newline
    expect(lines.slice(1, 3).map((l) => JSON.parse(l).run)).toEqual([1, 2]);
  });

  it('treats a file holding only a torn header as empty', () => {
    const file = join(dir, 'c.jsonl');
    writeFileSync(file, '{"llmsimSweepJou');
    const j = openJournal(file, header);
    j.append(4, { x: 4 });
    j.close();
    expect([...readJournal(file)!.done.keys()]).toEqual([4]);
  });

  it('refuses the journal of another sweep or shard, and damage before the last line', () => {
    const file = join(dir, 'd.jsonl');
    const j = openJournal(file, header);
    j.append(0, { x: 0 });
    j.close();
    expect(() => openJournal(file, { ...header, fingerprint: 'zzz' })).toThrow(/d\.jsonl: expected the journal of this sweep .*found one of another/);
    expect(() => openJournal(file, { ...header, shard: { index: 1, count: 2 } })).toThrow(/shard 1\/2/);
    appendFileSync(file, 'garbage\n{"run":1,"metrics":{}}\n');
    expect(() => readJournal(file)).toThrow(/d\.jsonl:3: expected one JSON record per line/);
    const e = join(dir, 'e.jsonl');
    openJournal(e, { ...header, shard: { index: 1, count: 2 } }).close();
    appendFileSync(e, '{"run":2,"metrics":{}}\n');
    expect(() => readJournal(e)).toThrow(/e\.jsonl:2: expected a run of shard 1\/2 below 10, found 2/);
  });

  it('starts afresh over the journal of another sweep that finished no run (nothing to lose)', () => {
    const file = join(dir, 'f.jsonl');
    openJournal(file, header).close(); // a sweep that failed before its first run
    const j = openJournal(file, { ...header, fingerprint: 'fixed' });
    j.append(2, { x: 2 });
    j.close();
    const back = readJournal(file)!;
    expect(back.header.fingerprint).toBe('fixed');
    expect([...back.done.keys()]).toEqual([2]);
  });
});
