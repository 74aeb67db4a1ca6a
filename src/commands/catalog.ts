import type { Command } from 'commander';

/** Where the committed schema lives (scenario files point at it with a yaml-language-server line). */
export const SCENARIO_SCHEMA_FILE = 'schema/scenario.schema.json';

/** Adds one command to the program (each command file exports one). */
export type RegisterCommand = (program: Command, print: (text: string) => void) => void;

/** A command as the top-level help lists it, and how to load its module. */
export interface CommandEntry {
  /** Arguments after the name in the help's list, e.g. "[options] <scenario>". */
  readonly term: string;
  readonly description: string;
  /** Imports the command's module, which registers the real command (options, action). */
  readonly load: () => Promise<RegisterCommand>;
}

/**
 * Every command, in the help's order. Start-up loads only this table and, when a command is
 * named, that command's module: `llmsim --help` and `llmsim policies` never load the LP solver,
 * the chart library or the worker pool. The command files take their description from here;
 * test/cli/catalog.test.ts checks each term against the real registration.
 */
export const COMMANDS = {
  run: { term: '[options] <scenario>', description: 'simulate a scenario, print a summary table and write results/<name>/', load: async () => (await import('./run.js')).registerRunCommand },
  policies: { term: '', description: 'list the registered scheduling policies', load: async () => (await import('./policies.js')).registerPoliciesCommand },
  profiles: {
    term: '[options]',
    description: 'list the shipped profiles (name, form, model, hardware, GPUs, engine, source, fit quality); a scenario device entry can name one with `profile: <name>`',
    load: async () => (await import('./profiles.js')).registerProfilesCommand,
  },
  compare: {
    term: '[options] <scenario>',
    description: 'run the same workload under several policies over several seeds; paired differences with confidence intervals',
    load: async () => (await import('./compare.js')).registerCompareCommand,
  },
  sweep: {
    term: '[options] <scenario>',
    description: "run the scenario's sweep: grid x seeds in a worker pool, resumable; writes runs.csv and points.csv",
    load: async () => (await import('./sweep.js')).registerSweepCommand,
  },
  capacity: {
    term: '[options] <scenario>',
    description: 'find the fewest replicas (and GPUs) meeting SLO targets at a rate, or the highest rate a fleet sustains, per candidate device group; resumable',
    load: async () => (await import('./capacity.js')).registerCapacityCommand,
  },
  merge: { term: '[options] <dirs...>', description: 'combine the shard directories of a sweep (--shard i/n) into one: runs.csv and points.csv', load: async () => (await import('./merge.js')).registerMergeCommand },
  check: { term: '[options] <summary>', description: 'CI gate: compare a summary.json with a baseline and/or absolute limits; exit 1 on drift or a broken limit', load: async () => (await import('./check.js')).registerCheckCommand },
  report: {
    term: '[options] <inputs...>',
    description: 'one self-contained HTML page: latency CDFs, latency vs load, energy vs latency, queues over time, summary tables',
    load: async () => (await import('./report.js')).registerReportCommand,
  },
  schema: { term: '[options]', description: `print the JSON Schema of scenario files (the repository keeps it in ${SCENARIO_SCHEMA_FILE})`, load: async () => (await import('./schema.js')).registerSchemaCommand },
  fit: { term: '[options] <csv>', description: 'fit a profile (bilinear or iteration form) to a measurement CSV; print coefficients and fit quality', load: async () => (await import('./fit.js')).registerFitCommand },
  calibrate: {
    term: '[options] <profile>',
    description: "fit a transformer profile's efficiency coefficients so simulated serving matches measured load points",
    load: async () => (await import('./calibrate.js')).registerCalibrateCommand,
  },
} as const satisfies Record<string, CommandEntry>;

export type CommandName = keyof typeof COMMANDS;
