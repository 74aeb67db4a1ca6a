/** The summary's `fleet` block (only when the scenario has a `fleet:` block): provisioning, cost, carbon. */
import { distribution, type Distribution } from '../metrics/distribution.js';
import { STATUS_FINISHED } from '../metrics/records.js';
import { roundOrNull } from '../metrics/round.js';
import type { SimResult } from '../simulation/result.js';
import type { FleetResult } from './controller.js';

export interface FleetSummary {
  /** GPU-hours provisioned in the run window (every replica of a fixed group for the whole window). */
  readonly gpuHours: number | null;
  /** gpuHours x pricePerGpuHour summed over groups; null when a group has no price. */
  readonly costUsd: number | null;
  /** costUsd per million output tokens of finished requests. */
  readonly costPerMOutputTokensUsd: number | null;
  /** Requests that waited at the router because no replica of their model was ready (cold starts). */
  readonly heldRequests: number;
  readonly groups: {
    readonly name: string;
    readonly autoscaled: boolean;
    readonly gpusPerReplica: number;
    /** Mean replicas provisioned over the window. */
    readonly meanReplicas: number | null;
    readonly peakReplicas: number;
    readonly scaleUps: number;
    readonly scaleDowns: number;
    readonly gpuHours: number | null;
    readonly pricePerGpuHour: number | null;
    /** Present when the price is the group's hardware file's (profiles/hardware/): the file and the page it cites. */
    readonly priceSource?: string;
    readonly costUsd: number | null;
  }[];
  /** Present when a group has a carbon-intensity series. */
  readonly carbon?: {
    /** Request (busy) emissions + idle emissions, g CO2. */
    readonly totalG: number | null;
    readonly requestsG: number | null;
    readonly idleG: number | null;
    /** Per finished request: the CO2 of the energy charged to it, g. */
    readonly perFinishedRequestG: Distribution;
    /** totalG per million output tokens of finished requests. */
    readonly perMOutputTokensG: number | null;
  };
}

export function summarizeFleet(result: SimResult & { fleet: FleetResult }): FleetSummary {
  const { fleet, records, requests } = result;
  const spanS = result.window.endS - result.window.startS;
  let outputTokens = 0;
  for (let i = 0; i < requests.length; i++) if (records.status[i] === STATUS_FINISHED) outputTokens += requests[i]!.outputTokens;
  const gpuHours = fleet.groups.reduce((a, g) => a + g.gpuHours, 0);
  const priced = fleet.groups.every((g) => g.costUsd !== null);
  const costUsd = priced ? fleet.groups.reduce((a, g) => a + g.costUsd!, 0) : NaN;
  const out: FleetSummary = {
    gpuHours: roundOrNull(gpuHours),
    costUsd: roundOrNull(costUsd),
    costPerMOutputTokensUsd: outputTokens > 0 ? roundOrNull((costUsd / outputTokens) * 1e6) : null,
    heldRequests: fleet.heldRequests,
    groups: fleet.groups.map((g) => ({
      name: g.name,
      autoscaled: g.autoscaled,
      gpusPerReplica: g.gpusPerReplica,
      meanReplicas: spanS > 0 ? roundOrNull(g.replicaS / spanS) : null,
      peakReplicas: g.peakReplicas,
      scaleUps: g.scaleUps,
      scaleDowns: g.scaleDowns,
      gpuHours: roundOrNull(g.gpuHours),
      pricePerGpuHour: g.pricePerGpuHour,
      ...(g.priceSource !== undefined && { priceSource: g.priceSource }),
      costUsd: roundOrNull(g.costUsd ?? NaN),
    })),
  };
  if (!fleet.requestCo2G) return out;
  const co2 = fleet.requestCo2G;
  let requestsG = 0;
  const finished = new Float64Array(requests.length).fill(NaN);
  for (let i = 0; i < co2.length; i++) {
    requestsG += co2[i]!;
    if (records.status[i] === STATUS_FINISHED) finished[i] = co2[i]!;
  }
  const totalG = requestsG + (fleet.idleCo2G ?? 0);
  return {
    ...out,
    carbon: {
      totalG: roundOrNull(totalG),
      requestsG: roundOrNull(requestsG),
      idleG: roundOrNull(fleet.idleCo2G ?? NaN),
      perFinishedRequestG: distribution(finished),
      perMOutputTokensG: outputTokens > 0 ? roundOrNull((totalG / outputTokens) * 1e6) : null,
    },
  };
}
