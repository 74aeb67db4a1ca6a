/** The command `args` (after node and the script) run or ask help for: `run` in `run x.yaml` and in `help run`. */
export function requestedCommand(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}
