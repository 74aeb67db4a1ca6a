/**
 * Every limit llmsim puts on a count, a size, a time or a rate read from input, in one place. Each
 * is checked when the input is validated (scenario schema, trace readers, flags), so a typo such as
 * `replicas: 1e9` or `rateRps: 1e-300` is one line naming the field instead of a process that
 * allocates memory until it dies or a clock that stops advancing. They are chosen to fit the
 * project's 2-core, 24 GiB machine with room to spare (a million requests take ~0.3 GB), and are
 * listed in README.md (Limits) and in the JSON Schema descriptions.
 */

/** Requests in one workload (trace rows, synthetic arrivals, all turns of all sessions): ~3 GB of simulation state. */
export const MAX_REQUESTS = 10_000_000;
/** Turns of one chat session (each turn's prompt holds the whole conversation so far). */
export const MAX_TURNS = 1_000;
/** Prefix segments of all requests of a workload together (a session's turn k names ~2k of them): ~1 GB. */
export const MAX_PREFIX_SEGMENTS = 100_000_000;
/** Replicas of one device entry, and of the whole cluster. */
export const MAX_REPLICAS = 10_000;
/** Device entries of a cluster. */
export const MAX_DEVICE_ENTRIES = 1_000;
/** Concurrent requests of one `slots` replica. */
export const MAX_SLOTS = 65_536;
/** Sequences in one batch (maxBatchSize of batching devices). */
export const MAX_BATCH_SIZE = 65_536;
/**
 * Tokens of any one count or budget: a request's prompt or output, a batch's token budget
 * (maxBatchedTokens, chunkSize, longPrefillThreshold), maxModelLen, a KV block.
 */
export const MAX_TOKENS = 10_000_000;
/** KV-cache capacity of one replica, tokens (1e12: far above any GPU's memory, still exact in a double). */
export const MAX_KV_TOKENS = 1e12;
/** Simulated time, s: arrival times, durations, windows, deadlines, timeouts, think times (about 31.7 years; a double still resolves 0.1 us there). */
export const MAX_TIME_S = 1e9;
/** Smallest arrival rate, requests/s (one a ~11.6 days). */
export const MIN_RATE_RPS = 1e-6;
/** Largest arrival rate, requests/s. */
export const MAX_RATE_RPS = 1e7;
/** Range of `workload.rateScale`. */
export const MIN_RATE_SCALE = 1e-6;
export const MAX_RATE_SCALE = 1e6;
/** Runs of one sweep (grid points x seeds), and grid points alone. */
export const MAX_SWEEP_RUNS = 1_000_000;
export const MAX_SWEEP_POINTS = 100_000;
/** Replications (seeds) of a sweep or a comparison. */
export const MAX_SEEDS = 100_000;
export const MAX_COMPARE_SEEDS = 10_000;
/** Layers and heads of an edge model file (its shards are layers x heads, each planned). */
export const MAX_LAYERS = 1_000;
export const MAX_HEADS = 1_024;
/** Worker threads (-j). */
export const MAX_JOBS = 1_024;
/** Depth of nested mappings and lists in a YAML or JSON file, and aliases one file may expand. */
export const MAX_YAML_DEPTH = 64;
export const MAX_YAML_ALIASES = 1_000;

/** "10,000,000" for messages. */
export function fmt(n: number): string {
  return n >= 1e15 || (n > 0 && n < 1e-3) ? String(n) : n.toLocaleString('en-US');
}
/** Host memory of one replica's CPU KV tier, GiB (64 TiB: far above any server). */
export const MAX_CPU_TIER_GIB = 65_536;
/** Bandwidth of a replica's CPU <-> GPU link, GB/s (far above PCIe 6.0 x16 or NVLink-C2C). */
export const MAX_PCIE_GBPS = 10_000;
