/**
 * Hardware spec files (profiles/hardware/*.yaml): spec-sheet figures of one accelerator or CPU
 * socket, each with the document it comes from. Roofline profiles are built from one of these and
 * a model shape.
 */
import { z } from 'zod';
import { rejectNonFinite, validate } from '../util/validate.js';
import { loadYamlFile, parseYaml, type SourceDoc } from '../util/yaml-file.js';
import type { Dtype } from './architecture.js';
import { HardwareSpecSchema, type ModelShapeSchema, type ProfileInput } from './schema.js';

const peak = (dtype: string) => z.number().positive().optional().describe(`Dense ${dtype} tensor peak, FLOP/s (OP/s for integers), per device, no sparsity`);

/** Dense (no sparsity) peak rate per number format; keys are the dtypes of architecture files. */
export const PeakFlopsByDtypeSchema = z
  .strictObject({ bf16: peak('BF16'), fp16: peak('FP16'), fp8: peak('FP8'), int8: peak('INT8'), int4: peak('INT4'), fp4: peak('FP4'), fp32: peak('FP32') } satisfies Record<Dtype, z.ZodType>)
  .refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'expected at least one dtype' });

/**
 * A hardware file: the numbers, and for each a source or an "assumption:" label. Only `device` feeds
 * roofline profiles; the optional top-level figures are for forms that need them (tensor-parallel
 * communication, per-dtype compute, cost).
 */
export const HardwareFileSchema = z.strictObject({
  name: z.string().min(1).describe('Hardware id, e.g. a100-sxm4-80gb'),
  description: z.string().min(1),
  device: HardwareSpecSchema,
  peakFlopsPerSByDtype: PeakFlopsByDtypeSchema.optional().describe('Dense peak FLOP/s per number format, per device'),
  interconnectBytesPerS: z.number().positive().optional().describe('GPU-to-GPU bandwidth per device and per direction, bytes/s (what a tensor-parallel all-reduce can use)'),
  pricePerHourUsd: z.number().positive().optional().describe('Public list price of one device-hour, USD; only with a cited price list'),
  sources: z.array(z.string().min(1)).min(1).describe('Document (name or URL) and the figure taken from it, one entry per number, starting with the field name'),
  assumptions: z.array(z.string().min(1)).default([]).describe('Numbers that are not on a spec sheet, and why they were chosen'),
});

export type HardwareFile = z.output<typeof HardwareFileSchema>;

/** Top-level fields besides `device`; sources and assumptions about them start with the field name. */
const EXTRA_FIELDS = ['peakFlopsPerSByDtype', 'interconnectBytesPerS', 'pricePerHourUsd'];

/** Whether a source or assumption line is about a figure outside the `device` block. */
function aboutExtraField(line: string): boolean {
  return EXTRA_FIELDS.some((f) => line.startsWith(f));
}

function fromSource(doc: SourceDoc): HardwareFile {
  rejectNonFinite(doc);
  return validate(HardwareFileSchema, doc.data, doc);
}

/** Reads and validates a hardware file (errors name file, line and field). */
export function loadHardware(file: string): HardwareFile {
  return fromSource(loadYamlFile(file, 'hardware file'));
}

/** Parses hardware file text; `file` is used in error messages. */
export function parseHardware(text: string, file: string): HardwareFile {
  return fromSource(parseYaml(text, file));
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
        // Only the figures the profile uses: the device block.
        ...hw.sources.filter((s) => !aboutExtraField(s)).map((s) => `Hardware: ${s}`),
        ...hw.assumptions.filter((s) => !aboutExtraField(s)).map((s) => `Assumption: ${s}`),
        'Assumption: the ideal roofline (efficiency 1, no per-iteration overhead, no tensor-parallel communication): a lower bound on time. Busy power is the TDP of every device: an upper bound.',
      ],
    },
  };
}
