/**
 * One comparison over several runners (an Actions matrix): shard i of n evaluates only its part of
 * the eval set and writes its per-sample predictions to a shard record; merging the records gives
 * back exactly the run an unsharded compare makes, from which the same report is built.
 *
 * Samples go to shards by a hash of their id, so the split is stable across runs and machines and
 * independent of file order. Rect batches (yolo val) go whole: a batch's shape depends on all of
 * its images, so the batch is the unit, placed by its first image's id. Latency is measured in
 * shard 1 only, never averaged across machines.
 */
import { createHash } from 'node:crypto';
import type { ShardSpec } from '../config/shard.js';
import type { Config } from '../config/types.js';
import type { EvalSample } from '../contracts/task.js';
import { UserError } from '../errors.js';
import type { ResolvedDecodeSpec } from '../preprocess/index.js';
import type { EvaluatedModel, Evaluation } from './evaluate.js';

export type { ShardSpec } from '../config/shard.js';

/** The shard that measures latency. */
export const LATENCY_SHARD = 1;

/** 1-based shard of a sample id: the first 32 bits of sha256(id), modulo count. */
export function shardOfId(id: string, count: number): number {
  return (createHash('sha256').update(id).digest().readUInt32BE(0) % count) + 1;
}

/** The sample indices shard `shard` evaluates. */
export function shardSamples(samples: readonly EvalSample<unknown>[], specs: readonly ResolvedDecodeSpec[], shard: ShardSpec): Set<number> {
  const batches = specs.find((s) => s.rectBatches)?.rectBatches;
  const mine = new Set<number>();
  if (batches) {
    for (let start = 0; start < batches.order.length; start += batches.batchSize) {
      const batch = batches.order.slice(start, start + batches.batchSize);
      if (shardOfId(samples[batch[0]].id, shard.count) === shard.index) for (const i of batch) mine.add(i);
    }
    return mine;
  }
  samples.forEach((s, i) => {
    if (shardOfId(s.id, shard.count) === shard.index) mine.add(i);
  });
  return mine;
}

/**
 * What must be equal for shards to merge: the config as it decides results (not where files go,
 * how progress shows, how many decode workers or how much memory a machine had).
 */
export function configDigest(config: Config): string {
  const { output: _o, cacheDir: _c, progress: _p, configPath: _cp, shard: _s, ...rest } = config;
  const { workers: _w, ...preprocess } = rest.preprocess;
  const { memoryBudget: _m, ...inference } = rest.inference;
  // Paths differ between runners (as does how they were written, kept for messages); the eval
  // set (and calibration set) are pinned by sha256 instead.
  const { source: _es, written: _ew, ...evalSet } = rest.eval;
  const calibration = rest.quantization.calibration ? { ...rest.quantization.calibration, source: null, written: null } : null;
  const decided = { ...rest, eval: evalSet, preprocess, inference, quantization: { ...rest.quantization, calibration } };
  return createHash('sha256').update(JSON.stringify(decided)).digest('hex');
}

/** A shard's part of one run: its samples' predictions, in `sampleIds` order. */
export interface ShardRecord {
  readonly kind: 'model-gate-shard';
  readonly schemaVersion: 1;
  readonly shard: ShardSpec;
  readonly task: string;
  readonly configDigest: string;
  readonly evalSet: { readonly source: string; readonly sha256: string | null; readonly samples: number };
  readonly sampleIds: readonly string[];
  /** true in the shard that measured latency (its evaluation carries the latency samples). */
  readonly latencyMeasured: boolean;
  /** The machine the shard ran on, for the report's word on where latency was measured. */
  readonly machine: string;
  readonly evaluation: Evaluation;
  /** Per compared pair: [baseline, candidate] indices into evaluation.models. */
  readonly pairs: readonly (readonly [number, number])[];
}

/** The evaluation with every per-sample array cut down to this shard's samples. */
export function shardRecord(input: {
  config: Config;
  shard: ShardSpec;
  samples: readonly EvalSample<unknown>[];
  evalSet: ShardRecord['evalSet'];
  evaluation: Evaluation;
  included: ReadonlySet<number>;
  pairs: ShardRecord['pairs'];
  machine: string;
}): ShardRecord {
  const indices = [...input.included].sort((a, b) => a - b);
  const pick = (predictions: readonly unknown[] | null) => (predictions ? indices.map((i) => predictions[i]) : null);
  const models = input.evaluation.models.map((m): EvaluatedModel => ({
    ...m,
    fp32: { ...m.fp32, predictions: pick(m.fp32.predictions) as unknown[] },
    int8: m.int8 ? { variant: m.int8.variant, result: m.int8.result ? { ...m.int8.result, predictions: pick(m.int8.result.predictions) as unknown[] } : null } : null,
    variants: m.variants.map((v) => ({ ...v, predictions: pick(v.predictions) })),
  }));
  return {
    kind: 'model-gate-shard',
    schemaVersion: 1,
    shard: input.shard,
    task: input.config.task,
    configDigest: configDigest(input.config),
    evalSet: input.evalSet,
    sampleIds: indices.map((i) => input.samples[i].id),
    latencyMeasured: input.shard.index === LATENCY_SHARD,
    machine: input.machine,
    evaluation: { ...input.evaluation, models },
    pairs: input.pairs,
  };
}

const sameFile = (a: { sha256: string } | null | undefined, b: { sha256: string } | null | undefined) => (a?.sha256 ?? null) === (b?.sha256 ?? null);

/** Refuses shards that are not one run's parts; the message names what differs and which shard. */
function checkShards(records: readonly ShardRecord[], config: Config, samples: readonly EvalSample<unknown>[], evalSha256: string | null): void {
  if (records.length === 0) throw new UserError('merge: no shard records given');
  const first = records[0];
  for (const r of records) {
    const where = `shard ${r.shard.index}/${r.shard.count}`;
    if (r.kind !== 'model-gate-shard' || r.schemaVersion !== 1) throw new UserError(`merge: ${where} is not a model-gate shard record (schemaVersion 1)`);
    if (r.shard.count !== first.shard.count) throw new UserError(`merge: shard counts differ: shard ${first.shard.index}/${first.shard.count} and ${where}`);
    if (r.evalSet.sha256 !== evalSha256) throw new UserError(`merge: ${where} evaluated eval set sha256 ${r.evalSet.sha256 ?? 'none'}, not ${evalSha256 ?? 'none'} (the config's)`);
    if (r.configDigest !== configDigest(config)) throw new UserError(`merge: ${where} ran with a different config than ${config.configPath ?? 'the one given'}`);
    if (r.pairs.length !== first.pairs.length || r.evaluation.models.length !== first.evaluation.models.length)
      throw new UserError(`merge: ${where} compared other models than shard ${first.shard.index}`);
    r.evaluation.models.forEach((m, k) => {
      const o = first.evaluation.models[k];
      if (!sameFile(m.fp32.file, o.fp32.file) || !sameFile(m.int8?.variant.file, o.int8?.variant.file)) {
        throw new UserError(
          `merge: ${where} evaluated ${m.fp32.file.label} (sha256 ${m.fp32.file.sha256.slice(0, 12)}…), shard ${first.shard.index} ${o.fp32.file.label} (${o.fp32.file.sha256.slice(0, 12)}…)`,
        );
      }
    });
  }
  const seen = new Map<number, number>();
  for (const r of records) seen.set(r.shard.index, (seen.get(r.shard.index) ?? 0) + 1);
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
  const missing = Array.from({ length: first.shard.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (duplicated.length > 0) throw new UserError(`merge: shard${duplicated.length > 1 ? 's' : ''} ${duplicated.join(', ')} of ${first.shard.count} given twice`);
  if (missing.length > 0) throw new UserError(`merge: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${first.shard.count} missing`);
  const covered = new Set(records.flatMap((r) => r.sampleIds));
  const total = records.reduce((n, r) => n + r.sampleIds.length, 0);
  if (total !== covered.size || covered.size !== samples.length || samples.some((s) => !covered.has(s.id))) {
    throw new UserError(
      `merge: the shards cover ${covered.size} of the eval set's ${samples.length} samples${total !== covered.size ? ' with overlaps' : ''}; were they split with another eval set?`,
    );
  }
}

/**
 * The run the shards make together: every per-sample array filled back by sample index, latency
 * from the shard that measured it. Also returns where latency was measured.
 */
export function mergeShards(
  records: readonly ShardRecord[],
  config: Config,
  samples: readonly EvalSample<unknown>[],
  evalSha256: string | null,
): { evaluation: Evaluation; pairs: ShardRecord['pairs']; latencyFrom: ShardRecord } {
  checkShards(records, config, samples, evalSha256);
  const index = new Map(samples.map((s, i) => [s.id, i]));
  const sorted = [...records].sort((a, b) => a.shard.index - b.shard.index);
  const latencyFrom = sorted.find((r) => r.latencyMeasured) ?? sorted[0];
  const fill = (part: (r: ShardRecord) => readonly unknown[] | null) => {
    if (sorted.some((r) => part(r) === null)) return null;
    const out = new Array<unknown>(samples.length);
    for (const r of sorted) {
      const values = part(r) as readonly unknown[];
      r.sampleIds.forEach((id, k) => (out[index.get(id) as number] = values[k]));
    }
    return out;
  };
  const models = latencyFrom.evaluation.models.map((m, k): EvaluatedModel => ({
    ...m,
    fp32: { ...m.fp32, predictions: fill((r) => r.evaluation.models[k].fp32.predictions) as unknown[] },
    int8: m.int8
      ? { variant: m.int8.variant, result: m.int8.result ? { ...m.int8.result, predictions: fill((r) => r.evaluation.models[k].int8?.result?.predictions ?? null) as unknown[] } : null }
      : null,
    variants: m.variants.map((v, j) => ({ ...v, predictions: fill((r) => r.evaluation.models[k].variants[j].predictions) })),
  }));
  return { evaluation: { ...latencyFrom.evaluation, models }, pairs: latencyFrom.pairs, latencyFrom };
}
