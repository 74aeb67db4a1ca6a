import type { z } from 'zod';
import type { Profile } from '../../profiles/schema.js';
import type { PreparedDeviceGroup } from '../../simulation/simulate.js';
import type { SourceDoc } from '../../util/yaml-file.js';
import type { PowerCapSpec } from '../../fleet/schema.js';

/** Where a device entry's files are resolved from, and how to point at it in errors. */
export interface PrepareEnv {
  readonly baseDir: string;
  readonly source?: SourceDoc;
  /** Field path of this entry, e.g. ['cluster', 'devices', 0]. */
  readonly path: readonly PropertyKey[];
  /** Loads a profile (once per file per run). */
  profile(file: string): Profile;
  /** The group's GPU power cap (scenario `fleet.groups.<name>.powerCap`); iteration-model kinds apply it. */
  readonly powerCap?: PowerCapSpec;
}

/** Names of the fields of `S` that hold a string (or nothing): the only ones that can name a file. */
export type StringField<S> = { [K in keyof S]-?: NonNullable<S[K]> extends string ? K : never }[keyof S] & string;

/**
 * A device kind as the scenario sees it: the zod schema of its `cluster.devices[]` entry, which of
 * its fields name files (checked to exist, rebased when the resolved scenario is written), and how
 * an entry becomes replicas (load its files, compile its model, return a factory).
 */
export interface DeviceKind<S extends z.ZodType<{ kind: string; name: string }>> {
  readonly kind: z.output<S>['kind'];
  readonly schema: S;
  /** Entry fields whose values are file paths, relative to the scenario file. */
  readonly fileFields: readonly StringField<z.output<S>>[];
  prepare(spec: z.output<S>, env: PrepareEnv): PreparedDeviceGroup;
}

/** Helper that keeps a kind's spec type while storing it in the registry (as definePolicy does). */
export function defineDeviceKind<S extends z.ZodType<{ kind: string; name: string }>>(def: DeviceKind<S>): DeviceKind<S> {
  return def;
}
