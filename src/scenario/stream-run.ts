import { RequestsCsvRows, type WriteChunk } from '../metrics/requests-csv.js';
import type { RecordTable } from '../metrics/records.js';
import { SummaryAccumulator } from '../metrics/stream-summary.js';
import type { Summary } from '../metrics/summary.js';
import type { Profile } from '../profiles/schema.js';
import type { PreparedDeviceGroup } from '../simulation/simulate.js';
import { simulateStream, type RequestSink, type StreamResult } from '../simulation/stream.js';
import type { Request } from '../workload/request.js';
import { openWorkloadStream, workloadNotStreamable } from '../workload/stream.js';
import { refreshSOf } from '../policies/signals.js';
import { prepareCluster, withScenarioLine, type LoadedScenario } from './load.js';

/** Options of `streamScenario`. */
export interface StreamScenarioOptions {
  /** Summary name (default: the scenario's name). */
  readonly name?: string;
  /** Receives requests.csv in chunks as requests end (no requests.csv when absent). */
  readonly requestsCsv?: WriteChunk;
  /** Percentile values kept exactly per metric before the sketch (default EXACT_QUANTILE_LIMIT); tests lower it. */
  readonly exactLimit?: number;
  readonly profiles?: (file: string) => Profile;
}

/** A streamed run's outcome: what `runScenario` returns, less the requests and records it never held. */
export interface StreamRun {
  readonly cluster: readonly PreparedDeviceGroup[];
  readonly result: StreamResult;
  readonly summary: Summary;
  /** `trace`: the trace file was read as the run went; `generator`: drawn as pulled; `memory`: the workload was built whole first. */
  readonly reads: 'trace' | 'generator' | 'memory';
  /** True when some percentile comes from the quantile sketch. */
  readonly sketched: boolean;
}

/** Why this scenario cannot be streamed (it needs the whole workload up front), or undefined. */
export function scenarioNotStreamable(loaded: LoadedScenario): string | undefined {
  if (loaded.policy.needsWorkload) return `policy ${loaded.policy.name} reads the whole workload up front`;
  // Features of simulate() that simulateStream does not implement (yet).
  const { scenario } = loaded;
  if (scenario.fleet) return 'the fleet: block (autoscaling, power caps, carbon) is not streamed yet';
  if (scenario.classes || scenario.admission) return 'request classes and admission control are not streamed yet';
  if (scenario.cluster.disaggregation) return 'P/D disaggregation is not streamed yet';
  if (refreshSOf(loaded.policyParams) !== undefined) return 'stale routing signals (policy.params.refreshS) are not streamed yet';
  return workloadNotStreamable(loaded.scenario.workload);
}

/**
 * `runScenario` streamed: the workload is pulled as the simulation clock reaches each request and
 * every ended request goes to the summary accumulators (and requests.csv rows) and is forgotten.
 * Same summary and requests.csv, byte for byte, as `runScenario` up to EXACT_QUANTILE_LIMIT
 * finished requests. The caller checks `scenarioNotStreamable` first.
 */
export function streamScenario(loaded: LoadedScenario, options: StreamScenarioOptions = {}): StreamRun {
  const reason = scenarioNotStreamable(loaded);
  if (reason) throw new Error(`streamScenario: ${reason}`);
  const prepared = prepareCluster(loaded, options.profiles);
  const { scenario, baseDir } = loaded;
  const accuracy = prepared.cluster.flatMap((g) => Array.from({ length: g.replicas }, () => g.accuracy));
  const acc = new SummaryAccumulator(accuracy, { slo: scenario.slo, name: options.name ?? scenario.name }, options.exactLimit);
  return withScenarioLine(
    loaded,
    () => {
      const source = openWorkloadStream(scenario.workload, { baseDir, seed: scenario.seed, specFile: loaded.file });
      try {
        let sink: RequestSink = acc;
        let csv: RequestsCsvRows | undefined;
        if (options.requestsCsv) {
          // Replica names as simulate gives them: `<group>/<index>`.
          const names = prepared.cluster.flatMap((g) => Array.from({ length: g.replicas }, (_, r) => `${g.name}/${r}`));
          const rows = (csv = new RequestsCsvRows(names, options.requestsCsv));
          sink = { take: (req: Request, records: RecordTable, row: number) => (acc.take(req, records, row), rows.take(req, records, row)) };
        }
        const result = simulateStream({ ...prepared, source }, sink);
        csv?.flush();
        return { cluster: prepared.cluster, result, summary: acc.summary(result), reads: source.reads, sketched: acc.sketched };
      } finally {
        source.close();
      }
    },
    'policy.params',
  );
}
