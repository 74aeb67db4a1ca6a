import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/catalog.js';
import { requestedCommand } from '../../src/commands/requested.js';

// The top-level help lists commands from the catalog without loading them: each entry must say
// what the real registration says, or `llmsim --help` would misdescribe a command.
describe('command catalog', () => {
  for (const [name, entry] of Object.entries(COMMANDS)) {
    it(`${name}: the catalog's term and description are the registered command's`, async () => {
      const program = new Command('llmsim');
      (await entry.load())(program, () => {});
      const cmd = program.commands.find((c) => c.name() === name)!;
      expect(cmd).toBeDefined();
      expect(new Help().subcommandTerm(cmd)).toBe(`${name} ${entry.term}`.trimEnd());
      expect(cmd.description()).toBe(entry.description);
    });
  }

  it('start-up loads the command that runs or whose help is asked, and none for top-level help', () => {
    expect(requestedCommand(['run', '-o', 'out', 'x.yaml'])).toBe('run');
    expect(requestedCommand(['--quiet', 'sweep', 'x.yaml'])).toBe('sweep');
    expect(requestedCommand(['help', 'compare'])).toBe('compare');
    expect(requestedCommand(['--help'])).toBeUndefined();
    expect(requestedCommand([])).toBeUndefined();
  });
});
