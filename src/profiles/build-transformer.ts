/**
 * Transformer profiles built from an architecture file, a hardware file and parallel degrees, with
 * coefficients taken from a calibrated profile: what a scenario gets when it names `model`,
 * `hardware` and `tensorParallel` instead of a profile file, and the template `llmsim calibrate`
 * starts from for a new combination.
 */
import { relative } from 'node:path';
import { InputError } from '../errors.js';
import { loadArchitecture, type ArchitectureFile } from './architecture.js';
import { loadHardware, type HardwareFile } from './hardware.js';
import { ProfileSchema, type TransformerProfile } from './schema.js';

export interface BuildTransformerOptions {
  readonly architectureFile: string;
  readonly hardwareFile: string;
  readonly tensor: number;
  readonly pipeline?: number;
  /** The calibrated profile whose coefficients (and engine) are transferred. */
  readonly reference: TransformerProfile;
  readonly referenceFile: string;
  /** Paths in provenance are written relative to this directory (the package root). */
  readonly root: string;
}

/**
 * The profile of `architecture` on `tensor x pipeline` GPUs of `hardware`, with the reference's
 * calibrated coefficients. Peak FLOP/s is the hardware's dense rate at the weights' data type when
 * the hardware file gives one, else its `device.peakFlopsPerS`. Busy power is the TDP of every GPU
 * (an upper bound, as in the roofline form), idle the spec sheet's idle power.
 */
export function buildTransformerProfile(o: BuildTransformerOptions): TransformerProfile {
  const arch: ArchitectureFile = loadArchitecture(o.architectureFile);
  const hw: HardwareFile = loadHardware(o.hardwareFile);
  const pipeline = o.pipeline ?? 1;
  const gpus = o.tensor * pipeline;
  // The calibration's own setup: the calibrated profile itself.
  if (o.reference.model === arch.name && o.reference.hardware === hw.name && o.reference.parallel.tensor === o.tensor && o.reference.parallel.pipeline === pipeline) return o.reference;
  const dtype = arch.architecture.weightDtype;
  const peak = hw.peakFlopsPerSByDtype?.[dtype] ?? hw.device.peakFlopsPerS;
  const rel = (f: string) => relative(o.root, f);
  const cal = o.reference.calibration;
  const setup = `${o.reference.model} on ${o.reference.gpus} x ${o.reference.hardware}`;
  const candidate = {
    name: `transformer-${arch.name}-${hw.name}-tp${o.tensor}${pipeline > 1 ? `-pp${pipeline}` : ''}`,
    form: 'transformer' as const,
    model: arch.name,
    hardware: hw.name,
    gpus,
    architecture: arch.architecture,
    device: { ...hw.device, peakFlopsPerS: peak },
    ...(hw.interconnectBytesPerS !== undefined ? { interconnectBytesPerS: hw.interconnectBytesPerS } : {}),
    parallel: { tensor: o.tensor, pipeline },
    coefficients: o.reference.coefficients,
    power: { idleW: hw.device.idleW * gpus, busyW: hw.device.tdpW * gpus, busyWPerSeq: 0 },
    memoryUtilization: o.reference.memoryUtilization,
    transferredFrom: { profile: o.reference.name, setup, ...(cal ? { calibratedOn: cal.data } : {}) },
    provenance: {
      source: `${rel(o.architectureFile)} (architecture), ${rel(o.hardwareFile)} (spec sheet), coefficients of ${rel(o.referenceFile)}`,
      derivation: `built by llmsim from model ${arch.name}, hardware ${hw.name}, tensor parallel ${o.tensor}, pipeline ${pipeline}`,
      ...(o.reference.provenance.engine ? { engine: `${o.reference.provenance.engine}; coefficients transferred` } : {}),
      notes: [
        cal
          ? `Coefficients calibrated on ${cal.data} (${setup}), transferred to this model, hardware and parallelism: an extrapolation (docs/validation.md measures the calibration setup only)`
          : `Coefficients of ${o.reference.name} (not calibrated)`,
        ...(o.tensor > 1 ? ['Assumption: commEfficiency and allReduceLatencyS as in the reference; calibrate them on tensor-parallel data (e.g. llmsim calibrate --format splitwise)'] : []),
        `Peak FLOP/s at ${dtype}: ${peak}${hw.peakFlopsPerSByDtype?.[dtype] ? '' : ' (the device figure: the hardware file gives no rate for this data type)'}`,
        'Assumption: busy power = TDP of every GPU (an upper bound), idle power from the hardware file',
      ],
    },
  };
  const parsed = ProfileSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError({ field: issue.path.join('.') }, `${arch.name} on ${gpus} x ${hw.name}: ${issue.message}`);
  }
  return parsed.data as TransformerProfile;
}
