/**
 * RT-LM's dynamic consolidation (reconstruction): requests are put in buckets of predicted output
 * length on a geometric grid, [ratio^k, ratio^(k+1)) tokens. A static batch takes the head of the
 * queue (the oldest, or the most urgent under prioritization), then waiting requests of the head's
 * bucket in queue order, then of the buckets one step away, two steps away, and so on until the
 * batch is full. Members thus have predicted lengths as close to the head's as the queue allows,
 * so little of the batch's time is spent padding short answers while the longest one finishes,
 * and the batch is as full as without consolidation (a half-empty batch would cost throughput).
 */

/** Bucket index of a predicted length on the geometric grid of the given ratio (> 1). */
export function lengthBucket(tokens: number, ratio: number): number {
  return Math.floor(Math.log(Math.max(1, tokens)) / Math.log(ratio));
}

/**
 * A selectBatch hook as described above. Returns one reused array (the device reads it at once),
 * so forming a batch allocates nothing. Cost O(queue x bucket distance needed to fill).
 */
export function bucketBatcher(bucketOf: (id: number) => number): (waiting: readonly number[], maxBatch: number) => readonly number[] {
  const out: number[] = [];
  return (waiting, maxBatch) => {
    out.length = 0;
    const head = bucketOf(waiting[0]!);
    const want = Math.min(maxBatch, waiting.length);
    let farthest = 0;
    for (const id of waiting) farthest = Math.max(farthest, Math.abs(bucketOf(id) - head));
    for (let dist = 0; dist <= farthest && out.length < want; dist++) {
      for (let i = 0; i < waiting.length && out.length < want; i++) {
        if (Math.abs(bucketOf(waiting[i]!) - head) === dist) out.push(waiting[i]!);
      }
    }
    return out;
  };
}
