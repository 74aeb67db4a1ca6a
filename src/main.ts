import { Command, CommanderError } from 'commander';
import { InputError } from './errors.js';
import { CommandFailure } from './commands/failure.js';
import { registerCalibrateCommand } from './commands/calibrate.js';
import { registerCheckCommand } from './commands/check.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerFitCommand } from './commands/fit.js';
import { registerMergeCommand } from './commands/merge.js';
import { registerPoliciesCommand } from './commands/policies.js';
import { registerProfilesCommand } from './commands/profiles.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunCommand } from './commands/run.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerCapacityCommand } from './commands/capacity.js';

const print = (text: string) => process.stdout.write(`${text}\n`);

/** Exit code of an internal error (a bug): distinct from drift (1) and bad input (2). */
export const INTERNAL_ERROR_EXIT = 3;

/** Builds the command-line program. Commands only parse flags and call into src/commands. */
export function buildProgram(): Command {
  const program = new Command('llmsim')
    .description('Discrete-event simulator for LLM inference clusters')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    // Before any command is added: subcommands copy these settings when they are created.
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // Usage errors in llmsim's one-line form: "llmsim: --sed: expected an option of this command ..., found ...".
      outputError: (s, write) => write(`llmsim: ${usageLine(s.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim())}\n`),
    })
    .exitOverride();

  // Each command file registers itself: adding a command is one file and one line here.
  registerRunCommand(program, print);
  registerPoliciesCommand(program, print);
  registerProfilesCommand(program, print);
  registerCompareCommand(program, print);
  registerSweepCommand(program, print);
  registerCapacityCommand(program, print);
  registerMergeCommand(program, print);
  registerCheckCommand(program, print);
  registerReportCommand(program, print);
  registerSchemaCommand(program, print);
  registerFitCommand(program, print);
  registerCalibrateCommand(program, print);

  return program;
}

/**
 * Commander's usage errors in llmsim's form, naming the flag or argument, what was expected and
 * what was found: "unknown option '--sed' (Did you mean --seed?)" becomes "--sed: expected an
 * option of this command (--help lists them), found an unknown option (did you mean --seed?)".
 */
export function usageLine(s: string): string {
  const hint = (rest: string | undefined) => (rest ? ` (${rest.replace(/^\s*\(?\s*|\s*\)?\s*$/g, '').replace(/^Did/, 'did')})` : '');
  let m = /^unknown option '([^']*)'(.*)$/.exec(s);
  if (m) return `${m[1]}: expected an option of this command (--help lists them), found an unknown option${hint(m[2])}`;
  m = /^unknown command '([^']*)'(.*)$/.exec(s);
  if (m) return `<command>: expected a command (llmsim --help lists them), found "${m[1]}"${hint(m[2])}`;
  m = /^missing required argument '([^']*)'$/.exec(s);
  if (m) return `<${m[1]}>: expected this argument, found none`;
  m = /^option '(\S+)[^']*' argument missing$/.exec(s);
  if (m) return `${m[1]}: expected a value after it, found none`;
  m = /^required option '(?:-\w, )?(\S+)[^']*' not specified$/.exec(s);
  if (m) return `${m[1]}: expected this option (it is required), found none`;
  m = /^too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\.$/.exec(s);
  if (m) return `<arguments>: expected ${m[2]} argument(s)${m[1] ? ` for ${m[1]}` : ''}, found ${m[3]}`;
  return s;
}

/**
 * Runs the CLI: user errors print one line and exit 2; a negative verdict (check found drift)
 * prints one line and exits 1; bugs print a short report and exit INTERNAL_ERROR_EXIT (3), so a
 * CI gate can tell "results got worse" from "the tool broke". Async because sweeps run a
 * worker pool and reports render charts.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
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
    if (err instanceof CommandFailure) {
      process.stderr.write(`llmsim: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`llmsim: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env.LLMSIM_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    else process.stderr.write('(set LLMSIM_DEBUG=1 for a stack trace; this is a bug, please report it)\n');
    return INTERNAL_ERROR_EXIT;
  }
}


