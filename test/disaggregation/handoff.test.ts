import { describe, expect, it } from 'vitest';
import { continuousBatchingDeviceSchema, createContinuousBatchingDevice } from '../../src/devices/continuous-batching.js';
import { disaggregationSchema } from '../../src/disaggregation/schema.js';
import { STATUS_FINISHED } from '../../src/metrics/records.js';
import { summarize } from '../../src/metrics/summary.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import type { IterationModel } from '../../src/profiles/model.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import type { Request } from '../../src/workload/request.js';
import { req, testIterationModel } from '../support/models.js';

/**
 * Hand-computed P/D cases. The test model prices one pass as
 *   max(0.1 if any prompt chunk, 0.05 if any decode) + 0.001 x chunk tokens + 0.01 x decodes
 *   + 0.0001 x (decode context + cached past of chunks),
 * so a prompt of p tokens alone costs 0.1 + 0.001 p, and a decode step of one sequence at context c
 * 0.06 + 0.0001 c. KV: 100 bytes per token; link: 1e6 bytes/s and 0.01 s latency, so a prompt of
 * p tokens moves in p x 1e-4 + 0.01 s.
 */
const model = testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0.01, 0.0001], kvTokens: 100_000 });

export function roleGroup(name: string, role: 'prefill' | 'decode', m: IterationModel, spec: Record<string, unknown> = {}, replicas = 1): PreparedDeviceGroup {
  const parsed = continuousBatchingDeviceSchema.parse({ name, kind: 'continuous-batching', profile: 'test', replicas, role, blockSize: 1, ...spec });
  return { name, kind: parsed.kind, model: 'm', replicas, role, kvBytesPerToken: 100, gpus: 1, create: (ctx, id) => createContinuousBatchingDevice(parsed, m, ctx, id) };
}

const link = (o: Record<string, unknown> = {}) => disaggregationSchema.parse({ link: { bandwidthBytesPerS: 1e6, latencyS: 0.01, ...o } });

function run(requests: Request[], cluster: PreparedDeviceGroup[], pd = link()) {
  return simulate({ requests, cluster, policy: fifoPolicy, policyParams: {}, seed: 1, disaggregation: pd });
}

describe('P/D disaggregation: hand-computed timelines', () => {
  it('one request: prefill, transfer, decode, exact to the float', () => {
    const res = run([req(0, 0, 200, 4)], [roleGroup('p', 'prefill', model), roleGroup('d', 'decode', model)]);
    const r = res.records;
    const t = res.disaggregation!.transfers;
    // Prefill: one pass of 200 tokens: 0.1 + 0.001 x 200 (the test model adds its terms in this order).
    const ttft = 0.1 + 0.001 * 200;
    expect(r.status[0]).toBe(STATUS_FINISHED);
    expect(r.firstTokenS[0]).toBe(ttft);
    expect(t.readyS[0]).toBe(ttft);
    // The idle decode replica reserves at once; the link is free: the transfer starts at the first token.
    expect(t.reservedS[0]).toBe(ttft);
    expect(t.startS[0]).toBe(ttft);
    expect(t.bytes[0]).toBe(200 * 100);
    const landS = ttft + 20_000 / 1e6 + 0.01;
    expect(t.endS[0]).toBe(landS);
    expect(t.decodeStartS[0]).toBe(landS);
    // Decode: 3 steps (tokens 2..4) from context 201: 3 x (0.05 + 0.01 x 1 + 0.0001 x 201) + 0.0001 x 1 x 3 x 2 / 2.
    const runS = 3 * (0.05 + 0.01 * 1 + 0.0001 * 201) + (0.0001 * 1 * 3 * 2) / 2;
    expect(r.finishS[0]).toBe(landS + runS);
    expect(r.device[0]).toBe(1); // it ended on the decode replica
    expect(res.devices.map((d) => d.extra)).toEqual([{ meanBatchSize: 1, kvHandoffs: 1 }, { meanBatchSize: 1, kvReceived: 1 }]);
    // The prefill replica held the prompt's KV (200 blocks of 1 token) until it landed; the decode replica 203 at its end.
    expect(res.devices[0]!.peakKvTokens).toBe(200);
    expect(res.devices[1]!.peakKvTokens).toBe(203);
    const s = summarize(res, { slo: { ttftS: 1 } });
    expect(s.disaggregation).toMatchObject({ transfers: 1, bytes: 20_000 });
    expect(s.latency.tpotS.mean).toBeCloseTo((landS + runS - ttft) / 3, 12);
  });

  it('transfers on one link go one at a time; a landing cuts a decode run at its next step', () => {
    // A (200 tokens, 4 out) and B (100, 2) are prefilled in one pass: 0.1 + 0.3 = 0.4.
    const res = run([req(0, 0, 200, 4), req(1, 0, 100, 2)], [roleGroup('p', 'prefill', model), roleGroup('d', 'decode', model)]);
    const { records: r, disaggregation } = res;
    const t = disaggregation!.transfers;
    const ready = 0.1 + 0.001 * 300;
    expect(r.firstTokenS[0]).toBe(ready);
    expect(r.firstTokenS[1]).toBe(ready);
    // A moves first (0.02 s on the link, lands 0.01 later); B waits for the link until A's bytes are through.
    expect(t.startS[0]).toBe(ready);
    expect(t.endS[0]).toBe(ready + 0.02 + 0.01);
    expect(t.startS[1]).toBe(ready + 0.02);
    expect(t.endS[1]).toBe(ready + 0.02 + 0.01 + 0.01);
    // A decodes from 0.43 (first step: 0.06 + 0.0201 = 0.0801 -> 0.5101). B lands at 0.44, joins at 0.5101:
    // a step of 2 at contexts 202 + 101: 0.05 + 0.02 + 0.0303 = 0.1003 -> 0.6104, B's last token.
    // A's last step at context 203: 0.0803 -> 0.6907.
    expect(t.decodeStartS[1]).toBeCloseTo(0.5101, 12);
    expect(r.finishS[1]).toBeCloseTo(0.6104, 12);
    expect(r.finishS[0]).toBeCloseTo(0.6907, 12);
  });

  it('a transfer waits for KV room on its decode replica', () => {
    // Decode cache of 250 tokens: A's 200 are reserved at 0.4; B's 100 only once A has finished.
    const small = testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0.01, 0.0001], kvTokens: 250 });
    const res = run([req(0, 0, 200, 4), req(1, 0, 100, 2)], [roleGroup('p', 'prefill', model), roleGroup('d', 'decode', small)]);
    const { records: r, disaggregation } = res;
    const t = disaggregation!.transfers;
    // A: lands 0.43, 3 steps from context 201: 0.2406 -> 0.6706.
    const aDone = 0.43 + 0.2406;
    expect(r.finishS[0]).toBeCloseTo(aDone, 12);
    expect(t.reservedS[1]).toBeCloseTo(aDone, 12);
    expect(t.startS[1]).toBeCloseTo(aDone, 12);
    expect(t.endS[1]).toBeCloseTo(aDone + 0.02, 12);
    // B: one step at context 101: 0.0701.
    expect(r.finishS[1]).toBeCloseTo(aDone + 0.02 + 0.0701, 12);
    // B's KV stayed on the prefill replica until it landed: both prompts (300 tokens) at the peak.
    expect(res.devices[0]!.peakKvTokens).toBe(300);
    expect(res.devices[1]!.peakKvTokens).toBeLessThanOrEqual(250);
  });

  it('a single-token answer ends on its prefill replica: nothing moves', () => {
    const res = run([req(0, 0, 200, 1)], [roleGroup('p', 'prefill', model), roleGroup('d', 'decode', model)]);
    expect(res.records.finishS[0]).toBe(0.1 + 0.001 * 200);
    expect(res.records.device[0]).toBe(0);
    expect(res.disaggregation!.transfers.bytes[0]).toBe(0);
  });
});
