/**
 * The compare pipeline shared by the CLI and the Action:
 * eval set → samples → models → decode (once per distinct preprocessing, shared across every
 * comparison of the run) → inference → latency → report. Every stage is its own module; this
 * file only wires them together. task: results, which reads result files instead of running
 * models, has its own short pipeline (engine/results.ts); compareRun picks one of the two.
 */
import { basename } from 'node:path';
import type { Config, ModelRef, ResultsRef } from './config/types.js';
import type { CompareOptions, CompareResult, PairToCompare, SideRef } from './engine/compared.js';
import { prepareEval, runEnvironment, type EvalContext } from './engine/context.js';
import { evaluateModels, type EvaluatedModel, type Evaluation } from './engine/evaluate.js';
import { precheckModels } from './engine/model-checks.js';
import { compareResultSets } from './engine/results.js';
import { sha256File } from './download/sha256.js';
import { UserError } from './errors.js';
import type { EvalSetCache } from './evalset/actions-cache.js';
import { mergeShards, shardRecord, type ShardRecord, type ShardSpec } from './engine/shard.js';
import { modalShape } from './engine/stream.js';
import { decodeSpecKey } from './preprocess/index.js';
import { thumbnailDataUrl } from './preprocess/thumbnail.js';
import type { Progress } from './progress.js';
import { buildReport, latencyStats } from './report/build.js';
import { metricField, type PreprocessingComparison } from './report/preprocessing.js';
import { summarizeLatency } from './metrics/index.js';
import type { Task } from './contracts/task.js';
import { renderHtmlReport } from './report/html.js';
import { renderMarkdown } from './report/markdown.js';
import type { QuantizedRun } from './report/quantization.js';
import type { Report } from './contracts/report.js';
import { taskFor } from './tasks/index.js';
import { VERSION } from './version.js';

export { prepareEval, type EvalContext } from './engine/context.js';
export { precheckModels } from './engine/model-checks.js';
export type { CompareOptions, CompareResult, PairToCompare, SideRef } from './engine/compared.js';
export type { ShardRecord } from './engine/shard.js';

/** Gallery thumbnails: tiny images are enlarged (nearest) to about this many pixels a side. */
const THUMBNAIL_SIDE = 96;

function quantizedRun(model: EvaluatedModel): QuantizedRun<unknown> | null {
  if (!model.int8) return null;
  const { variant, result } = model.int8;
  return {
    ...variant,
    predictions: result?.predictions ?? null,
    latency: result ? latencyStats(result.latencyMs) : null,
  };
}

/**
 * comparison.preprocessing: each model's primary figure, p50 latency and input area on each of
 * the task's alternative preprocessings (Task.preprocessVariants), or null when it has none.
 */
function preprocessingComparison(
  task: Task<any, any, any, any>,
  config: Config,
  samples: EvalContext['samples'],
  base: EvaluatedModel,
  cand: EvaluatedModel,
): PreprocessingComparison | null {
  if (base.variants.length === 0) return null;
  const metric = metricField(task.primary.key);
  const figures = (variant: EvaluatedModel['variants'][number]) => {
    const runs = variant.latencyMs[1];
    return {
      [metric]: variant.predictions ? task.primary.value(task.score(variant.predictions, samples, config)) : null,
      p50Ms: runs?.length ? summarizeLatency(runs).p50Ms : null,
      note: variant.note,
    };
  };
  return {
    metric,
    variants: base.variants.map((variant, i) => ({
      name: variant.name,
      resize: variant.spec.resize,
      configured: decodeSpecKey(variant.spec) === decodeSpecKey(base.spec),
      ...inputFacts(variant.spec, samples.length),
      baseline: figures(variant),
      candidate: figures(cand.variants[i]),
    })),
  };
}

/**
 * A preprocessing's input size and area. Rect batches have a size per batch: the most common
 * one (where latency is timed), the mean area over the images, and how many shapes there are.
 */
function inputFacts(spec: EvaluatedModel['spec'], images: number) {
  const batches = spec.rectBatches;
  if (!batches) return { inputSize: [spec.size[0], spec.size[1]] as const, inputArea: spec.size[0] * spec.size[1] };
  const area = batches.shapes.reduce((sum, [h, w], k) => sum + h * w * Math.min(batches.batchSize, images - k * batches.batchSize), 0) / images;
  return { inputSize: modalShape(batches.shapes), inputArea: area, inputShapes: new Set(batches.shapes.map((s) => s.join('x'))).size };
}

/** The decode and inference facts every report of a run states. */
function environmentOf(config: Config, evaluation: Evaluation, base: EvaluatedModel, cand: EvaluatedModel) {
  return {
    ...runEnvironment([base.fp32.provider, cand.fp32.provider], base.fp32.providerNote ?? cand.fp32.providerNote, evaluation.threads, config.inference),
    latencyThreads: evaluation.latencyThreads,
    stream: evaluation.stream,
  };
}

/** The report's preprocess block: the decode and normalisation that ran, not the run's tuning knobs. */
function preprocessFacts(config: Config, spec: EvaluatedModel['spec']): Record<string, unknown> {
  const { workers: _workers, ...preprocess } = config.preprocess;
  const batches = spec.rectBatches ? { rectBatches: { batchSize: spec.rectBatches.batchSize, shapes: [...new Set(spec.rectBatches.shapes.map((s) => s.join('x')))] } } : {};
  return { ...preprocess, size: spec.size, ...batches };
}

async function buildComparison(
  task: Task<any, any, any, any>,
  config: Config,
  ctx: EvalContext,
  evaluation: Evaluation,
  [base, cand]: readonly [EvaluatedModel, EvaluatedModel],
  control: Evaluation['latencyControls'][number],
  timing: Report['timing'],
  shards: Report['shards'] | null,
  options: CompareOptions,
): Promise<CompareResult> {
  const { evalSet, samples } = ctx;
  const report = buildReport(task, samples, {
    config,
    version: VERSION,
    generatedAt: new Date().toISOString(),
    evalSet: { source: evalSet.source, sha256: evalSet.sha256, samples: samples.length, fromCache: evalSet.fromCache, ...(ctx.notes.length > 0 ? { notes: ctx.notes } : {}) },
    environment: environmentOf(config, evaluation, base, cand),
    preprocess: preprocessFacts(config, base.spec),
    baseline: { file: base.fp32.file, executionProvider: base.fp32.provider, predictions: base.fp32.predictions, latencyMs: base.fp32.latencyMs, latencyRounds: base.fp32.latencyRounds },
    candidate: { file: cand.fp32.file, executionProvider: cand.fp32.provider, predictions: cand.fp32.predictions, latencyMs: cand.fp32.latencyMs, latencyRounds: cand.fp32.latencyRounds },
    latencyControl: control?.[1] ?? null,
    ...(config.quantization.mode === 'none' ? {} : { quantized: [quantizedRun(base), quantizedRun(cand)] as const }),
  });
  const preprocessing = preprocessingComparison(task, config, samples, base, cand);
  if (preprocessing) Object.assign(report, { comparison: { ...report.comparison, preprocessing } });
  Object.assign(report, { timing, ...(shards ? { shards } : {}) });
  const title = options.title ?? `${basename(base.fp32.file.label)} → ${basename(cand.fp32.file.label)}`;
  const html = async () => {
    // The gallery decodes its few thumbnails again from the files: the eval set's pixels are long gone.
    const gallery = task.gallery
      ? await task.gallery(report.comparison, samples, base.fp32.predictions, cand.fp32.predictions, config, (file) => thumbnailDataUrl(file, THUMBNAIL_SIDE))
      : null;
    return renderHtmlReport({ report, task, title, gallery, history: options.history });
  };
  return { report, markdown: renderMarkdown(report, task, options), html };
}

/**
 * Compares several baseline/candidate pairs on one eval set (a PR that changes several models):
 * one stream of the eval set feeds every model of every pair, so each image is decoded once per
 * preprocessing for the whole run; latency is measured pair by pair.
 */
export async function compareAll(config: Config, ctx: EvalContext, pairs: readonly PairToCompare<ModelRef>[], progress: Progress): Promise<CompareResult[]> {
  const started = performance.now();
  const refs = pairs.flatMap((p) => [p.refs.baseline, p.refs.candidate]);
  const evaluation = await evaluateModels(config, ctx, refs, progress, { latencyGroups: pairs.map((_, i) => [2 * i, 2 * i + 1]) });
  return reportsFrom(
    config,
    ctx,
    evaluation,
    pairs.map((_, i) => [2 * i, 2 * i + 1] as const),
    pairs.map((p) => p.options ?? {}),
    started,
    null,
  );
}

/** One report per pair of an evaluation (a run of its own, or shards merged). */
async function reportsFrom(
  config: Config,
  ctx: EvalContext,
  evaluation: Evaluation,
  pairs: readonly (readonly [number, number])[],
  options: readonly CompareOptions[],
  started: number,
  shards: Report['shards'] | null,
): Promise<CompareResult[]> {
  const task = taskFor(config.task);
  const results: CompareResult[] = [];
  for (const [i, [b, c]] of pairs.entries()) {
    const timing = { prepareMs: ctx.preparedMs, ...evaluation.timing, wallMs: ctx.preparedMs + (performance.now() - started) };
    results.push(await buildComparison(task, config, ctx, evaluation, [evaluation.models[b], evaluation.models[c]], evaluation.latencyControls[i] ?? null, timing, shards, options[i] ?? {}));
  }
  return results;
}

/**
 * Shard config.shard of the comparison: only its samples are evaluated (latency only in shard 1),
 * and the result is a shard record for `merge`, not a report.
 */
export async function compareShard(config: Config, ctx: EvalContext, pairs: readonly PairToCompare[], progress: Progress): Promise<ShardRecord> {
  const shard = config.shard as ShardSpec;
  const refs = pairs.flatMap((p) => [p.refs.baseline, p.refs.candidate]);
  const evaluation = await evaluateModels(config, ctx, refs, progress, { latencyGroups: pairs.map((_, i) => [2 * i, 2 * i + 1]), shard });
  const environment = runEnvironment([], null, evaluation.threads, config.inference);
  return shardRecord({
    config,
    shard,
    samples: ctx.samples,
    evalSet: { source: ctx.evalSet.source, sha256: ctx.evalSet.sha256, samples: ctx.samples.length },
    evaluation,
    included: new Set(evaluation.included),
    pairs: pairs.map((_, i) => [2 * i, 2 * i + 1] as const),
    machine: `${environment.cpu}${environment.gpu ? `, ${environment.gpu}` : ''}`,
  });
}

/**
 * The reports of a sharded comparison, from all its shard records: the same as one unsharded run's.
 * With `pairs` (the Action's merge job, which read the models at the PR's commits itself), the
 * records must have evaluated exactly those files, in that order.
 */
export async function compareMerged(config: Config, ctx: EvalContext, records: readonly ShardRecord[], pairs: readonly PairToCompare<ModelRef>[] | null = null): Promise<CompareResult[]> {
  const started = performance.now();
  const { evaluation, pairs: indices, latencyFrom } = mergeShards(records, config, ctx.samples, ctx.evalSet.sha256);
  if (pairs) await checkShardModels(evaluation, indices, pairs);
  const shards = { count: latencyFrom.shard.count, latencyMeasuredOn: { shard: latencyFrom.shard.index, machine: latencyFrom.machine } };
  return reportsFrom(config, ctx, evaluation, indices, pairs?.map((p) => p.options ?? {}) ?? [], started, shards);
}

async function checkShardModels(evaluation: Evaluation, indices: readonly (readonly [number, number])[], pairs: readonly PairToCompare<ModelRef>[]): Promise<void> {
  if (indices.length !== pairs.length)
    throw new UserError(`merge: the shards compared ${indices.length} pair${indices.length === 1 ? '' : 's'} of models, this run ${pairs.length}; were they made for another commit?`);
  for (const [i, { refs }] of pairs.entries()) {
    for (const [k, ref] of [
      [indices[i][0], refs.baseline],
      [indices[i][1], refs.candidate],
    ] as const) {
      const model = evaluation.models[k];
      const expected: [string, string | undefined][] = [[ref.path, model.fp32.file.sha256]];
      if (ref.quantized) expected.push([ref.quantized, model.int8?.variant.file?.sha256]);
      for (const [path, recorded] of expected) {
        const actual = await sha256File(path);
        if (actual !== recorded)
          throw new UserError(
            `merge: the shards evaluated a ${ref.role} with sha256 ${recorded?.slice(0, 12) ?? 'none'}…, not ${ref.label} (${actual.slice(0, 12)}…); were they made for another commit?`,
          );
      }
    }
  }
}

/** Shard config.shard of a run's comparisons (the Action's matrix job): the shard record, no report. */
export async function shardRun(config: Config, pairs: readonly PairToCompare<ModelRef>[], progress: Progress, options: { readonly remoteCache?: EvalSetCache } = {}): Promise<ShardRecord> {
  return compareShard(config, await prepareEval(config, progress, options), pairs, progress);
}

/** The reports of a run whose comparisons were sharded (the Action's merge job), from every shard record. */
export async function mergedRun(
  config: Config,
  pairs: readonly PairToCompare<ModelRef>[],
  records: readonly ShardRecord[],
  progress: Progress,
  options: { readonly remoteCache?: EvalSetCache } = {},
): Promise<CompareResult[]> {
  // The eval set is verified here too: its labels score the merged predictions.
  return compareMerged(config, await prepareEval(config, progress, options), records, pairs);
}

/** Runs baseline and candidate (and their int8 variants) on the prepared eval set and builds the report. */
export async function compareModels(
  config: Config,
  ctx: EvalContext,
  refs: { readonly baseline: ModelRef; readonly candidate: ModelRef },
  progress: Progress,
  options: CompareOptions = {},
): Promise<CompareResult> {
  const [result] = await compareAll(config, ctx, [{ refs, options }], progress);
  return result;
}

/**
 * Every comparison of one run, whatever the config compares: the one place that picks the
 * pipeline. It is keyed on `config.results`, which src/config sets for task: results and for no
 * other task: two result sets read from files (engine/results.ts), else two ONNX models run on
 * the eval set, prepared here once for all pairs (compareAll). Neither pipeline asks the task's
 * name; the CLI and the Action call this and never choose themselves.
 */
export async function compareRun(
  config: Config,
  pairs: readonly PairToCompare<SideRef>[],
  progress: Progress,
  options: { readonly remoteCache?: EvalSetCache } = {},
): Promise<CompareResult[]> {
  if (config.results) return compareResultSets(config, pairs as readonly PairToCompare<ResultsRef>[], progress);
  // The models' own facts (metadata class names, output size) are checked before the eval set is fetched.
  await precheckModels(config, pairs.flatMap(({ refs }) => [refs.baseline, refs.candidate]) as ModelRef[]);
  return compareAll(config, await prepareEval(config, progress, options), pairs, progress);
}

/** The CLI's one comparison: the two sides given as flags (or, for task: results, in the config). */
export async function runCompare(config: Config, refs: { baseline: SideRef; candidate: SideRef }, progress: Progress): Promise<CompareResult> {
  const [result] = await compareRun(config, [{ refs }], progress);
  return result;
}
