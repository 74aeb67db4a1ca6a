import cliProgress from 'cli-progress';

/** Reports finished runs: a live bar on a terminal, or occasional plain lines for logs and CI. */
export interface Progress {
  tick(): void;
  /** Ends the report; `failed`: the sweep stopped on an error, which says the rest (no final line). */
  stop(failed?: boolean): void;
}

/** How to report progress. */
export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** Runs already finished before this process started (resumed from the journal). */
  readonly done: number;
  /** `bar` on an interactive terminal; `lines` when output is a log (not a TTY, or CI is set). */
  readonly mode: 'bar' | 'lines' | 'none';
  readonly stream: NodeJS.WritableStream;
  /** Milliseconds from a monotonic clock (for the elapsed time and the ETA). */
  nowMs(): number;
}

/** The mode a command should use for `stream`: no bar where nobody watches a terminal. */
export function progressMode(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, quiet: boolean): ProgressOptions['mode'] {
  if (quiet) return 'none';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return stream.isTTY && !ci ? 'bar' : 'lines';
}

/** Starts reporting; call tick() once per finished run and stop() at the end. */
export function createProgress(o: ProgressOptions): Progress {
  if (o.mode === 'none') return { tick() {}, stop() {} };
  if (o.mode === 'bar') {
    const bar = new cliProgress.SingleBar(
      { format: `${o.label} [{bar}] {percentage}% | {value}/{total} runs | {duration_formatted} elapsed | ETA {eta_formatted}`, stream: o.stream, etaBuffer: 50, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(o.total, o.done);
    return { tick: () => bar.increment(), stop: () => bar.stop() };
  }
  // Plain lines every 5% of the runs: few enough for a CI log, often enough to see it move.
  const startMs = o.nowMs();
  const step = Math.max(1, Math.ceil(o.total / 20));
  let done = o.done;
  let ranHere = 0;
  let shown = -1; // the count the last line showed: the final line only when it says something new
  const line = () => {
    shown = done;
    const elapsedS = (o.nowMs() - startMs) / 1000;
    const etaS = ranHere > 0 ? (elapsedS / ranHere) * (o.total - done) : NaN;
    o.stream.write(`${o.label}: ${done}/${o.total} runs (${Math.floor((100 * done) / Math.max(1, o.total))}%), ${formatSeconds(elapsedS)} elapsed, ETA ${Number.isFinite(etaS) ? formatSeconds(etaS) : '-'}\n`);
  };
  line();
  return {
    tick() {
      done++;
      ranHere++;
      if (done % step === 0 && done < o.total) line();
    },
    stop(failed = false) {
      if (!failed && done !== shown) line();
    },
  };
}

/** 75 -> "1m15s", 4.2 -> "4s". */
export function formatSeconds(s: number): string {
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  const m = Math.floor(t / 60);
  return m < 60 ? `${m}m${String(t % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
