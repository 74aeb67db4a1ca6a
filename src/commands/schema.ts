import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { COMMANDS, SCENARIO_SCHEMA_FILE } from './catalog.js';

export { SCENARIO_SCHEMA_FILE };

/**
 * The schema text `npm run build` generated next to the bundle (dist/scenario.schema.json, from
 * the same sources), or undefined when running from the sources: printing it then needs neither
 * zod nor the scenario schema, so `llmsim schema` starts as fast as `llmsim --help`.
 */
function prebuiltSchemaText(): string | undefined {
  if (import.meta.url.endsWith('.ts')) return undefined;
  try {
    return readFileSync(new URL('./scenario.schema.json', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

/** `llmsim schema [-o file]`: prints the scenario JSON Schema, or writes it. */
export async function schemaCommand(rawOptions: { out?: unknown }, print: (text: string) => void): Promise<void> {
  if (rawOptions.out === undefined) {
    const prebuilt = prebuiltSchemaText();
    if (prebuilt !== undefined) return print(prebuilt.trimEnd());
  }
  const [{ z }, { checkOutputFile, parseOptions }, { scenarioJsonSchemaText }, { writeFileAtomic }] = await Promise.all([
    import('zod'),
    import('./options.js'),
    import('../scenario/json-schema.js'),
    import('../metrics/atomic-write.js'),
  ]);
  const opts = parseOptions(z.strictObject({ out: z.string().min(1).optional() }), rawOptions);
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const text = scenarioJsonSchemaText();
  if (opts.out === undefined) {
    print(text.trimEnd());
    return;
  }
  writeFileAtomic(resolve(opts.out), (w) => w(text));
  print(`wrote ${opts.out}`);
}

/** Adds `schema` to the program. */
export function registerSchemaCommand(program: Command, print: (text: string) => void): void {
  program
    .command('schema')
    .description(COMMANDS.schema.description)
    .option('-o, --out <file>', `write it to a file, e.g. ${SCENARIO_SCHEMA_FILE}`)
    .action((opts: { out?: unknown }) => schemaCommand(opts, print));
}
