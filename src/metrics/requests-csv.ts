import type { SimResult } from '../simulation/result.js';
import type { RequestSink } from '../simulation/stream.js';
import type { KvTransfers } from '../disaggregation/handoff.js';
import type { Request } from '../workload/request.js';
import { STATUS_FINISHED, STATUS_REJECTED, STATUS_TIMED_OUT, type RecordTable } from './records.js';
import { LIMIT_SLACK_S } from './request-metrics.js';
import { csvNumber } from './round.js';

/**
 * Columns of requests.csv, one row per request in id (arrival) order. Times in seconds, energy in
 * J, real numbers with 9 significant digits; an empty field means "not defined / did not happen".
 * - id, arrival_s, prompt_tokens, output_tokens, model, class: the request as simulated
 * - device: replica name that served it (empty if none); status: finished | rejected | timed-out | pending
 * - reject_reason: why it was rejected
 * - queueing_delay_s, ttft_s, tpot_s, e2e_s: as in the summary (finished requests only; ttft and
 *   tpot empty on non-streaming devices, tpot empty for single-token outputs)
 * - energy_j: energy attributed to the request; preemptions: times it was recomputed
 * - cached_tokens: prompt tokens found in the prefix cache at its first start (not prefilled)
 * - timed_out_s: when its client gave up (status timed-out), empty otherwise
 * - deadline_s: its relative deadline; deadline_met: true | false (empty without a deadline)
 * Only in runs with P/D disaggregation (cluster.disaggregation), after those (PD_CSV_COLUMNS):
 * - prefill_device: replica that prefilled it; kv_wait_s: first token -> transfer start (waiting for
 *   KV room on the decode replica, then for the link); kv_transfer_s: transfer start -> landed;
 *   kv_bytes: bytes moved (empty when nothing moved)
 */
export const REQUESTS_CSV_COLUMNS = [
  'id', 'arrival_s', 'prompt_tokens', 'output_tokens', 'model', 'class', 'device', 'status', 'reject_reason',
  'queueing_delay_s', 'ttft_s', 'tpot_s', 'e2e_s', 'energy_j', 'preemptions', 'cached_tokens', 'timed_out_s', 'deadline_s', 'deadline_met',
] as const;

/** Columns appended in P/D runs. */
export const PD_CSV_COLUMNS = ['prefill_device', 'kv_wait_s', 'kv_transfer_s', 'kv_bytes'] as const;

// Rows per chunk handed to `write`: ~1 MB of text, few syscalls, bounded memory.
const CHUNK_ROWS = 10_000;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * RFC 4180 field: quoted (inner quotes doubled) only when it holds a comma, quote or line break.
 * Hand-written because only the few free-text fields need it and csv-stringify's per-field
 * machinery would cost more than the rest of the row.
 */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Streams requests.csv (header + one row per request, `\n` line ends) to `write` in chunks. */
export function writeRequestsCsv(result: SimResult, write: (text: string) => void): void {
  const { requests, records } = result;
  const rows = new RequestsCsvRows(result.devices.map((d) => d.name), write, result.disaggregation?.transfers);
  for (let i = 0; i < requests.length; i++) rows.take(requests[i]!, records, i);
  rows.flush();
}

/**
 * requests.csv row by row: the header at construction, then one row per `take` (in the order
 * taken), handed to `write` in chunks. Latencies are computed as `latencyColumns` computes them.
 * Also the sink of a streamed run (src/simulation/stream.ts), which writes rows as requests end.
 */
export class RequestsCsvRows implements RequestSink {
  private readonly deviceNames: string[];
  private readonly escaped = new Map<string, string>(); // model/class labels repeat: escape each once
  private chunk: string;
  private rows = 0;

  /** `pd`: the P/D transfers of an in-memory run (by request id), which add PD_CSV_COLUMNS. */
  constructor(
    deviceNames: readonly string[],
    private readonly write: (text: string) => void,
    private readonly pd?: KvTransfers,
  ) {
    this.deviceNames = deviceNames.map(csvField);
    this.chunk = `${REQUESTS_CSV_COLUMNS.join(',')}${pd ? `,${PD_CSV_COLUMNS.join(',')}` : ''}\n`;
  }

  private label(text: string | undefined): string {
    if (text === undefined) return '';
    let out = this.escaped.get(text);
    if (out === undefined) this.escaped.set(text, (out = csvField(text)));
    return out;
  }

  take(req: Request, records: RecordTable, i: number): void {
    const status = records.status[i];
    const device = records.device[i]!;
    const reason = records.rejectReason.get(i);
    let queueingDelayS = NaN, ttftS = NaN, tpotS = NaN, e2eS = NaN;
    if (status === STATUS_FINISHED) {
      const arrivalS = req.arrivalS;
      const firstS = records.firstTokenS[i]!;
      const finishS = records.finishS[i]!;
      queueingDelayS = records.startS[i]! - arrivalS;
      ttftS = firstS - arrivalS;
      if (req.outputTokens > 1) tpotS = (finishS - firstS) / (req.outputTokens - 1);
      e2eS = finishS - arrivalS;
    }
    const deadlineS = req.deadlineS;
    this.chunk +=
      `${req.id},${csvNumber(req.arrivalS)},${req.promptTokens},${req.outputTokens},${this.label(req.model)},${this.label(req.class)},` +
      `${device >= 0 ? this.deviceNames[device] : ''},${status === STATUS_FINISHED ? 'finished' : status === STATUS_REJECTED ? 'rejected' : status === STATUS_TIMED_OUT ? 'timed-out' : 'pending'},` +
      `${reason === undefined ? '' : this.label(reason)},${csvNumber(queueingDelayS)},${csvNumber(ttftS)},` +
      `${csvNumber(tpotS)},${csvNumber(e2eS)},${csvNumber(records.energyJ[i]!)},${records.preemptions[i]},${records.cachedTokens[i]},${csvNumber(records.timedOutS[i]!)},` +
      `${deadlineS === undefined ? ',' : `${csvNumber(deadlineS)},${e2eS <= deadlineS + LIMIT_SLACK_S}`}`;
    const pd = this.pd;
    if (pd) {
      const moved = !Number.isNaN(pd.startS[i]!);
      const from = pd.prefillDevice[i]!;
      this.chunk += `,${from >= 0 ? this.deviceNames[from] : ''},${moved ? csvNumber(pd.startS[i]! - pd.readyS[i]!) : ''},${moved ? csvNumber(pd.endS[i]! - pd.startS[i]!) : ''},${moved ? pd.bytes[i] : ''}`;
    }
    this.chunk += '\n';
    if (++this.rows % CHUNK_ROWS === 0) this.flush();
  }

  /** Writes the rows not yet written. */
  flush(): void {
    if (this.chunk !== '') this.write(this.chunk);
    this.chunk = '';
  }
}
