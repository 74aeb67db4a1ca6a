import { z } from 'zod';
import type { PreparedDeviceGroup } from '../simulation/simulate.js';
import { continuousBatchingKind } from './kinds/continuous-batching.js';
import { edgePipelineKind } from './kinds/edge-pipeline.js';
import type { DeviceKind, PrepareEnv } from './kinds/kind.js';
import { slotsKind } from './kinds/slots.js';
import { staticBatchingKind } from './kinds/static-batching.js';


/**
 * Every device kind llmsim knows. Adding a kind: write its descriptor in src/devices/kinds/, add
 * one line here. Keep the order: the generated JSON Schema (schema/) and errors list kinds in it.
 */
export const deviceKinds = [slotsKind, continuousBatchingKind, edgePipelineKind, staticBatchingKind] as const;

type Schemas<K extends readonly { schema: unknown }[]> = { [I in keyof K]: K[I]['schema'] };

// map() forgets the tuple; the cast gives it back, so DeviceEntry stays a union of the kinds' specs.
/** Schema of one `cluster.devices[]` entry: a union of the kinds' schemas discriminated by `kind`. */
export const deviceEntrySchema = z.discriminatedUnion('kind', deviceKinds.map((k) => k.schema) as unknown as Schemas<typeof deviceKinds>);
export type DeviceEntry = z.output<typeof deviceEntrySchema>;

// Each kind takes its own spec type; an entry that passed deviceEntrySchema has the kind's type.
const byKind = new Map<string, DeviceKind<any>>(deviceKinds.map((k) => [k.kind, k]));

function kindOf(entry: DeviceEntry): DeviceKind<any> {
  const kind = byKind.get(entry.kind);
  if (!kind) throw new Error(`device kind "${entry.kind}" is not registered`);
  return kind;
}

/** Loads a device entry's files and returns its replica factory. */
export function prepareDeviceGroup(entry: DeviceEntry, env: PrepareEnv): PreparedDeviceGroup {
  return kindOf(entry).prepare(entry, env);
}

/** The entry's fields that name files, with their values as written (relative to the scenario). */
export function deviceFileFields(entry: DeviceEntry): { field: string; value: string }[] {
  const values = entry as Readonly<Record<string, unknown>>;
  return kindOf(entry).fileFields.flatMap((field) => {
    const value = values[field];
    return typeof value === 'string' ? [{ field, value }] : [];
  });
}
