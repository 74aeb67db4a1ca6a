import { z } from 'zod';
import { MAX_DEVICE_ENTRIES, MAX_RATE_RPS, MAX_REPLICAS, MAX_REQUESTS, MAX_TIME_S, MIN_RATE_RPS } from '../limits.js';
import { deviceEntrySchema } from '../devices/registry.js';
import { disaggregationSchema } from '../disaggregation/schema.js';
import { sweepSchema } from '../sweep/schema.js';
import { classNames, workloadSchema } from '../workload/schema.js';
import { fleetSchema } from '../fleet/schema.js';

/** Service-level objectives that define goodput. */
export const sloSchema = z.strictObject({
  ttftS: z.number().positive().max(MAX_TIME_S).optional().describe('Time to first token at most this, s'),
  tpotS: z.number().positive().max(MAX_TIME_S).optional().describe('Time per output token (after the first) at most this, s'),
  e2eS: z.number().positive().max(MAX_TIME_S).optional().describe('End-to-end latency at most this, s'),
});

/** One request class (scenario `classes.<name>`): its priority, SLO and rate limit (src/simulation/admission.ts). */
export const classSchema = z.strictObject({
  priority: z.number().int().min(-1000).max(1000).default(0).describe('Waiting requests of a higher priority are served first on every replica (FIFO within a priority); replaces the policy\'s own order. -1000..1000'),
  slo: sloSchema.optional().describe("This class's objectives for its goodput and attainment in summary.json `classes` (default: the scenario's slo)"),
  rateLimit: z
    .strictObject({
      rateRps: z.number().min(MIN_RATE_RPS).max(MAX_RATE_RPS).describe('Tokens per second the bucket refills'),
      burst: z.number().int().min(1).max(MAX_REQUESTS).describe('Bucket size: requests admitted at once after a quiet spell (the bucket starts full)'),
    })
    .optional()
    .describe('Token bucket: an arrival takes a token or is rejected with an `admission:` reason (as an HTTP 429)'),
});

/** A scenario file: what to simulate, on what, under which policy, and where results go. */
export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" and "-", starting with a letter or digit').describe('Run name; results go to results/<name> by default'),
  description: z.string().optional().describe('Free text'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1).describe('Seed of every random stream (arrivals, lengths, uncertainty, policies)'),
  workload: workloadSchema.describe('The request stream: a trace or a synthetic generator'),
  cluster: z
    .strictObject({
      devices: z.array(deviceEntrySchema).min(1).max(MAX_DEVICE_ENTRIES).describe(`Device groups; each has replicas (at most ${MAX_REPLICAS} in all)`),
      disaggregation: disaggregationSchema.optional(),
    })
    .superRefine((c, ctx) => {
      let total = 0;
      c.devices.forEach((d, i) => {
        total += d.replicas;
        if (total > MAX_REPLICAS) ctx.addIssue({ code: 'custom', path: ['devices', i, 'replicas'], message: `expected at most ${MAX_REPLICAS} replicas in the whole cluster (this entry brings the total to ${total})` });
      });
    })
    .describe('The devices requests are served on'),
  policy: z
    .strictObject({
      name: z.string().min(1).describe('A registered policy (llmsim policies lists them)'),
      params: z.record(z.string(), z.unknown()).default({}).describe("The policy's parameters (checked against its own schema)"),
    })
    .default({ name: 'fifo', params: {} })
    .describe('Routing and ordering policy'),
  slo: sloSchema.optional().describe('Objectives for goodput'),
  classes: z
    .record(z.string(), classSchema)
    .superRefine(classNames)
    .optional()
    .describe('Request classes by name (a request\'s trace column `class`; `default` for requests without one or of a class not listed): priorities, SLOs and rate limits; adds per-class metrics and fairness to summary.json'),
  admission: z
    .strictObject({
      maxQueue: z.number().int().min(0).max(MAX_REQUESTS).optional().describe('Reject an arrival while this many requests wait on the replicas (routed, not started)'),
    })
    .optional()
    .describe('Admission control at the cluster front door; rejected requests carry an `admission:` reason'),
  output: z
    .strictObject({
      dir: z.string().min(1).optional().describe('Results directory, relative to the working directory (default results/<name>)'),
      requests: z.boolean().default(true).describe('Write requests.csv (one row per request)'),
    })
    .default({ requests: true })
    .describe('What to write where'),
  fleet: fleetSchema.optional().describe('Autoscaling, prices, power caps and grid carbon intensity per device group (off when absent; docs/fleet.md)'),
  sweep: sweepSchema.optional().describe('Grid of field values x seeds for `llmsim sweep` (other commands ignore it)'),
});

export type Scenario = z.output<typeof scenarioSchema>;
