import type { Request } from './request.js';

/**
 * A request under construction: readers and generators create one object per request and the
 * workload steps (rate scale, window, uncertainty, deadline) edit it in place, so a million
 * requests cost a million allocations, not one per step. It is a Request once `finalizeIds` ran.
 */
export type DraftRequest = { -readonly [K in keyof Request]: Request[K] };

/**
 * Sets ids to 0..n-1 in array order (arrival order, ties in file order; sessions turn by turn)
 * and hands out Requests. A follow-up's `after` is renumbered with the request it names, which
 * must come earlier in the array (the window and limit steps keep it so).
 */
export function finalizeIds(drafts: DraftRequest[]): Request[] {
  if (!drafts.some((d) => d.followUp !== undefined)) {
    for (let i = 0; i < drafts.length; i++) drafts[i]!.id = i;
    return drafts;
  }
  const renumbered = new Map<number, number>();
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i]!;
    if (d.followUp) {
      const after = renumbered.get(d.followUp.after);
      if (after === undefined) throw new Error(`request ${d.id} follows request ${d.followUp.after}, which is not before it in the workload`);
      d.followUp = { after, thinkS: d.followUp.thinkS };
    }
    renumbered.set(d.id, i);
    d.id = i;
  }
  return drafts;
}

/**
 * The drafts arriving in [startS, endS) (no end if undefined). A follow-up has no arrival time
 * yet (NaN): it is kept exactly when the request it follows is, so a session stays whole or
 * goes, decided by its first turn.
 */
export function inWindow(drafts: DraftRequest[], startS: number, endS: number | undefined): DraftRequest[] {
  const inside = (t: number) => t >= startS && (endS === undefined || t < endS);
  if (!drafts.some((d) => d.followUp !== undefined)) return drafts.filter((d) => inside(d.arrivalS));
  const kept = new Set<number>();
  return drafts.filter((d) => {
    const keep = d.followUp ? kept.has(d.followUp.after) : inside(d.arrivalS);
    if (keep) kept.add(d.id);
    return keep;
  });
}

/** Shifts arrival times so that the first request arrives at 0 (drafts are sorted). */
export function shiftToZero(drafts: DraftRequest[]): void {
  const t0 = drafts.length > 0 ? drafts[0]!.arrivalS : 0;
  if (t0 === 0) return;
  for (const d of drafts) d.arrivalS -= t0;
}
