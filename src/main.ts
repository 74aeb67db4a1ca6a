import { Command, CommanderError, Help } from 'commander';
import { InputError } from './errors.js';
import { CommandFailure } from './commands/failure.js';
import { COMMANDS, type CommandName } from './commands/catalog.js';
import { requestedCommand } from './commands/requested.js';

const print = (text: string) => process.stdout.write(`${text}\n`);

/** Exit code of an internal error (a bug): distinct from drift (1) and bad input (2). */
export const INTERNAL_ERROR_EXIT = 3;

/**
 * Builds the command-line program for `argv`. Only the command it names is loaded (its module
 * registers the real command); the others are listed from the catalog (src/commands/catalog.ts)
 * without loading their modules, so start-up stays fast.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const base = new Help();
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
    // The list shows each command's arguments from the catalog, loaded or not.
    .configureHelp({ subcommandTerm: (cmd) => (Object.hasOwn(COMMANDS, cmd.name()) ? `${cmd.name()} ${COMMANDS[cmd.name() as CommandName].term}`.trimEnd() : base.subcommandTerm(cmd)) })
    .exitOverride();

  const wanted = requestedCommand(argv.slice(2));
  for (const [name, entry] of Object.entries(COMMANDS)) {
    if (name === wanted) (await entry.load())(program, print);
    // Listed in the help and in "did you mean" suggestions; never run (running it loads the real one).
    else program.command(name).description(entry.description);
  }
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
  try {
    const program = await buildProgram(argv);
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


