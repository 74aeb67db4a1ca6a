/**
 * Runs a generated scenario and checks invariants that must hold for any valid scenario. Each is
 * computed here from the per-request records (not taken from the summary), then the summary is
 * checked against them:
 *
 * - conservation: every request finished, was rejected with a reason, or timed out; the summary's
 *   counts, reasons and latency counts agree with the records;
 * - causality: arrival <= start <= first token <= finish; nothing before its arrival; latencies
 *   >= 0; a time-out at arrival + timeout; a follow-up turn sent no earlier than its predecessor's
 *   end plus the think time; at most maxConcurrency requests seen in flight; requests served only
 *   by replicas of their model; slots and edge replicas never over capacity; the window inside the
 *   run and around every finish;
 * - KV within capacity (batching kinds); cached prompt tokens below the prompt;
 * - energy >= 0 everywhere, or null (NaN) only where the profile has no power or energy model,
 *   and per-request shares adding up to the busy energy;
 * - utilization in [0, 1];
 * - P/D: every KV transfer starts after its prefill ended (the first token) and its decode replica
 *   reserved room, and lands before the request joins that replica's batch; a finished request
 *   that moved ended on a decode replica, after it joined;
 * - reruns identical: the same scenario twice gives byte-identical summary JSON and requests CSV;
 *   the resolved scenario (every default written out, as `llmsim run` saves it) with fastForward
 *   false on every continuous-batching device gives the same results.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { parse, stringify } from 'yaml';
import { InputError } from '../../src/errors.js';
import { STATUS_FINISHED, STATUS_REJECTED, STATUS_TIMED_OUT } from '../../src/metrics/records.js';
import { writeRequestsCsv } from '../../src/metrics/requests-csv.js';
import { checkScenario, resolvedScenarioText } from '../../src/scenario/load.js';
import { runScenario, type ScenarioRun } from '../../src/scenario/run.js';
import { caseLocation, type FuzzCase } from './generate.js';

/** The outcome of one case. */
export interface CaseResult {
  /** ok; crash: an exception (an input error is a generator bug); violation: an invariant failed. */
  readonly status: 'ok' | 'crash' | 'violation';
  /** For a crash, the error's stack; for violations, one line each (at most 20). */
  readonly messages: readonly string[];
  /** The crash was an InputError: the generator made an invalid scenario. */
  readonly inputError?: boolean;
  /** Requests simulated (first run). */
  readonly requests?: number;
  /** What happened in the first run (preemptions, aborts, time-outs, cache hits, ...), for coverage counts. */
  readonly outcomes?: readonly string[];
}

const MAX_MESSAGES = 20;

/** Runs case `c` (three times) and checks every invariant. Never throws for the case's own faults. */
export function runCase(c: FuzzCase): CaseResult {
  let first: Run;
  try {
    first = runOnce(c, c.scenario);
  } catch (err) {
    return crash(err);
  }
  const messages: string[] = [];
  const v = (m: string) => {
    if (messages.length < MAX_MESSAGES) messages.push(m);
  };
  try {
    checkInvariants(c, first.run, v);
    checkHandoffs(first.run, v);
    checkKvTiers(first.run, v);
    checkRequestsCsv(first.run, first.csvText, v);
  } catch (err) {
    v(`the invariant checker itself failed: ${err instanceof Error ? err.stack : String(err)}`);
  }
  try {
    const again = runOnce(c, structuredClone(c.scenario));
    if (again.summaryText !== first.summaryText) v(`rerun: summary JSON differs (${firstDifference(first.summaryText, again.summaryText)})`);
    if (again.csvText !== first.csvText) v(`rerun: requests CSV differs (${firstDifference(first.csvText, again.csvText)})`);
    // The resolved scenario with every default filled in, and fast-forwarding switched. Not on a
    // device with noise: a decode run draws one noise factor for the run, single steps one each,
    // so with noise fastForward changes the random draws (see the fuzz section of the README).
    const resolved = parse(resolvedScenarioText(first.loaded)) as Record<string, any>;
    let toggled = 0;
    for (const d of resolved.cluster.devices) {
      if (d.kind === 'continuous-batching' && !d.noise) {
        d.fastForward = !d.fastForward;
        toggled++;
      }
    }
    const variant = runOnce(c, resolved);
    const label = toggled > 0 ? 'resolved scenario with fastForward flipped' : 'resolved scenario';
    if (withoutEvents(variant.summaryText) !== withoutEvents(first.summaryText)) v(`${label}: summary differs (${firstDifference(withoutEvents(first.summaryText), withoutEvents(variant.summaryText))})`);
    if (variant.csvText !== first.csvText) v(`${label}: requests CSV differs (${firstDifference(first.csvText, variant.csvText)})`);
  } catch (err) {
    return crash(err, first.run.result.requests.length);
  }
  return { status: messages.length > 0 ? 'violation' : 'ok', messages, requests: first.run.result.requests.length, outcomes: outcomesOf(first.run) };
}

interface Run {
  readonly run: ScenarioRun;
  readonly loaded: ReturnType<typeof checkScenario>;
  readonly summaryText: string;
  readonly csvText: string;
}

function runOnce(c: FuzzCase, data: unknown): Run {
  const loaded = checkScenario(data, caseLocation(c));
  const run = runScenario(loaded);
  // As `llmsim run` writes them (src/metrics/write.ts).
  const summaryText = `${JSON.stringify(run.summary, null, 2)}\n`;
  let csvText = '';
  writeRequestsCsv(run.result, (t) => (csvText += t));
  return { run, loaded, summaryText, csvText };
}

function crash(err: unknown, requests?: number): CaseResult {
  const inputError = err instanceof InputError;
  const text = err instanceof Error ? (inputError ? `InputError (a generator bug): ${err.message}` : (err.stack ?? err.message)) : String(err);
  return { status: 'crash', messages: [text], inputError, requests };
}

/** The summary text without `sim.events`, which counts engine events (fewer when fast-forwarding). */
function withoutEvents(text: string): string {
  return text.replace(/\n {4}"events": \d+,\n/, '\n');
}

function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: ${JSON.stringify(la[i]?.slice(0, 200))} vs ${JSON.stringify(lb[i]?.slice(0, 200))}`;
  }
  return 'same lines';
}

/** Relative tolerance for comparing a summary's 6-significant-digit numbers with exact ones. */
const ROUNDING = 1e-5;
const near = (summaryValue: number | null, exact: number) => summaryValue !== null && Math.abs(summaryValue - exact) <= ROUNDING * Math.max(1e-9, Math.abs(exact));

/** KV tiers: swaps conserved, the CPU tier within capacity, the summary's block the sum of the replicas'. */
function checkKvTiers(run: ScenarioRun, v: (message: string) => void): void {
  const tiered = run.result.devices.filter((d) => d.extra?.swapOuts !== undefined);
  const block = run.summary.kvTiers;
  if ((tiered.length > 0) !== (block !== undefined)) v(`kvTiers: ${tiered.length} replicas with a CPU tier but summary block ${block ? 'present' : 'absent'}`);
  let outs = 0, reloads = 0;
  for (const d of tiered) {
    const x = d.extra!;
    if (x.swapOuts !== x.swapIns! + x.swapDiscards!) v(`kvTiers: ${d.name} swapped out ${x.swapOuts} sequences, in ${x.swapIns}, discarded ${x.swapDiscards}`);
    if (!(x.cpuPeakUtilization! >= 0 && x.cpuPeakUtilization! <= 1)) v(`kvTiers: ${d.name} CPU tier peak utilization ${x.cpuPeakUtilization}`);
    if (x.swapOuts! + x.swapFallbacks! > d.preemptions) v(`kvTiers: ${d.name} has ${x.swapOuts} swap-outs and ${x.swapFallbacks} fallbacks for ${d.preemptions} preemptions`);
    if (!(x.tierTransferS! >= 0)) v(`kvTiers: ${d.name} PCIe time ${x.tierTransferS}`);
    outs += x.swapOuts!;
    reloads += x.reloadedBlocks!;
  }
  if (block && (block.swapOuts !== outs || block.reloadedBlocks !== reloads)) v(`kvTiers: summary swapOuts ${block.swapOuts}, reloadedBlocks ${block.reloadedBlocks} != replicas' ${outs}, ${reloads}`);
}

/** P/D runs: the order of every handoff (see the file comment). */
function checkHandoffs(run: ScenarioRun, v: (message: string) => void): void {
  const pd = run.result.disaggregation;
  if (!pd) return;
  const { records: r, devices } = run.result;
  const t = pd.transfers;
  for (let i = 0; i < r.size; i++) {
    if (Number.isNaN(t.startS[i]!)) continue;
    const first = r.firstTokenS[i]!;
    if (!Number.isNaN(first) && first !== t.readyS[i]) v(`P/D: request ${i} was ready to move at ${t.readyS[i]}, not at its first token ${first}`);
    if (!(t.readyS[i]! <= t.reservedS[i]! && t.reservedS[i]! <= t.startS[i]! && t.startS[i]! <= t.endS[i]!)) v(`P/D: request ${i} moved out of order: ready ${t.readyS[i]}, reserved ${t.reservedS[i]}, transfer ${t.startS[i]}..${t.endS[i]}`);
    const joined = t.decodeStartS[i]!;
    if (!Number.isNaN(joined) && !(t.endS[i]! <= joined)) v(`P/D: request ${i} joined its decode batch at ${joined}, before its KV landed at ${t.endS[i]}`);
    if (r.status[i] === STATUS_FINISHED) {
      const d = run.input.cluster.find((g) => g.name === devices[r.device[i]!]!.group);
      if (d?.role !== 'decode') v(`P/D: request ${i} moved its KV but finished on ${devices[r.device[i]!]!.name}, not a decode replica`);
      if (!(r.finishS[i]! > joined)) v(`P/D: request ${i} finished at ${r.finishS[i]} before its first decode step (joined ${joined})`);
    }
  }
}

/** Checks one run of case `c`; reports each violated invariant through `v`. */
export function checkInvariants(c: FuzzCase, run: ScenarioRun, v: (message: string) => void): void {
  const { result, summary } = run;
  const { requests, records: r, devices } = result;
  const n = requests.length;
  const byGroup = new Map(c.groups.map((g) => [g.name, g]));
  const groupOf = (device: number) => byGroup.get(devices[device]!.group);
  const maxConcurrency: number | undefined = c.scenario.workload.maxConcurrency;
  const timeoutOf = (i: number) => requests[i]!.timeoutS;
  const eps = (x: number) => 1e-9 * Math.max(1, Math.abs(x));

  if (n === 0) v('no requests: the generator must make at least one');
  let finished = 0, rejected = 0, timedOut = 0, preempted = 0, withFirstToken = 0;
  let firstArrival = Infinity, lastEnd = -Infinity, maxE2e = 0;
  let shares = 0;
  let cachedTokens = 0, promptTokens = 0;
  let withDeadline = 0, deadlineMet = 0;
  const perDevice = new Array<number>(devices.length).fill(0);
  const label = (i: number) => `request ${i}`;
  for (let i = 0; i < n; i++) {
    const q = requests[i]!;
    const arrival = q.arrivalS;
    const start = r.startS[i]!, first = r.firstTokenS[i]!, finish = r.finishS[i]!, gaveUp = r.timedOutS[i]!;
    const device = r.device[i]!;
    const started = !Number.isNaN(start);
    if (!(Number.isFinite(arrival) && arrival >= 0)) v(`${label(i)}: arrival ${arrival}, expected a finite time >= 0`);
    if (arrival < firstArrival) firstArrival = arrival;
    if (started) {
      if (!(start >= arrival)) v(`causality: ${label(i)} started at ${start} before its arrival ${arrival}`);
      if (!(device >= 0 && device < devices.length)) v(`${label(i)}: started on replica ${device}, which does not exist`);
      else if (q.model !== undefined && devices[device]!.model !== q.model) v(`routing: ${label(i)} asks for model ${q.model} but was served by ${devices[device]!.name} (model ${devices[device]!.model})`);
      const cached = r.cachedTokens[i]!;
      if (!(cached >= 0 && cached <= q.promptTokens - 1)) v(`prefix cache: ${label(i)} found ${cached} of its ${q.promptTokens} prompt tokens cached (at least one token is computed)`);
      if (cached > 0 && groupOf(device)?.caches === false) v(`prefix cache: ${label(i)} found ${cached} tokens cached on ${devices[device]!.name}, which caches no prefixes`);
      cachedTokens += cached;
      promptTokens += q.promptTokens;
    } else {
      if (r.cachedTokens[i] !== 0) v(`${label(i)}: ${r.cachedTokens[i]} cached tokens without starting`);
      if (!Number.isNaN(first)) v(`causality: ${label(i)} has a first token at ${first} but never started`);
    }
    if (!Number.isNaN(first)) {
      if (!(first >= start)) v(`causality: ${label(i)} first token at ${first} before its start ${start}`);
    }
    const e = r.energyJ[i]!;
    if (e < 0) v(`energy: ${label(i)} was charged ${e} J`);
    if (!Number.isNaN(e)) shares += e;
    else if (started && groupOf(device)?.energyKnown) v(`energy: ${label(i)} has NaN energy on ${devices[device]!.name}, whose profile has power`);
    if (r.preemptions[i]! > 0) preempted++;
    const status = r.status[i];
    if (status === STATUS_FINISHED) {
      finished++;
      if (!(started && Number.isFinite(finish))) v(`${label(i)}: finished without a start (${start}) or finish time (${finish})`);
      if (!(finish >= start)) v(`causality: ${label(i)} finished at ${finish} before its start ${start}`);
      if (!Number.isNaN(first) && !(finish >= first)) v(`causality: ${label(i)} finished at ${finish} before its first token ${first}`);
      if (!Number.isNaN(first)) withFirstToken++;
      // Continuous batching and edge pipelines record a first token; slots and static batches return whole outputs.
      const streams = devices[device]?.kind === 'continuous-batching' || devices[device]?.kind === 'edge-pipeline';
      if (streams === Number.isNaN(first)) v(`${label(i)}: finished on ${devices[device]?.name} (${devices[device]?.kind}) ${streams ? 'without' : 'with'} a first token`);
      if (!Number.isNaN(gaveUp)) v(`${label(i)}: finished and timed out (${gaveUp})`);
      if (r.rejectReason.has(i)) v(`${label(i)}: finished with a reject reason`);
      const timeout = timeoutOf(i);
      if (timeout !== undefined && finish > arrival + timeout + eps(arrival + timeout)) v(`timeout: ${label(i)} finished at ${finish}, after its client gave up at ${arrival + timeout}`);
      if (finish > lastEnd) lastEnd = finish;
      if (finish - arrival > maxE2e) maxE2e = finish - arrival;
      if (device >= 0 && device < devices.length) perDevice[device]!++;
    } else if (status === STATUS_REJECTED) {
      rejected++;
      const reason = r.rejectReason.get(i);
      if (!(typeof reason === 'string' && reason.length > 0)) v(`${label(i)}: rejected without a reason`);
      if (!Number.isNaN(finish) || !Number.isNaN(gaveUp)) v(`${label(i)}: rejected with a finish (${finish}) or time-out (${gaveUp}) time`);
    } else if (status === STATUS_TIMED_OUT) {
      timedOut++;
      const timeout = timeoutOf(i);
      if (timeout === undefined) v(`${label(i)}: timed out without a timeout`);
      else if (!(Math.abs(gaveUp - (arrival + timeout)) <= eps(arrival + timeout))) v(`timeout: ${label(i)} timed out at ${gaveUp}, expected its arrival ${arrival} + ${timeout}`);
      if (!Number.isNaN(finish)) v(`${label(i)}: timed out with a finish time ${finish}`);
      if (r.rejectReason.has(i)) v(`${label(i)}: timed out with a reject reason`);
      if (gaveUp > lastEnd) lastEnd = gaveUp;
    } else v(`conservation: ${label(i)} neither finished, was rejected nor timed out (status ${status})`);
    if (q.deadlineS !== undefined) {
      withDeadline++;
      if (status === STATUS_FINISHED && finish - arrival <= q.deadlineS) deadlineMet++;
    }
    // Closed loop: a turn is sent a think time after the turn before it ended, never sooner.
    if (q.followUp) {
      const p = q.followUp.after;
      const endOfP = r.status[p] === STATUS_FINISHED ? r.finishS[p]! : r.status[p] === STATUS_TIMED_OUT ? r.timedOutS[p]! : requests[p]!.arrivalS;
      if (!(arrival >= endOfP + q.followUp.thinkS - eps(endOfP + q.followUp.thinkS))) v(`closed loop: ${label(i)} arrived at ${arrival}, before turn ${p} ended (${endOfP}) plus think time ${q.followUp.thinkS}`);
      if (maxConcurrency === undefined && r.status[p] === STATUS_FINISHED && arrival !== Math.max(r.finishS[p]!, r.finishS[p]! + q.followUp.thinkS)) {
        v(`closed loop: ${label(i)} arrived at ${arrival}, expected turn ${p}'s finish ${r.finishS[p]} + think time ${q.followUp.thinkS}`);
      }
    }
  }

  // Conservation, and the summary agrees with the records.
  const sr = summary.requests;
  if (finished + rejected + timedOut !== n) v(`conservation: ${finished} finished + ${rejected} rejected + ${timedOut} timed out != ${n} requests`);
  if (sr.total !== n || sr.finished !== finished || sr.rejected !== rejected || sr.timedOut !== timedOut || sr.pending !== 0 || sr.preempted !== preempted) {
    v(`summary.requests ${JSON.stringify({ total: sr.total, finished: sr.finished, rejected: sr.rejected, timedOut: sr.timedOut, pending: sr.pending, preempted: sr.preempted })} != records ${JSON.stringify({ total: n, finished, rejected, timedOut, pending: 0, preempted })}`);
  }
  const reasons = sr.rejectReasons.reduce((a, x) => a + x.count, 0);
  if (reasons !== rejected) v(`summary.requests.rejectReasons count ${reasons} != ${rejected} rejected`);
  const lat = summary.latency;
  if (lat.e2eS.count !== finished || lat.queueingDelayS.count !== finished) v(`summary.latency counts (e2e ${lat.e2eS.count}, queueing ${lat.queueingDelayS.count}) != ${finished} finished`);
  if (lat.ttftS.count !== withFirstToken) v(`summary.latency.ttftS.count ${lat.ttftS.count} != ${withFirstToken} finished requests with a first token`);
  if (finished > 0 && !near(lat.e2eS.max, maxE2e)) v(`summary.latency.e2eS.max ${lat.e2eS.max} != ${maxE2e}`);
  for (const [k, d] of Object.entries(lat)) {
    for (const [stat, x] of Object.entries(d)) if (typeof x === 'number' && stat !== 'count' && !(x >= 0)) v(`summary.latency.${k}.${stat} = ${x} < 0`);
  }
  if (perDevice.some((count, d) => count !== devices[d]!.finished)) v(`devices' finished counts ${devices.map((d) => d.finished).join(',')} != records ${perDevice.join(',')}`);
  const groupFinished = summary.groups.reduce((a, g) => a + g.finished, 0);
  if (groupFinished !== finished) v(`summary.groups finished ${groupFinished} != ${finished}`);
  if (summary.goodput.requests > finished) v(`goodput ${summary.goodput.requests} > ${finished} finished`);
  const dl = summary.deadlines;
  if (dl.withDeadline !== withDeadline || dl.met !== deadlineMet || dl.met + dl.missed !== dl.withDeadline) v(`summary.deadlines ${JSON.stringify(dl)} != records (with ${withDeadline}, met ${deadlineMet})`);

  // The window: first arrival to last finish or time-out (later only when a request that started
  // ended otherwise: its replica served it until it dropped it or ran it to its end), inside the run.
  const w = result.window;
  if (n > 0 && w.startS !== firstArrival) v(`window.startS ${w.startS} != first arrival ${firstArrival}`);
  const expectedEnd = Math.max(w.startS, lastEnd);
  const startedUnfinished = requests.some((_, i) => !Number.isNaN(r.startS[i]!) && r.status[i] !== STATUS_FINISHED);
  if (n > 0 && (startedUnfinished ? !(w.endS >= expectedEnd) : w.endS !== expectedEnd)) v(`window.endS ${w.endS} != last finish or time-out ${expectedEnd}`);
  if (!(w.startS <= w.endS && w.endS <= result.endS)) v(`window [${w.startS}, ${w.endS}] not inside the run [0, ${result.endS}]`);
  if (!(Number.isFinite(result.endS) && result.endS >= 0)) v(`run end ${result.endS}`);

  // Client concurrency: requests seen in flight (from arrival to a known end) never exceed the limit.
  if (maxConcurrency !== undefined) {
    const events: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const end = r.status[i] === STATUS_FINISHED ? r.finishS[i]! : r.status[i] === STATUS_TIMED_OUT ? r.timedOutS[i]! : NaN;
      if (Number.isNaN(end)) continue; // a rejection's time is not recorded: left out, so this is a lower bound
      events.push([requests[i]!.arrivalS, 1], [end, -1]);
    }
    // An end at t frees its slot for an arrival at t.
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let inFlight = 0;
    for (const [t, d] of events) {
      inFlight += d;
      if (inFlight > maxConcurrency) {
        v(`maxConcurrency: ${inFlight} requests in flight at ${t}, limit ${maxConcurrency}`);
        break;
      }
    }
  }

  // Replicas that serve requests whole never hold more than their capacity at once.
  devices.forEach((d, index) => {
    const g = byGroup.get(d.group);
    if (!g || g.capacity === 0) return;
    const events: [number, number][] = [];
    for (let i = 0; i < n; i++) if (r.device[i] === index && r.status[i] === STATUS_FINISHED) events.push([r.startS[i]!, 1], [r.finishS[i]!, -1]);
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let busy = 0;
    for (const [t, delta] of events) {
      busy += delta;
      if (busy > g.capacity) {
        v(`capacity: ${d.name} served ${busy} requests at once at ${t}, capacity ${g.capacity}`);
        break;
      }
    }
  });

  // Devices: KV, energy, utilization.
  let busyEnergy = 0;
  let allEnergyKnown = true;
  devices.forEach((d, i) => {
    const g = byGroup.get(d.group);
    if (!g) v(`${d.name}: group ${d.group} is not in the scenario`);
    if ((d.kind === 'continuous-batching' || d.kind === 'static-batching') && !(d.peakKvTokens <= d.kvCapacityTokens)) v(`KV: ${d.name} peaked at ${d.peakKvTokens} tokens, capacity ${d.kvCapacityTokens}`);
    if (!(Number.isFinite(d.busyS) && d.busyS >= 0)) v(`${d.name}: busyS ${d.busyS}`);
    for (const [k, x] of [['busyEnergyJ', d.busyEnergyJ], ['idleEnergyJ', d.idleEnergyJ]] as const) {
      if (x < 0 || x === Infinity || x === -Infinity) v(`energy: ${d.name} ${k} = ${x}`);
      if (Number.isNaN(x) && g?.energyKnown) v(`energy: ${d.name} ${k} is NaN, but its profile has power`);
    }
    if (g && !g.energyKnown) allEnergyKnown = false;
    busyEnergy += d.busyEnergyJ;
    const s = summary.devices[i]!;
    if (s.utilization !== null && !(s.utilization >= 0 && s.utilization <= 1)) v(`utilization: ${d.name} ${s.utilization} (busy ${d.busyS} s over a window of ${w.endS - w.startS} s)`);
    if (s.energyJ !== null && !(s.energyJ >= 0)) v(`energy: ${d.name} summary energyJ ${s.energyJ}`);
    if (s.energyJ === null && g?.energyKnown) v(`energy: ${d.name} summary energyJ is null, but its profile has power`);
  });
  for (const g of summary.groups) {
    if (g.utilization !== null && !(g.utilization >= 0 && g.utilization <= 1)) v(`utilization: group ${g.group} ${g.utilization}`);
    if (g.energyJ !== null && !(g.energyJ >= 0)) v(`energy: group ${g.group} energyJ ${g.energyJ}`);
  }
  const en = summary.energy;
  for (const [k, x] of Object.entries(en)) if (typeof x === 'number' && !(x >= 0)) v(`energy: summary.energy.${k} = ${x}`);
  if (allEnergyKnown && (en.totalJ === null || en.busyJ === null || en.idleJ === null)) v(`energy: summary.energy totals null (${en.totalJ}, ${en.busyJ}, ${en.idleJ}) though every group's profile has power`);
  // Per-request shares of busy energy add up to the devices' busy energy.
  if (allEnergyKnown && Number.isFinite(busyEnergy) && Math.abs(shares - busyEnergy) > 1e-6 * Math.max(1, busyEnergy)) v(`energy: request shares sum to ${shares} J, devices' busy energy is ${busyEnergy} J`);

  // Prefix cache and throughput.
  const pc = summary.prefixCache;
  if (pc.cachedTokens !== cachedTokens || pc.promptTokens !== promptTokens) v(`summary.prefixCache ${pc.cachedTokens}/${pc.promptTokens} != records ${cachedTokens}/${promptTokens}`);
  if (pc.hitRate !== null && !(pc.hitRate >= 0 && pc.hitRate <= 1)) v(`summary.prefixCache.hitRate ${pc.hitRate}`);
  for (const [k, x] of Object.entries(summary.throughput)) if (x !== null && !(x >= 0)) v(`summary.throughput.${k} = ${x}`);
}

/** requests.csv, read back as a user's tools would: one row per request, each saying what the records say. */
function checkRequestsCsv(run: ScenarioRun, text: string, v: (message: string) => void): void {
  const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
  const { records: r, requests } = run.result;
  if (rows.length !== requests.length) {
    v(`requests.csv: ${rows.length} rows for ${requests.length} requests`);
    return;
  }
  const statusName = (s: number) => (s === STATUS_FINISHED ? 'finished' : s === STATUS_REJECTED ? 'rejected' : s === STATUS_TIMED_OUT ? 'timed-out' : 'pending');
  rows.forEach((row, i) => {
    const problem = (m: string) => v(`requests.csv row ${i + 1}: ${m}`);
    if (row.id !== String(i)) problem(`id ${row.id}`);
    if (row.status !== statusName(r.status[i]!)) problem(`status ${row.status}, records say ${statusName(r.status[i]!)}`);
    if ((row.status === 'rejected') !== (row.reject_reason !== '')) problem(`status ${row.status} with reject_reason "${row.reject_reason}"`);
    if ((row.status === 'timed-out') !== (row.timed_out_s !== '')) problem(`status ${row.status} with timed_out_s "${row.timed_out_s}"`);
    if ((row.status === 'finished') !== (row.e2e_s !== '')) problem(`status ${row.status} with e2e_s "${row.e2e_s}"`);
    for (const col of ['arrival_s', 'queueing_delay_s', 'ttft_s', 'tpot_s', 'e2e_s', 'energy_j', 'timed_out_s']) {
      const cell = row[col]!;
      if (cell !== '' && !(Number(cell) >= 0)) problem(`${col} = ${cell}`);
    }
  });
}

/** Labels of what happened in a run: which ends requests met and which mechanisms were exercised. */
function outcomesOf(run: ScenarioRun): string[] {
  const { records: r, devices } = run.result;
  const out = new Set<string>();
  for (let i = 0; i < r.size; i++) {
    const status = r.status[i];
    if (status === STATUS_FINISHED) out.add('finished');
    else if (status === STATUS_TIMED_OUT) out.add(Number.isNaN(r.startS[i]!) ? 'timed-out-queued' : 'timed-out-in-service');
    else if (status === STATUS_REJECTED) out.add(r.rejectReason.get(i)!.startsWith('aborted:') ? 'aborted' : 'rejected');
    if (r.preemptions[i]! > 0) out.add('preempted');
    if (r.cachedTokens[i]! > 0) out.add('prefix-cache-hit');
  }
  if (devices.some((d) => d.clampedCount > 0)) out.add('clamped');
  if (devices.some((d) => (d.extra?.swapIns ?? 0) > 0)) out.add('kv-swapped');
  if (devices.some((d) => (d.extra?.reloadedBlocks ?? 0) > 0)) out.add('kv-reloaded');
  if (devices.some((d) => Number.isNaN(d.busyEnergyJ))) out.add('energy-unknown');
  if (run.summary.goodput.requests > 0) out.add('goodput');
  return [...out].sort();
}

/** The case as YAML (relative paths from the repository root), with a header saying how to replay it. */
export function caseYaml(c: FuzzCase): string {
  return `# llmsim fuzz case: seed ${c.seed}, index ${c.index} (npm run fuzz -- --seed ${c.seed} --case ${c.index})\n# Paths are relative to the repository root: save this there as fuzz-case.yaml and run npx llmsim run fuzz-case.yaml\n${stringify(c.scenario, { lineWidth: 0 })}`;
}
