import { executeRun, type RunTask, type RunOutcome } from './execute.js';

/** Worker-thread entry of the run pool: one task = one run. */
export default function runInWorker(task: RunTask): RunOutcome {
  return executeRun(task);
}
