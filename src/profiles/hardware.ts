/**
 * Hardware spec files (profiles/hardware/*.yaml): spec-sheet figures of one accelerator or CPU
 * socket, each with the document it comes from. Roofline profiles are built from one of these and
 * a model shape.
 */
import { z } from 'zod';
import { validate } from '../util/validate.js';
import { loadYamlFile, parseYaml } from '../util/yaml-file.js';
import { HardwareSpecSchema, type ModelShapeSchema, type ProfileInput } from './schema.js';

/** A hardware file: the numbers, and for each a source or an "assumption:" label. */
export const HardwareFileSchema = z.strictObject({
  name: z.string().min(1).describe('Hardware id, e.g. a100-sxm4-80gb'),
  description: z.string().min(1),
  device: HardwareSpecSchema,
  sources: z.array(z.string().min(1)).min(1).describe('Document (name or URL) and the figure taken from it, one entry per number'),
  assumptions: z.array(z.string().min(1)).default([]).describe('Numbers that are not on a spec sheet, and why they were chosen'),
});

export type HardwareFile = z.output<typeof HardwareFileSchema>;

/** Reads and validates a hardware file (errors name file, line and field). */
export function loadHardware(file: string): HardwareFile {
  const doc = loadYamlFile(file, 'hardware file');
  return validate(HardwareFileSchema, doc.data, doc);
}

/** Parses hardware file text; `file` is used in error messages. */
export function parseHardware(text: string, file: string): HardwareFile {
  const doc = parseYaml(text, file);
  return validate(HardwareFileSchema, doc.data, doc);
}

/** A roofline profile for `shape` on `gpus` devices of `hw`, citing the hardware file. */
export function rooflineProfile(
  hw: HardwareFile,
  hwPath: string,
  model: { id: string; shape: z.input<typeof ModelShapeSchema>; source: string },
  gpus: number,
  derivation: string,
): ProfileInput {
  return {
    name: `roofline-${model.id}-${hw.name}-x${gpus}`,
    form: 'roofline',
    model: model.id,
    hardware: hw.name,
    gpus,
    device: hw.device,
    shape: model.shape,
    provenance: {
      source: `${hwPath} (spec sheets) and ${model.source}`,
      engine: 'spec sheet',
      derivation,
      notes: [
        ...hw.sources.map((s) => `Hardware: ${s}`),
        ...hw.assumptions.map((s) => `Assumption: ${s}`),
        'Assumption: the ideal roofline (efficiency 1, no per-iteration overhead, no tensor-parallel communication): a lower bound on time. Busy power is the TDP of every device: an upper bound.',
      ],
    },
  };
}
