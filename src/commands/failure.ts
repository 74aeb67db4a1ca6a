/**
 * A command that ran correctly but reports a negative verdict (e.g. `llmsim check` found drift):
 * the CLI prints the message as one line and exits with `exitCode` (1). Not an input error, which
 * stays exit 2, and not a bug.
 */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}
