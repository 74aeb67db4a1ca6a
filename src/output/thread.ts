/**
 * Which thread of the process this is, for temporary file names and the test stop points: 0 in the
 * main thread; the sweep's worker threads (src/sweep/worker.ts) set their Node thread id when they
 * start. Kept here rather than read from node:worker_threads, which every `llmsim run` would then
 * load (about 4 ms of start-up) for a value that is 0 outside the sweep's pool.
 */
let tag = 0;

/** This thread's tag: 0 in the main thread, the Node thread id in a sweep worker. */
export function threadTag(): number {
  return tag;
}

/** A worker thread that writes results calls this first, with its `threadId` (never 0). */
export function setThreadTag(threadId: number): void {
  if (!(Number.isInteger(threadId) && threadId > 0)) throw new Error(`setThreadTag: expected a worker's thread id (an integer > 0), found ${threadId}`);
  tag = threadId;
}
