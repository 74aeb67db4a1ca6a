import type { SimResult } from '../simulation/result.js';
import type { RequestSink } from '../simulation/stream.js';
import type { KvTransfers } from '../disaggregation/handoff.js';
import type { Request } from '../workload/request.js';
import { STATUS_FINISHED, STATUS_REJECTED, STATUS_TIMED_OUT, type RecordTable } from './records.js';
import { LIMIT_SLACK_S } from './request-metrics.js';
import { CSV_DIGITS, csvNumber } from './round.js';

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

// Bytes per chunk handed to `write`: ~1 MB, few syscalls, bounded memory.
const CHUNK_BYTES = 1 << 20;
// Room kept for one row's numbers and separators (19 + 4 fields of at most ~25 bytes), labels apart.
const ROW_RESERVE = 1024;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * RFC 4180 field: quoted (inner quotes doubled) only when it holds a comma, quote or line break.
 * Hand-written because only the few free-text fields need it and csv-stringify's per-field
 * machinery would cost more than the rest of the row.
 */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A chunk of a file being written: text, or UTF-8 bytes (valid only during the call that receives them). */
export type WriteChunk = (chunk: string | Uint8Array) => void;

/** Streams requests.csv (header + one row per request, `\n` line ends) to `write` in chunks. */
export function writeRequestsCsv(result: SimResult, write: WriteChunk): void {
  const { requests, records } = result;
  const rows = new RequestsCsvRows(result.devices.map((d) => d.name), write, result.disaggregation?.transfers);
  for (let i = 0; i < requests.length; i++) rows.take(requests[i]!, records, i);
  rows.flush();
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const STATUS_BYTES: readonly Uint8Array[] = ['pending', 'finished', 'rejected', 'timed-out'].map(utf8);
const STATUS_INDEX = (status: number | undefined): number => (status === STATUS_FINISHED ? 1 : status === STATUS_REJECTED ? 2 : status === STATUS_TIMED_OUT ? 3 : 0);
const TRUE = utf8('true');
const FALSE = utf8('false');
const EMPTY = new Uint8Array(0);
const COMMA = 44;
// Exact powers of ten, as in csvNumber.
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Rows as UTF-8 bytes in a buffer: numbers are written digit by digit (no string per number), labels
 * copied from their bytes, encoded once. Each number is written exactly as `csvNumber` (reals) or
 * `String` (counts) prints it, so the file is the same, byte for byte, as joining those strings.
 */
export class CsvBytes {
  buf: Buffer;
  pos = 0;

  /** `size`: bytes per chunk (callers `reserve` room before writing). */
  constructor(size = CHUNK_BYTES) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `bytes` more, handing the bytes so far to `write` when the buffer is full. */
  reserve(bytes: number, write: WriteChunk): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.flush(write);
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  flush(write: WriteChunk): void {
    if (this.pos === 0) return;
    write(this.buf.subarray(0, this.pos));
    // A fresh buffer: the receiver may keep what it was given.
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (n < 16) for (let i = 0; i < n; i++) this.buf[this.pos++] = b[i]!;
    else (this.buf.set(b, this.pos), (this.pos += n));
  }

  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }

  /** `String(n)` for a count. */
  count(n: number): void {
    if (n >= 0 && n <= 0x7fffffff && n === Math.floor(n)) this.digits(n, 0);
    else this.ascii(String(n));
  }

  /** `csvNumber(x)`: empty where undefined, else the value rounded to CSV_DIGITS significant digits. */
  real(x: number): void {
    if (!Number.isFinite(x)) return;
    if (x === 0) {
      this.buf[this.pos++] = 48;
      return;
    }
    const a = x < 0 ? -x : x;
    // Outside csvNumber's integer path (where JavaScript may print an exponent): its own text.
    if (!(a >= 1e-6 && a < 1e9)) return this.ascii(csvNumber(x));
    let fraction = CSV_DIGITS - 1 - Math.floor(Math.log10(a)); // as in csvNumber: 0..14 here
    let m = Math.round(a * POW10[fraction]!);
    while (fraction > 0 && m % 10 === 0) (m /= 10), fraction--; // exact: m is an integer below 2^53
    if (x < 0) this.buf[this.pos++] = 45;
    this.digits(m, fraction);
  }

  /** The integer `m` (0 <= m < 2^53) with a decimal point `fraction` digits from its right (leading `0.` and zeros as needed). */
  private digits(m: number, fraction: number): void {
    let n = 1;
    while (n < 22 && m >= POW10[n]!) n++;
    const buf = this.buf;
    if (n <= fraction) {
      buf[this.pos++] = 48;
      buf[this.pos++] = 46;
      n = fraction; // all digits after the point, the leading ones zeros
    }
    const width = n > fraction && fraction > 0 ? n + 1 : n;
    let at = this.pos + width - 1;
    for (let k = 0; k < n; k++) {
      if (k === fraction && k > 0) buf[at--] = 46;
      const q = Math.floor(m / 10);
      buf[at--] = 48 + m - q * 10;
      m = q;
    }
    this.pos += width;
  }
}

export class RequestsCsvRows implements RequestSink {
  private readonly deviceNames: Uint8Array[];
  private readonly escaped = new Map<string, Uint8Array>(); // model/class/reason labels repeat: escape and encode each once
  private readonly out = new CsvBytes();

  /** `pd`: the P/D transfers of an in-memory run (by request id), which add PD_CSV_COLUMNS. */
  constructor(
    deviceNames: readonly string[],
    private readonly write: WriteChunk,
    private readonly pd?: KvTransfers,
  ) {
    this.deviceNames = deviceNames.map((name) => utf8(csvField(name)));
    this.out.bytes(utf8(`${REQUESTS_CSV_COLUMNS.join(',')}${pd ? `,${PD_CSV_COLUMNS.join(',')}` : ''}\n`));
  }

  private label(text: string | undefined): Uint8Array {
    if (text === undefined) return EMPTY;
    let out = this.escaped.get(text);
    if (out === undefined) this.escaped.set(text, (out = utf8(csvField(text))));
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
    const model = this.label(req.model);
    const cls = this.label(req.class);
    const name = device >= 0 ? this.deviceNames[device]! : EMPTY;
    const why = reason === undefined ? EMPTY : this.label(reason);
    const pd = this.pd;
    const from = pd ? pd.prefillDevice[i]! : -1;
    const fromName = from >= 0 ? this.deviceNames[from]! : EMPTY;
    const out = this.out;
    out.reserve(ROW_RESERVE + model.length + cls.length + name.length + why.length + fromName.length, this.write);
    const buf = out.buf;
    out.count(req.id);
    buf[out.pos++] = COMMA;
    out.real(req.arrivalS);
    buf[out.pos++] = COMMA;
    out.count(req.promptTokens);
    buf[out.pos++] = COMMA;
    out.count(req.outputTokens);
    buf[out.pos++] = COMMA;
    out.bytes(model);
    buf[out.pos++] = COMMA;
    out.bytes(cls);
    buf[out.pos++] = COMMA;
    out.bytes(name);
    buf[out.pos++] = COMMA;
    out.bytes(STATUS_BYTES[STATUS_INDEX(status)]!);
    buf[out.pos++] = COMMA;
    out.bytes(why);
    buf[out.pos++] = COMMA;
    out.real(queueingDelayS);
    buf[out.pos++] = COMMA;
    out.real(ttftS);
    buf[out.pos++] = COMMA;
    out.real(tpotS);
    buf[out.pos++] = COMMA;
    out.real(e2eS);
    buf[out.pos++] = COMMA;
    out.real(records.energyJ[i]!);
    buf[out.pos++] = COMMA;
    out.count(records.preemptions[i]!);
    buf[out.pos++] = COMMA;
    out.count(records.cachedTokens[i]!);
    buf[out.pos++] = COMMA;
    // NaN (an empty field) when the column was never made: nothing timed out.
    out.real(records.hasTimedOutS ? records.timedOutS[i]! : NaN);
    buf[out.pos++] = COMMA;
    const deadlineS = req.deadlineS;
    if (deadlineS !== undefined) {
      out.real(deadlineS);
      buf[out.pos++] = COMMA;
      out.bytes(e2eS <= deadlineS + LIMIT_SLACK_S ? TRUE : FALSE);
    } else buf[out.pos++] = COMMA;
    if (pd) {
      const moved = !Number.isNaN(pd.startS[i]!);
      buf[out.pos++] = COMMA;
      out.bytes(fromName);
      buf[out.pos++] = COMMA;
      if (moved) out.real(pd.startS[i]! - pd.readyS[i]!);
      buf[out.pos++] = COMMA;
      if (moved) out.real(pd.endS[i]! - pd.startS[i]!);
      buf[out.pos++] = COMMA;
      if (moved) out.count(pd.bytes[i]!);
    }
    buf[out.pos++] = 10;
  }

  /** Writes the rows not yet written. */
  flush(): void {
    this.out.flush(this.write);
  }
}
