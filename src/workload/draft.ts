import type { Request } from './request.js';

/**
 * A request under construction: readers and generators create one object per request and the
 * workload steps (rate scale, window, uncertainty, deadline) edit it in place, so a million
 * requests cost a million allocations, not one per step. It is a Request once `finalizeIds` ran.
 */
export type DraftRequest = { -readonly [K in keyof Request]: Request[K] };

/** Sets ids to 0..n-1 in array order (arrival order, ties in file order) and hands out Requests. */
export function finalizeIds(drafts: DraftRequest[]): Request[] {
  for (let i = 0; i < drafts.length; i++) drafts[i]!.id = i;
  return drafts;
}

/** Shifts arrival times so that the first request arrives at 0 (drafts are sorted). */
export function shiftToZero(drafts: DraftRequest[]): void {
  const t0 = drafts.length > 0 ? drafts[0]!.arrivalS : 0;
  if (t0 === 0) return;
  for (const d of drafts) d.arrivalS -= t0;
}
