/**
 * The compare pipeline shared by the CLI and the Action:
 * eval set → samples → models → decode (once per distinct preprocessing, shared across every
 * comparison of the run) → inference → latency → report. Every stage is its own module; this
 * file only wires them together.
 */
import { basename } from 'node:path';
import type { Config, ModelRef } from './config/types.js';
import { prepareEval, runEnvironment, type EvalContext } from './engine/context.js';
import { evaluateModels, type EvaluatedModel } from './engine/evaluate.js';
import { thumbnailDataUrl } from './preprocess/thumbnail.js';
import type { Progress } from './progress.js';
import { buildReport, latencyStats } from './report/build.js';
import { renderHtmlReport } from './report/html.js';
import { renderMarkdown } from './report/markdown.js';
import type { QuantizedRun } from './report/quantization.js';
import type { Report } from './report/types.js';
import { taskFor } from './tasks/index.js';
import { VERSION } from './version.js';

export { prepareEval, type EvalContext } from './engine/context.js';

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

/** Runs baseline and candidate (and their int8 variants) on the prepared eval set and builds the report. */
export async function compareModels(
  config: Config,
  ctx: EvalContext,
  refs: { readonly baseline: ModelRef; readonly candidate: ModelRef },
  progress: Progress,
  options: CompareOptions = {},
): Promise<CompareResult> {
  const task = taskFor(config.task);
  const { models, threads } = await evaluateModels(config, ctx, [refs.baseline, refs.candidate], progress);
  const [base, cand] = models;
  const { evalSet, samples } = ctx;
  const report = buildReport(task, samples, {
    config,
    version: VERSION,
    generatedAt: new Date().toISOString(),
    evalSet: { source: evalSet.source, sha256: evalSet.sha256, samples: samples.length, fromCache: evalSet.fromCache },
    environment: runEnvironment([base.fp32.provider, cand.fp32.provider], base.fp32.providerNote ?? cand.fp32.providerNote, threads),
    preprocess: { ...config.preprocess, size: base.spec.size },
    baseline: { file: base.fp32.file, executionProvider: base.fp32.provider, predictions: base.fp32.predictions, latencyMs: base.fp32.latencyMs },
    candidate: { file: cand.fp32.file, executionProvider: cand.fp32.provider, predictions: cand.fp32.predictions, latencyMs: cand.fp32.latencyMs },
    ...(config.quantization.mode === 'none' ? {} : { quantized: [quantizedRun(base), quantizedRun(cand)] as const }),
  });
  const gallery = task.gallery
    ? await task.gallery(report.comparison, samples, base.fp32.predictions, cand.fp32.predictions, config, (file) => thumbnailDataUrl(file, THUMBNAIL_SIDE))
    : null;
  const title = options.title ?? `${basename(base.fp32.file.label)} → ${basename(cand.fp32.file.label)}`;
  return { report, markdown: renderMarkdown(report, task, options), html: renderHtmlReport({ report, title, gallery }) };
}

/** The CLI's one comparison: the eval set, then the two models given as flags. */
export async function runCompare(config: Config, refs: { baseline: ModelRef; candidate: ModelRef }, progress: Progress): Promise<CompareResult> {
  return compareModels(config, await prepareEval(config, progress), refs, progress);
}
