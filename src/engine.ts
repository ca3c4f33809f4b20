/**
 * The compare pipeline shared by the CLI and the Action:
 * eval set → samples → models → decode (once per distinct preprocessing, shared across every
 * comparison of the run) → inference → latency → report. Every stage is its own module; this
 * file only wires them together.
 */
import { basename } from 'node:path';
import type { Config, ModelRef } from './config/types.js';
import { prepareEval, runEnvironment, type EvalContext } from './engine/context.js';
import { evaluateModels, type EvaluatedModel, type Evaluation } from './engine/evaluate.js';
import { precheckModels } from './engine/model-checks.js';
import { modalShape } from './engine/stream.js';
import { decodeSpecKey } from './preprocess/index.js';
import { thumbnailDataUrl } from './preprocess/thumbnail.js';
import type { Progress } from './progress.js';
import { buildReport, latencyStats } from './report/build.js';
import { metricField, type PreprocessingComparison } from './report/preprocessing.js';
import { summarizeLatency } from './metrics/index.js';
import type { Task } from './contracts/task.js';
import type { HistoryChart } from './contracts/history.js';
import { renderHtmlReport } from './report/html.js';
import { renderMarkdown } from './report/markdown.js';
import type { QuantizedRun } from './report/quantization.js';
import type { Report } from './contracts/report.js';
import { taskFor } from './tasks/index.js';
import { VERSION } from './version.js';

export { prepareEval, type EvalContext } from './engine/context.js';
export { precheckModels } from './engine/model-checks.js';

export interface CompareResult {
  readonly report: Report<unknown, unknown>;
  readonly markdown: string;
  /** The self-contained HTML report, with the gallery of flipped samples. */
  readonly html: string;
}

export interface CompareOptions {
  /** Title after "model-gate ·" in the Markdown (the model's name in the Action). */
  readonly title?: string;
  readonly marker?: string;
  /** Nightly history charts for the HTML report, when the repository keeps a history. */
  readonly history?: readonly HistoryChart[];
}

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
  options: CompareOptions,
): Promise<CompareResult> {
  const { evalSet, samples } = ctx;
  const report = buildReport(task, samples, {
    config,
    version: VERSION,
    generatedAt: new Date().toISOString(),
    evalSet: { source: evalSet.source, sha256: evalSet.sha256, samples: samples.length, fromCache: evalSet.fromCache },
    environment: environmentOf(config, evaluation, base, cand),
    preprocess: preprocessFacts(config, base.spec),
    baseline: { file: base.fp32.file, executionProvider: base.fp32.provider, predictions: base.fp32.predictions, latencyMs: base.fp32.latencyMs, latencyRounds: base.fp32.latencyRounds },
    candidate: { file: cand.fp32.file, executionProvider: cand.fp32.provider, predictions: cand.fp32.predictions, latencyMs: cand.fp32.latencyMs, latencyRounds: cand.fp32.latencyRounds },
    latencyControl: control?.[1] ?? null,
    ...(config.quantization.mode === 'none' ? {} : { quantized: [quantizedRun(base), quantizedRun(cand)] as const }),
  });
  const preprocessing = preprocessingComparison(task, config, samples, base, cand);
  if (preprocessing) Object.assign(report, { comparison: { ...report.comparison, preprocessing } });
  Object.assign(report, { timing });
  // The gallery decodes its few thumbnails again from the files: the eval set's pixels are long gone.
  const gallery = task.gallery
    ? await task.gallery(report.comparison, samples, base.fp32.predictions, cand.fp32.predictions, config, (file) => thumbnailDataUrl(file, THUMBNAIL_SIDE))
    : null;
  const title = options.title ?? `${basename(base.fp32.file.label)} → ${basename(cand.fp32.file.label)}`;
  return { report, markdown: renderMarkdown(report, task, options), html: renderHtmlReport({ report, task, title, gallery, history: options.history }) };
}

export interface PairToCompare {
  readonly refs: { readonly baseline: ModelRef; readonly candidate: ModelRef };
  readonly options?: CompareOptions;
}

/**
 * Compares several baseline/candidate pairs on one eval set (a PR that changes several models):
 * one stream of the eval set feeds every model of every pair, so each image is decoded once per
 * preprocessing for the whole run; latency is measured pair by pair.
 */
export async function compareAll(config: Config, ctx: EvalContext, pairs: readonly PairToCompare[], progress: Progress): Promise<CompareResult[]> {
  const started = performance.now();
  const task = taskFor(config.task);
  const refs = pairs.flatMap((p) => [p.refs.baseline, p.refs.candidate]);
  const evaluation = await evaluateModels(config, ctx, refs, progress, { latencyGroups: pairs.map((_, i) => [2 * i, 2 * i + 1]) });
  const results: CompareResult[] = [];
  for (const [i, pair] of pairs.entries()) {
    const models = [evaluation.models[2 * i], evaluation.models[2 * i + 1]] as const;
    const timing = { prepareMs: ctx.preparedMs, ...evaluation.timing, wallMs: ctx.preparedMs + (performance.now() - started) };
    results.push(await buildComparison(task, config, ctx, evaluation, models, evaluation.latencyControls[i], timing, pair.options ?? {}));
  }
  return results;
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

/** The CLI's one comparison: the eval set, then the two models given as flags. */
export async function runCompare(config: Config, refs: { baseline: ModelRef; candidate: ModelRef }, progress: Progress): Promise<CompareResult> {
  await precheckModels(config, [refs.baseline, refs.candidate]);
  return compareModels(config, await prepareEval(config, progress), refs, progress);
}
