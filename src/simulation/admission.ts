/**
 * Request classes and admission control (scenario `classes:` and `admission:`), applied when a
 * request reaches the cluster, before the policy routes it. Everything here is off unless the
 * scenario gives those blocks.
 *
 * - Token bucket per class (`classes.<name>.rateLimit: { rateRps, burst }`): the bucket starts
 *   full (burst tokens) at time 0 and refills continuously at rateRps up to burst; an arrival takes
 *   one token, or is rejected when less than one is left (what an HTTP 429 "Too Many Requests"
 *   is), with the reason `admission: class "<c>" over its rate limit (<r>/s, burst <b>)`.
 * - Queue-length limit (`admission.maxQueue`): an arrival is rejected with `admission: queue full
 *   (maxQueue <n>)` when the requests waiting on all replicas (routed, not yet
 *   started or back in a queue after a preemption) number maxQueue or more. The bucket is checked
 *   first; a request the queue refuses does not give its token back.
 * - Priority (`classes.<name>.priority`, larger first): waiting requests are served in priority
 *   order on every replica (FIFO within one priority), replacing the policy's own order.
 *
 * A request's class is its `class` label (trace column `class`), else `default`; a class not
 * listed takes the `default` entry's settings when there is one, otherwise none (priority 0).
 */
import type { Request } from '../workload/request.js';

/** One class's settings, as the scenario gives them. */
export interface ClassSpec {
  readonly priority: number;
  readonly slo?: { readonly ttftS?: number; readonly tpotS?: number; readonly e2eS?: number };
  readonly rateLimit?: { readonly rateRps: number; readonly burst: number };
}

/** The scenario's `classes:` block: settings by class name. */
export type ClassesSpec = Readonly<Record<string, ClassSpec>>;

/** The scenario's `admission:` block. */
export interface AdmissionSpec {
  readonly maxQueue?: number;
}

/** The class a request counts under: its label, else `default`. */
export function classOf(r: Request): string {
  return r.class ?? 'default';
}

/** The settings that apply to class `name`: its own entry, else `default`'s, else none. */
export function classSettings(classes: ClassesSpec, name: string): ClassSpec | undefined {
  return Object.hasOwn(classes, name) ? classes[name] : classes.default;
}

/** The wait-queue key of class priorities (smaller runs first), or undefined when no class sets one. */
export function classPriority(classes: ClassesSpec | undefined): ((r: Request) => number) | undefined {
  if (classes === undefined || !Object.values(classes).some((c) => c.priority !== 0)) return undefined;
  return (r) => -(classSettings(classes, classOf(r))?.priority ?? 0);
}

/** Decides at arrival: a rejection reason, or undefined to admit. */
export type Admission = (r: Request, nowS: number, waiting: () => number) => string | undefined;

/** The admission check of a run, or undefined when neither a bucket nor a queue limit is given. */
export function createAdmission(classes: ClassesSpec | undefined, admission: AdmissionSpec | undefined): Admission | undefined {
  const limited = classes !== undefined && Object.values(classes).some((c) => c.rateLimit !== undefined);
  const maxQueue = admission?.maxQueue;
  if (!limited && maxQueue === undefined) return undefined;
  // Buckets by the name of the entry that applies (unlisted classes share `default`'s).
  const buckets = new Map<string, { tokens: number; atS: number }>();
  return (r, nowS, waiting) => {
    if (limited) {
      const name = Object.hasOwn(classes!, classOf(r)) ? classOf(r) : 'default';
      const limit = classes![name]?.rateLimit;
      if (limit !== undefined) {
        let b = buckets.get(name);
        if (b === undefined) buckets.set(name, (b = { tokens: limit.burst, atS: 0 }));
        b.tokens = Math.min(limit.burst, b.tokens + (nowS - b.atS) * limit.rateRps);
        b.atS = nowS;
        // A token refilled to within rounding of 1 counts as whole (a rate of 1/3 s refills 1 token in 3 s exactly).
        if (b.tokens < 1 - 1e-9) return `admission: class "${name}" over its rate limit (${limit.rateRps}/s, burst ${limit.burst})`;
        b.tokens = Math.max(0, b.tokens - 1);
      }
    }
    if (maxQueue !== undefined) {
      const n = waiting();
      if (n >= maxQueue) return `admission: queue full (maxQueue ${maxQueue})`;
    }
    return undefined;
  };
}
