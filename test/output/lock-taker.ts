// A process racing others to take over a stale lock (test/output/lock.test.ts): waits for `go`,
// tries once, prints "won" or "lost", and a winner holds the lock (stays alive) until `done` exists.
import { existsSync } from 'node:fs';
import { currentHolder, tryLock } from '../../src/output/lock.js';

const [lockFile, go, done] = process.argv.slice(2) as [string, string, string];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
process.stdout.write('ready\n');
while (!existsSync(go)) await sleep(2);
const attempt = tryLock(lockFile, currentHolder('test'));
process.stdout.write(attempt.ok ? 'won\n' : 'lost\n');
while (attempt.ok && !existsSync(done)) await sleep(10);
