/**
 * The Summary of a streamed run, accumulated request by request (src/simulation/stream.ts hands
 * each ended request over in id order) instead of from every request's record at the end.
 * Counts, token sums and float sums are taken in the same order as `summarize` takes them, and
 * percentiles are exact up to EXACT_QUANTILE_LIMIT finished requests (quantiles.ts), so a streamed
 * run's summary.json is byte-identical to the in-memory one up to there (test/simulation/stream.test.ts
 * checks this on every golden scenario). Memory: 8 bytes per finished request and latency metric
 * below the limit, a fixed-size sketch above it.
 */
import type { RequestSink, StreamResult } from '../simulation/stream.js';
import type { Request } from '../workload/request.js';
import { summarizeDevices, summarizeEnergy, summarizeGroups } from './device-summary.js';
import type { Slo } from './goodput.js';
import type { ModelSummary } from './model-summary.js';
import { QuantileAccumulator } from './quantiles.js';
import { STATUS_FINISHED, STATUS_REJECTED, STATUS_TIMED_OUT, type RecordTable } from './records.js';
import { LIMIT_SLACK_S } from './request-metrics.js';
import { roundOrNull } from './round.js';
import { summarizeKvTiers } from '../devices/batching/kv-tiers.js';
import type { Summary, SummaryOptions } from './summary.js';
import { checkSlo, extraMeans, sortedReasons, summaryCore } from './summary-core.js';

/** Blocks of an in-memory run's summary that a streamed run has not: those before `sim` in key order, and after it. */
export type InMemoryBlocks = (spanS: number, perS: (count: number) => number | null, good: number) => { beforeSim?: Partial<Summary>; afterSim?: Partial<Summary> };

export class SummaryAccumulator implements RequestSink {
  private total = 0;
  private finished = 0;
  private rejected = 0;
  private timedOut = 0;
  private preempted = 0;
  private outputTokens = 0;
  private promptTokens = 0;
  private good = 0;
  private withDeadline = 0;
  private deadlineMet = 0;
  private cachedTokens = 0;
  private startedPromptTokens = 0;
  private weightedAccuracy = 0;
  private accuracyTokens = 0;
  private accuracyUnknown = false;
  private readonly reasons = new Map<string, number>();
  private readonly finishedOn: number[];
  private readonly tokensOn: number[];
  private readonly slo: Slo;
  private readonly ttftLimitS: number;
  private readonly tpotLimitS: number;
  private readonly e2eLimitS: number;
  readonly queueingDelayS: QuantileAccumulator;
  readonly ttftS: QuantileAccumulator;
  readonly tpotS: QuantileAccumulator;
  readonly e2eS: QuantileAccumulator;

  /**
   * `deviceAccuracy[i]`: leaderboard accuracy of replica i (cluster order), as simulate gives it.
   * `exactLimit`: values kept exactly per metric before the sketch takes over; `capacity`: finished
   * requests expected (room for their values is made at once).
   */
  constructor(
    private readonly deviceAccuracy: readonly (number | undefined)[],
    private readonly opts: SummaryOptions = {},
    exactLimit?: number,
    capacity?: number,
  ) {
    this.slo = checkSlo(opts.slo ?? {});
    this.ttftLimitS = (this.slo.ttftS ?? Infinity) + LIMIT_SLACK_S;
    this.tpotLimitS = (this.slo.tpotS ?? Infinity) + LIMIT_SLACK_S;
    this.e2eLimitS = (this.slo.e2eS ?? Infinity) + LIMIT_SLACK_S;
    this.finishedOn = deviceAccuracy.map(() => 0);
    this.tokensOn = deviceAccuracy.map(() => 0);
    this.queueingDelayS = new QuantileAccumulator(exactLimit, capacity);
    this.ttftS = new QuantileAccumulator(exactLimit, capacity);
    this.tpotS = new QuantileAccumulator(exactLimit, capacity);
    this.e2eS = new QuantileAccumulator(exactLimit, capacity);
  }

  take(req: Request, records: RecordTable, row: number): void {
    this.total++;
    if (records.preemptions[row]! > 0) this.preempted++;
    const status = records.status[row];
    const startS = records.startS[row]!;
    if (!Number.isNaN(startS)) {
      this.cachedTokens += records.cachedTokens[row]!;
      this.startedPromptTokens += req.promptTokens;
    }
    if (status === STATUS_REJECTED) {
      const reason = records.rejectReason.get(row)!;
      this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    }
    if (status === STATUS_TIMED_OUT) this.timedOut++;
    if (status === STATUS_REJECTED) this.rejected++;
    const deadlineS = req.deadlineS;
    if (status !== STATUS_FINISHED) {
      if (deadlineS !== undefined) this.withDeadline++; // not finished: missed
      return;
    }
    this.finished++;
    this.outputTokens += req.outputTokens;
    this.promptTokens += req.promptTokens;
    const arrivalS = req.arrivalS;
    const firstS = records.firstTokenS[row]!;
    const finishS = records.finishS[row]!;
    const ttftS = firstS - arrivalS;
    const tpotS = req.outputTokens > 1 ? (finishS - firstS) / (req.outputTokens - 1) : NaN;
    const e2eS = finishS - arrivalS;
    this.queueingDelayS.add(startS - arrivalS);
    this.ttftS.add(ttftS);
    this.tpotS.add(tpotS);
    this.e2eS.add(e2eS);
    let onTime = true;
    if (deadlineS !== undefined) {
      this.withDeadline++;
      onTime = e2eS <= deadlineS + LIMIT_SLACK_S;
      if (onTime) this.deadlineMet++;
    }
    const userTtftS = Number.isNaN(ttftS) ? e2eS : ttftS;
    if (onTime && e2eS <= this.e2eLimitS && userTtftS <= this.ttftLimitS && (Number.isNaN(tpotS) || tpotS <= this.tpotLimitS)) this.good++;
    const d = records.device[row]!;
    if (d < 0) {
      this.accuracyUnknown = true;
      return;
    }
    const tokens = req.promptTokens + req.outputTokens;
    this.finishedOn[d]!++;
    this.tokensOn[d]! += tokens;
    const a = this.deviceAccuracy[d];
    if (a === undefined) this.accuracyUnknown = true;
    else {
      this.weightedAccuracy += a * tokens;
      this.accuracyTokens += tokens;
    }
  }

  /** True when some percentile comes from the sketch (more finished requests than the exact limit). */
  get sketched(): boolean {
    return this.e2eS.sketched || this.queueingDelayS.sketched || this.ttftS.sketched || this.tpotS.sketched;
  }

  /**
   * The run's Summary, with the same keys, order and rounding as `summarize`. `blocks`: the blocks
   * only an in-memory run has (P/D, fleet, classes), given the span and the per-second rate.
   */
  summary(result: Omit<StreamResult, 'peakHeld'>, blocks?: InMemoryBlocks): Summary {
    const { total, finished, rejected, timedOut, outputTokens, promptTokens, slo } = this;
    if (total !== result.total) throw new Error(`summarize: ${result.total} requests but ${total} records`);
    const { spanS, perS, core } = summaryCore(
      { total, finished, rejected, timedOut, preempted: this.preempted, outputTokens, promptTokens, good: this.good, withDeadline: this.withDeadline, deadlineMet: this.deadlineMet },
      result.window,
      slo,
      sortedReasons(this.reasons),
      { queueingDelayS: this.queueingDelayS.distribution(), ttftS: this.ttftS.distribution(), tpotS: this.tpotS.distribution(), e2eS: this.e2eS.distribution() },
    );
    const evictions = result.devices.reduce((a, d) => a + (d.extra?.cacheEvictions ?? 0), 0);
    const kvTiers = summarizeKvTiers(result.devices, roundOrNull);
    // Wilkins et al.'s accuracy proxy: sum A_K (tin + tout) / sum (tin + tout) over finished requests,
    // the leaderboard accuracy each token was served at, %; NaN when nothing finished or some request
    // ran on a model of unknown accuracy (a partial figure would look like a real one).
    const accuracy = this.accuracyUnknown || this.accuracyTokens === 0 ? NaN : this.weightedAccuracy / this.accuracyTokens;
    const more = blocks?.(spanS, perS, this.good);
    return {
      name: this.opts.name ?? null,
      ...core,
      prefixCache: {
        cachedTokens: this.cachedTokens,
        promptTokens: this.startedPromptTokens,
        hitRate: this.startedPromptTokens > 0 ? roundOrNull(this.cachedTokens / this.startedPromptTokens) : null,
        evictions,
      },
      energy: summarizeEnergy(result.devices, finished, outputTokens),
      devices: summarizeDevices(result.devices, spanS),
      deviceExtraMeans: extraMeans(result.devices),
      groups: summarizeGroups(result.devices, spanS),
      models: this.models(result),
      accuracy: { tokenWeightedPct: roundOrNull(accuracy) },
      ...(kvTiers && { kvTiers }),
      ...more?.beforeSim,
      sim: { events: result.events, endS: roundOrNull(result.endS), warnings: [...result.warnings] },
      ...more?.afterSim,
    };
  }

  // Per model, in order of its first replica; devices whose stats name no model (built outside
  // simulate()) are grouped under their group name.
  private models(result: Pick<StreamResult, 'devices'>): ModelSummary[] {
    const { devices } = result;
    const index = new Map<string, number>();
    const rows: { model: string; replicas: number; finished: number; tokens: number; energyJ: number; accuracyPct: number | undefined }[] = [];
    devices.forEach((d, i) => {
      const model = d.model ?? d.group;
      let k = index.get(model);
      if (k === undefined) {
        index.set(model, (k = rows.length));
        rows.push({ model, replicas: 0, finished: 0, tokens: 0, energyJ: 0, accuracyPct: undefined });
      }
      const row = rows[k]!;
      row.replicas++;
      row.energyJ += d.busyEnergyJ + d.idleEnergyJ;
      row.accuracyPct ??= d.accuracyPct;
      row.finished += this.finishedOn[i]!;
      row.tokens += this.tokensOn[i]!;
    });
    return rows.map((r) => ({ model: r.model, replicas: r.replicas, finished: r.finished, tokens: r.tokens, energyJ: roundOrNull(r.energyJ), accuracyPct: r.accuracyPct ?? null }));
  }
}
