/**
 * Loading a sharded model file (profiles/edge/*.yaml): YAML -> zod validation -> cross-field
 * checks with line numbers -> expansion of the shape into per-shard bytes, compute times and
 * importance.
 */
import { InputError } from '../errors.js';
import { formatPath, validate } from '../util/validate.js';
import { loadYamlFile, parseYaml, type SourceDoc } from '../util/yaml-file.js';
import { defineShardedModel, type ShardedModel } from './model.js';
import { shardedModelFileSchema, type ShardedModelFile } from './model-schema.js';
import { shardBytes, shardParams, type TransformerShape } from './shape.js';

/** Reads, validates and expands a sharded model file; problems are InputErrors with file and line. */
export function loadShardedModel(file: string): ShardedModel {
  return fromSource(loadYamlFile(file, 'sharded model file'));
}

/** Same as loadShardedModel, from text (`file` is used in messages only). */
export function parseShardedModel(text: string, file: string): ShardedModel {
  return fromSource(parseYaml(text, file));
}

function fromSource(doc: SourceDoc): ShardedModel {
  const spec = validate(shardedModelFileSchema, doc.data, doc);
  checkCrossFields(spec, doc);
  return expandShardedModel(spec);
}

/**
 * Synthetic importance of shard (layer l, head h) - NOT a measurement: no per-shard importance
 * table of a real model is available to us. STI profiles importance per shard; we stand in with
 * importance falling geometrically with depth (depthDecay^l) times a fixed, deterministic spread
 * across heads, so that heads of one layer differ and importance-ordered upgrades are exercised.
 */
export function syntheticImportance(layer: number, head: number, heads: number, depthDecay: number, headSpread: number): number {
  // (7h + 3l) mod M permutes heads whenever gcd(7, M) = 1, shifting the order from layer to layer.
  const rank = heads === 1 ? 0.5 : ((7 * head + 3 * layer) % heads) / (heads - 1);
  return Math.pow(depthDecay, layer) * (1 + headSpread * (rank - 0.5));
}

/** Expands a validated file into a ShardedModel (shapes, bytes, FLOPs -> seconds, importance). */
export function expandShardedModel(spec: ShardedModelFile): ShardedModel {
  const { shape, storage, compute, accuracy } = spec;
  const tshape: TransformerShape = { ...shape, kvHeads: shape.kvHeads ?? shape.heads };
  const params = shardParams(tshape);
  const m = shape.heads;
  const flopsPerS = compute.peakFlopsPerS * compute.utilization;
  const importance = spec.importance;
  const bytesByBit = storage.bitWidths.map((bits) => shardBytes(params, bits, storage.groupSize, storage.metadataBytesPerGroup, storage.vectorBytesPerParam));
  return defineShardedModel({
    name: spec.name,
    layers: shape.layers,
    shardsPerLayer: m,
    bitWidths: storage.bitWidths,
    bytes: (_s, b) => bytesByBit[b]!,
    // shardFlops(L) = 2*L*matrixParams + 4*L^2*headDim, divided by the effective FLOP rate.
    compute: () => [0, (2 * params.matrixParams) / flopsPerS, (4 * params.headDim) / flopsPerS],
    importance: (s) => {
      const layer = Math.floor(s / m);
      const head = s % m;
      if ('table' in importance) return importance.table[layer]![head]!;
      return syntheticImportance(layer, head, m, importance.synthetic.depthDecay, importance.synthetic.headSpread);
    },
    maxSeqLen: shape.maxSeqLen,
    accuracy: {
      metric: accuracy.metric,
      fullPrecision: accuracy.fullPrecision,
      chance: accuracy.chance,
      omitted: accuracy.omitted,
      degradation: storage.bitWidths.map((bits) => accuracy.degradation[String(bits)]!),
    },
    computeDevice: compute.device,
    computePowerW: compute.powerW,
  });
}

function checkCrossFields(spec: ShardedModelFile, doc: SourceDoc): void {
  // `at` is where to look for the line: numeric YAML keys (degradation's 2, 3, ...) are found by number.
  const fail = (path: PropertyKey[], message: string, at: PropertyKey[] = path): never => {
    const pos = doc.locate(at);
    throw new InputError({ file: doc.file, line: pos?.line, column: pos?.column, field: formatPath(path) }, message);
  };
  const { shape, storage, accuracy } = spec;
  const bits = storage.bitWidths;
  for (let i = 1; i < bits.length; i++) {
    if (!(bits[i]! > bits[i - 1]!)) fail(['storage', 'bitWidths', i], `expected bit-widths in strictly increasing order, found ${bits[i]} after ${bits[i - 1]}`);
  }
  if (bits[bits.length - 1] !== 32) fail(['storage', 'bitWidths'], `expected the list to end with 32 (full precision, used by the baselines), found [${bits.join(', ')}]`);
  const kvHeads = shape.kvHeads ?? shape.heads;
  if (shape.hiddenSize % shape.heads !== 0) fail(['shape', 'hiddenSize'], `expected a multiple of heads (${shape.heads}), found ${shape.hiddenSize}`);
  if (shape.ffnSize % shape.heads !== 0) fail(['shape', 'ffnSize'], `expected a multiple of heads (${shape.heads}) so each shard gets an equal FFN slice, found ${shape.ffnSize}`);
  if (kvHeads > shape.heads || shape.heads % kvHeads !== 0) fail(['shape', 'kvHeads'], `expected a divisor of heads (${shape.heads}), found ${kvHeads}`);
  for (const b of bits) {
    if (accuracy.degradation[String(b)] === undefined) fail(['accuracy', 'degradation'], `expected a loss fraction for every bit-width in storage.bitWidths, found none for ${b}`);
  }
  for (const key of Object.keys(accuracy.degradation)) {
    if (!bits.includes(Number(key))) fail(['accuracy', 'degradation', key], `expected a key among the bit-widths [${bits.join(', ')}], found ${key}`, ['accuracy', 'degradation', Number(key)]);
  }
  for (let i = 1; i < bits.length; i++) {
    const lo = accuracy.degradation[String(bits[i - 1])]!;
    const hi = accuracy.degradation[String(bits[i])]!;
    if (hi > lo) fail(['accuracy', 'degradation', String(bits[i])], `expected loss not to grow with bits, found ${hi} at ${bits[i]} bits > ${lo} at ${bits[i - 1]} bits`, ['accuracy', 'degradation', bits[i]!]);
  }
  if (accuracy.degradation['32'] !== 0) fail(['accuracy', 'degradation', '32'], `expected 0 loss at 32 bits (full precision), found ${accuracy.degradation['32']}`, ['accuracy', 'degradation', 32]);
  if (accuracy.omitted < accuracy.degradation[String(bits[0])]!) fail(['accuracy', 'omitted'], `expected an omitted shard to lose at least as much as the lowest bit-width (${accuracy.degradation[String(bits[0])]}), found ${accuracy.omitted}`);
  if (!(accuracy.fullPrecision >= accuracy.chance)) fail(['accuracy', 'fullPrecision'], `expected >= chance (${accuracy.chance}), found ${accuracy.fullPrecision}`);
  if ('table' in spec.importance) {
    const table = spec.importance.table;
    if (table.length !== shape.layers) fail(['importance', 'table'], `expected ${shape.layers} rows (one per layer), found ${table.length}`);
    table.forEach((row, l) => {
      if (row.length !== shape.heads) fail(['importance', 'table', l], `expected ${shape.heads} values (one per shard), found ${row.length}`);
    });
    if (!table.some((row) => row.some((v) => v > 0))) fail(['importance', 'table'], 'expected at least one positive importance, found all zeros');
  }
}
