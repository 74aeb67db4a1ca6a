/**
 * The scenario's `cluster.disaggregation` block: prefill/decode (P/D) disaggregated serving.
 * Continuous-batching groups with `role: prefill` compute prompts and emit the first token; the
 * request's KV then crosses a link to a replica of a `role: decode` group, which generates the
 * rest (DistServe, Splitwise, vLLM disaggregated prefill). See handoff.ts for the timeline.
 */
import { z } from 'zod';
import { MAX_TIME_S } from '../limits.js';

/** Largest link bandwidth accepted, bytes/s (10 PB/s: far above any interconnect). */
export const MAX_LINK_BYTES_PER_S = 1e16;

export const LINK_SCOPES = ['per-prefill-replica', 'per-decode-replica', 'shared'] as const;
export type LinkScope = (typeof LINK_SCOPES)[number];

export const DECODE_ROUTINGS = ['least-loaded', 'round-robin'] as const;

export const disaggregationSchema = z
  .strictObject({
    link: z
      .strictObject({
        bandwidthBytesPerS: z
          .number()
          .positive()
          .max(MAX_LINK_BYTES_PER_S)
          .describe(`Bytes per second one link moves (e.g. 25e9 for a 200 Gb/s InfiniBand port, 450e9 for H100 NVLink), at most ${MAX_LINK_BYTES_PER_S}`),
        latencyS: z.number().min(0).max(MAX_TIME_S).default(0).describe('Fixed latency of a transfer, s: added to its time, not occupying the link'),
        scope: z
          .enum(LINK_SCOPES)
          .default('per-prefill-replica')
          .describe('Which transfers share (queue for) one link, first come first served: per-prefill-replica (each prefill replica sends over its own link; the default), per-decode-replica (each decode replica receives over its own), shared (one link for the whole cluster)'),
      })
      .describe('The link KV caches move over: a transfer takes latencyS + bytes / bandwidthBytesPerS, and transfers on one link go one at a time'),
    decodeRouting: z
      .enum(DECODE_ROUTINGS)
      .default('least-loaded')
      .describe('How a prefilled request picks its decode replica among the decode replicas of its model: least-loaded (fewest queued, incoming and running requests; ties to the lower index) or round-robin. The prefill replica is chosen by the scenario policy'),
    kvBytesPerToken: z
      .number()
      .positive()
      .max(1e12)
      .optional()
      .describe("KV bytes per prompt token moved (all layers, keys and values). Default: from the prefill group's profile (architecture of a transformer profile, shape of a roofline one, memory block of an iteration one)"),
  })
  .describe('Prefill/decode disaggregation: needs continuous-batching groups with role prefill and role decode (and no group without a role)');

export type DisaggregationSpec = z.output<typeof disaggregationSchema>;
