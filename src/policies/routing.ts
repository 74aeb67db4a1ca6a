import type { ClusterView } from './policy.js';

/** Round-robin over each eligible set separately (one cursor per set of replicas). */
export function roundRobin(): (eligible: readonly number[]) => number {
  const cursors = new Map<readonly number[], number>();
  return (eligible) => {
    const c = cursors.get(eligible) ?? 0;
    cursors.set(eligible, c + 1 === eligible.length ? 0 : c + 1);
    return eligible[c]!;
  };
}

/** Join-the-shortest-queue: fewest outstanding (queued + running) requests; ties go to the lower index. */
export function leastLoaded(eligible: readonly number[], cluster: ClusterView): number {
  let best = eligible[0]!;
  let bestLoad = Infinity;
  for (const i of eligible) {
    const d = cluster.devices[i]!;
    const load = d.queued() + d.running();
    if (load < bestLoad) {
      bestLoad = load;
      best = i;
    }
  }
  return best;
}
