import type { DeviceContext } from '../../src/devices/device.js';

/** Which replica holds each request (-1: none), and the one-holder violations seen so far. */
export interface HolderSpy {
  holder: Int32Array;
  violations: string[];
}

/**
 * `ctx.lifecycle` with a one-holder check: a replica may start a request only when no other
 * replica holds it (started again where it was preempted is fine); ending it frees it.
 * `free` is exposed for other hand-overs (P/D).
 */
export function holderLifecycle(ctx: DeviceContext, spy: HolderSpy) {
  const { holder, violations } = spy;
  const free = (rid: number) => void (holder[rid] = -1);
  const lifecycle = {
    ...ctx.lifecycle,
    started(rid: number, device: number, timeS: number, cached?: number) {
      if (holder[rid] !== -1 && holder[rid] !== device) violations.push(`request ${rid} started on ${device} while ${holder[rid]} held it`);
      holder[rid] = device;
      ctx.lifecycle.started(rid, device, timeS, cached);
    },
    finished(rid: number, timeS: number) {
      free(rid);
      ctx.lifecycle.finished(rid, timeS);
    },
    aborted(rid: number, reason: string) {
      free(rid);
      ctx.lifecycle.aborted(rid, reason);
    },
    timedOut(rid: number, timeS: number) {
      free(rid);
      ctx.lifecycle.timedOut(rid, timeS);
    },
  };
  return { lifecycle, free };
}
