/**
 * The bench's inputs: request counts from the environment and case ids from the command line.
 * Anything else is one line on stderr and exit 2, as every bad input of llmsim.
 */

/** Refuses a bad input of the bench: one line on stderr, exit 2. */
export function refuseBenchInput(message: string): never {
  process.stderr.write(`llmsim bench: ${message}\n`);
  process.exit(2);
}

/**
 * A request count from environment variable `name` (the bench's LLMSIM_BENCH_N and
 * LLMSIM_BENCH_STREAM_N), or undefined when it is not set; anything but a positive whole number is
 * refused.
 */
export function countFromEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,11}$/.test(text)) refuseBenchInput(`${name}: expected a positive whole number, found ${JSON.stringify(text)}`);
  return Number(text);
}

/** Refuses the first of `ids` that is not one of `known` (a typo would otherwise run nothing). */
export function checkCaseIds(ids: readonly string[], known: readonly string[]): void {
  const unknown = ids.find((id) => !known.includes(id));
  if (unknown !== undefined) refuseBenchInput(`expected case ids among ${known.join(', ')}; found ${JSON.stringify(unknown)}`);
}
