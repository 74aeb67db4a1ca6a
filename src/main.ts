import { Command, CommanderError } from 'commander';
import { InputError } from './errors.js';
import { registerPoliciesCommand } from './commands/policies.js';
import { registerRunCommand } from './commands/run.js';

const print = (text: string) => process.stdout.write(`${text}\n`);

/** Builds the command-line program. Commands only parse flags and call into src/commands. */
export function buildProgram(): Command {
  const program = new Command('llmsim')
    .description('Discrete-event simulator for LLM inference clusters')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .exitOverride();

  // Each command file registers itself: adding a command is one file and one line here.
  registerRunCommand(program, print);
  registerPoliciesCommand(program, print);

  return program;
}

/** Runs the CLI: user errors print one line and exit 2; bugs print a short report and exit 1. */
export function main(argv: string[]): number {
  const program = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version "errors" are normal exits; the rest are bad flags or arguments.
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`llmsim: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    process.stderr.write(`llmsim: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env.LLMSIM_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    else process.stderr.write('(set LLMSIM_DEBUG=1 for a stack trace; this is a bug, please report it)\n');
    return 1;
  }
}


