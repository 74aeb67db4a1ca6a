import { threadId } from 'node:worker_threads';
import { setThreadTag } from '../output/thread.js';
import { loadPolicies } from '../policies/registry.js';
import { executeRun, type RunTask, type RunOutcome } from './execute.js';

// Temporary file names and test stop points tell this thread from the main one (src/output/thread.ts).
setThreadTag(threadId);

/** Worker-thread entry of the run pool: one task = one run (after loading what its policy needs). */
export default async function runInWorker(task: RunTask): Promise<RunOutcome> {
  const policy = (task.data.policy as { name?: unknown } | undefined)?.name;
  if (typeof policy === 'string') await loadPolicies([policy]);
  return executeRun(task);
}
