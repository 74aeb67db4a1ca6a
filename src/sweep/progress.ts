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
    const { format, barsize } = barLayout(o.label, o.total, (o.stream as { columns?: number }).columns);
    const bar = new cliProgress.SingleBar({ format, barsize, stream: o.stream, etaBuffer: 50, hideCursor: true, linewrap: false }, cliProgress.Presets.shades_classic);
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

/** Longest text cli-progress puts in each field (its eta and duration formats: "59m59s", "23h59m", "100%"). */
const FIELD_WIDTH = { percentage: 4, time: 6 };

/**
 * The bar's line for a terminal `columns` wide (80 when unknown): the numbers and the ETA first,
 * the bar last and only as wide as what is left (8 to 30 characters), the label shortened with
 * "..." if even that does not fit, so the ETA is never cut off at the terminal's edge.
 */
export function barLayout(label: string, total: number, columns = 80): { format: string; barsize: number; width: number } {
  const digits = String(total).length;
  // "<label> 100% 1200/1200 runs ETA 59m59s 59m59s elapsed [<bar>]"
  const fixed = 1 + FIELD_WIDTH.percentage + 1 + 2 * digits + 1 + 5 + 5 + FIELD_WIDTH.time + 1 + FIELD_WIDTH.time + 9 + 2;
  const room = Math.max(40, columns - 1); // the last column would wrap on some terminals
  let shown = label;
  if (shown.length + fixed + 8 > room) shown = `${label.slice(0, Math.max(4, room - fixed - 8 - 3))}...`;
  const barsize = Math.max(8, Math.min(30, room - fixed - shown.length));
  const format = `${shown} {percentage}% {value}/{total} runs ETA {eta_formatted} {duration_formatted} elapsed [{bar}]`;
  return { format, barsize, width: shown.length + fixed + barsize };
}

/** 75 -> "1m15s", 4.2 -> "4s". */
export function formatSeconds(s: number): string {
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  const m = Math.floor(t / 60);
  return m < 60 ? `${m}m${String(t % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
