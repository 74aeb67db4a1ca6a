/**
 * A request count from environment variable `name` (the bench's LLMSIM_BENCH_N and
 * LLMSIM_BENCH_STREAM_N), or undefined when it is not set. Anything but a positive whole number is
 * one line on stderr and exit 2, as every bad input of llmsim.
 */
export function countFromEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,11}$/.test(text)) {
    process.stderr.write(`llmsim bench: ${name}: expected a positive whole number, found ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return Number(text);
}
