import type { Command } from 'commander';
import { policies } from '../policies/registry.js';
import { COMMANDS } from './catalog.js';

/** Adds `policies`: lists the registered policies with one line each. */
export function registerPoliciesCommand(program: Command, print: (text: string) => void): void {
  program
    .command('policies')
    .description(COMMANDS.policies.description)
    .action(() => {
      for (const p of policies) print(`${p.name.padEnd(24)} ${p.description}${p.oracle ? ' (oracle: reads true output lengths)' : ''}`);
    });
}
