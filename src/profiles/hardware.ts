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

/** How a price is billed: on-demand instances, serverless (per second of use), reserved capacity blocks. */
export const BILLING = ['on-demand', 'serverless', 'capacity-block'] as const;

/**
 * One public price of the device, as a page states it: never computed from anything but the page's
 * instance price / its GPUs. `date` is the date the page gives for the price (YYYY, YYYY-MM,
 * YYYY-MM-DD or YYYY-Qn).
 */
export const GpuPriceSchema = z
  .strictObject({
    usdPerGpuHour: z.number().positive().max(1e4).describe('USD per device-hour (the instance price / its devices when the page prices an instance)'),
    provider: z.string().min(1).describe('Who sells it, e.g. AWS'),
    offer: z.string().min(1).describe('Instance type or product, e.g. p5.48xlarge'),
    billing: z.enum(BILLING).describe('on-demand, serverless (billed per second of use) or capacity-block (reserved ahead)'),
    instanceUsdPerHour: z.number().positive().max(1e5).optional().describe('The instance price the page gives, USD/h (with gpusPerInstance)'),
    gpusPerInstance: z.number().int().positive().max(1024).optional().describe('Devices in that instance'),
    date: z.string().regex(/^\d{4}(-Q[1-4]|-\d{2}(-\d{2})?)?$/, 'expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Qn').describe('When the page says the price held'),
    url: z.string().regex(/^https?:\/\/\S+$/, 'expected an http(s) URL').describe('The page'),
    quote: z.string().min(1).describe("What the page says, in its words"),
  })
  .superRefine((p, ctx) => {
    if ((p.instanceUsdPerHour === undefined) !== (p.gpusPerInstance === undefined)) ctx.addIssue({ code: 'custom', path: ['gpusPerInstance'], message: 'expected instanceUsdPerHour and gpusPerInstance together' });
    else if (p.instanceUsdPerHour !== undefined && Math.abs(p.usdPerGpuHour - p.instanceUsdPerHour / p.gpusPerInstance!) > 1e-9 * p.usdPerGpuHour)
      ctx.addIssue({ code: 'custom', path: ['usdPerGpuHour'], message: `expected instanceUsdPerHour / gpusPerInstance (${p.instanceUsdPerHour / p.gpusPerInstance!}), found ${p.usdPerGpuHour}` });
  });
export type GpuPrice = z.output<typeof GpuPriceSchema>;

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
  pricing: z
    .array(GpuPriceSchema)
    .min(1)
    .optional()
    .describe("Public prices of one device-hour, each with its provider, offer, date and page; the first is the default $/GPU-hour of `fleet` and `capacity` (a scenario's fleet.groups.<name>.pricePerGpuHour overrides it)"),
  sources: z.array(z.string().min(1)).min(1).describe('Document (name or URL) and the figure taken from it, one entry per number, starting with the field name'),
  assumptions: z.array(z.string().min(1)).default([]).describe('Numbers that are not on a spec sheet, and why they were chosen'),
});

export type HardwareFile = z.output<typeof HardwareFileSchema>;

/** Top-level fields besides `device`; sources and assumptions about them start with the field name. */
const EXTRA_FIELDS = ['peakFlopsPerSByDtype', 'interconnectBytesPerS', 'pricing'];

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
