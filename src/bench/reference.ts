/**
 * The README's last measured figures (its "Performance" tables), kept in reference.json: `npm run
 * bench` prints each case's new figures next to these and the ratio, and
 * test/bench/reference.test.ts checks that README.md shows exactly `readmeTables()`. After a new
 * measurement, edit reference.json, then paste `readmeTables()` (the test prints it) into README.
 */
import reference from './reference.json' with { type: 'json' };

/** Figures of one simulation case (absent: not measured). */
export interface CaseFigures {
  readonly simulateS?: number;
  readonly eventsPerS?: number;
  /** Events per CPU second of the run (engine case): steadier than per wall second on a shared machine. */
  readonly eventsPerCpuS?: number;
  readonly wallS?: number;
  /** CPU time of the case's process (user + system): on a shared machine it moves less than wall. */
  readonly cpuS?: number;
  readonly peakRssMB?: number;
}

/** Median wall time of each start-up command and of `node -e 0`, s. */
export interface StartupFigures {
  readonly nodeS: number;
  readonly commands: Readonly<Record<string, number>>;
}

export interface Reference {
  readonly machine: string;
  readonly startup: StartupFigures;
  /** By bench case id; `label` is the README's first column. */
  readonly cases: Readonly<Record<string, CaseFigures & { readonly label: string }>>;
}

export const REFERENCE: Reference = reference;

const seconds = (s: number | undefined) => (s === undefined ? '-' : s < 0.1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
const mb = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(0)} MB`);
const perS = (x: number | undefined, perCpuS?: number) =>
  x === undefined ? '' : ` (${(x / 1e6).toFixed(1)}M events/s${perCpuS === undefined ? '' : `, ${(perCpuS / 1e6).toFixed(1)}M per CPU s`})`;

/** The README's two tables (start-up, then the simulation cases), as markdown. */
export function readmeTables(ref: Reference = REFERENCE): string {
  const startup = [
    '| command | wall (median) | vs `node -e 0` |',
    '|---|---:|---:|',
    `| \`node -e 0\` | ${seconds(ref.startup.nodeS)} | x1.00 |`,
    ...Object.entries(ref.startup.commands).map(([cmd, s]) => `| \`llmsim ${cmd}\` | ${seconds(s)} | x${(s / ref.startup.nodeS).toFixed(2)} |`),
  ];
  const cases = [
    '| case | simulate | whole process | process CPU | peak RSS |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(ref.cases).map(([id, c]) => `| ${c.label} (\`${id}\`) | ${seconds(c.simulateS)}${perS(c.eventsPerS, c.eventsPerCpuS)} | ${seconds(c.wallS)} | ${seconds(c.cpuS)} | ${mb(c.peakRssMB)} |`),
  ];
  return `${startup.join('\n')}\n\n${cases.join('\n')}\n`;
}

/** "now (README before, xratio)" for one figure; lower is better for times, higher for rates. */
export function versus(now: number, before: number | undefined, format: (x: number) => string): string {
  return before === undefined ? format(now) : `${format(now)} (README ${format(before)}, x${(now / before).toFixed(2)})`;
}
