/**
 * The compare pipeline shared by the CLI and the Action:
 * eval set → samples → models → decode (once per distinct preprocessing, shared across every
 * comparison of the run) → inference → latency → report. Every stage is its own module; this
 * file only wires them together.
 */
import { availableParallelism, cpus, platform, arch } from 'node:os';
import { basename } from 'node:path';
import type { Config, ModelRef } from './config/types.js';
import { UserError } from './errors.js';
import { resolveEvalSet, type ResolvedEvalSet } from './evalset/index.js';
import type { EvalSetCache } from './evalset/actions-cache.js';
import { checkInputFits, inputSizeFromModel, loadModel, onnxruntimeVersion, resolveThreads, runAll, type LoadedModel } from './inference/index.js';
import { measureLatency } from './inference/latency.js';
import { resolveModel, type ModelFile } from './models/index.js';
import { decodeImages, decodeSpecKey, toTensor, type DecodedImages, type ResolvedDecodeSpec } from './preprocess/index.js';
import type { Progress } from './progress.js';
import { buildReport, latencyStats } from './report/build.js';
import { renderHtmlReport } from './report/html.js';
import { renderMarkdown } from './report/markdown.js';
import { thumbnailDataUrl } from './preprocess/thumbnail.js';
import type { Report } from './report/types.js';
import { int8Variants, type Int8Variant } from './quantize/variants.js';
import { taskFor } from './tasks/index.js';
import type { EvalSample } from './tasks/task.js';
import { VERSION } from './version.js';

export interface CompareResult {
  readonly report: Report<unknown, unknown>;
  readonly markdown: string;
  /** The self-contained HTML report, with the gallery of flipped samples. */
  readonly html: string;
}

/** Gallery thumbnails: tiny images are enlarged (nearest) to about this many pixels a side. */
const THUMBNAIL_SIDE = 96;

const channelsOf = (config: Config) => (config.preprocess.color === 'gray' ? 1 : 3);

/** The decode each model needs: the configured size, or the model's own fixed input size. */
function decodeSpecFor(config: Config, file: ModelFile): ResolvedDecodeSpec {
  const size = config.preprocess.size ?? inputSizeFromModel(file.facts.inputs[0], config.preprocess.layout);
  if (!size) {
    throw new UserError(`${file.label}: input '${file.facts.inputs[0]?.name}' has no fixed height/width; set preprocess.size in ${config.configPath}`);
  }
  return { ...config.preprocess, size: [size[0], size[1]] };
}

/**
 * The eval set, read and decoded, shared by every comparison in one run: several models in one PR,
 * and (later) their int8 variants, all score the same decoded pixels; nothing is decoded twice.
 */
export interface EvalContext {
  readonly evalSet: ResolvedEvalSet;
  readonly samples: readonly EvalSample<unknown>[];
  /** Decoded pixels by decodeSpecKey; filled on first use. */
  readonly decoded: Map<string, Promise<DecodedImages>>;
}

export async function prepareEval(config: Config, progress: Progress, options: { remoteCache?: EvalSetCache } = {}): Promise<EvalContext> {
  const evalSet = await resolveEvalSet(config.eval, { cacheDir: config.cacheDir, progress, ...options });
  const samples = await taskFor(config.task).readSamples(evalSet.root, config);
  progress.info(`eval set: ${samples.length.toLocaleString('en-US')} images from ${evalSet.source}${evalSet.fromCache ? ' (cached)' : ''}`);
  return { evalSet, samples, decoded: new Map() };
}

function decodedFor(ctx: EvalContext, spec: ResolvedDecodeSpec, progress: Progress): Promise<DecodedImages> {
  const key = decodeSpecKey(spec);
  let images = ctx.decoded.get(key);
  if (!images) {
    images = decodeImages(ctx.samples.map((s) => s.file), spec, progress);
    ctx.decoded.set(key, images);
  }
  return images;
}

export interface CompareOptions {
  /** Title after "model-gate ·" in the Markdown (the model's name in the Action). */
  readonly title?: string;
  readonly marker?: string;
}

/** One model the comparison runs: an fp32 model or an int8 variant, with the role whose pixels it reads. */
interface ModelRun {
  readonly file: ModelFile;
  readonly role: 0 | 1;
  readonly int8: boolean;
}

async function loadRuns(runs: ModelRun[], config: Config, specs: ResolvedDecodeSpec[], variants: (Int8Variant | null)[], threads: number, progress: Progress) {
  const loaded: { run: ModelRun; model: LoadedModel }[] = [];
  for (const run of runs) {
    try {
      const model = await loadModel(run.file.path, { provider: config.inference.executionProvider, threads, label: run.file.label });
      loaded.push({ run, model });
      const [h, w] = specs[run.role].size;
      checkInputFits(model, { channels: channelsOf(config), height: h, width: w, layout: config.preprocess.layout });
    } catch (error) {
      // A broken int8 file must not cost the fp32 results: report it and go on without it.
      if (!run.int8 || !(error instanceof UserError)) {
        await Promise.all(loaded.map((l) => l.model.release()));
        throw error;
      }
      const variant = variants[run.role] as Int8Variant;
      variants[run.role] = { ...variant, file: null, note: `int8 model failed to load: ${error.message}` };
      progress.warn(`${run.file.label}: ${error.message}; reporting fp32 only`);
      const last = loaded.at(-1);
      if (last?.run === run) await loaded.pop()?.model.release();
    }
  }
  return loaded;
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
  const files = [await resolveModel(refs.baseline), await resolveModel(refs.candidate)];
  for (const file of files) task.checkOutputs(file.facts.outputs, file.label, config);
  const specs = files.map((file) => decodeSpecFor(config, file));
  const shapes = specs.map((spec) => sampleShape(config, spec.size));
  const images = [await decodedFor(ctx, specs[0], progress), await decodedFor(ctx, specs[1], progress)];
  const variants = await int8Variants(config, refs, files, specs, images, shapes, ctx.evalSet.source, progress);

  const runs: ModelRun[] = [{ file: files[0], role: 0, int8: false }, { file: files[1], role: 1, int8: false }];
  variants.forEach((v, role) => v?.file && runs.push({ file: v.file, role: role as 0 | 1, int8: true }));
  const threads = resolveThreads(config.inference.threads);
  const loaded = await loadRuns(runs, config, specs, variants, threads, progress);
  try {
    const models = loaded.map((l) => l.model);
    const notes = [...new Set(models.map((m) => m.providerNote).filter((n): n is string => n !== null))];
    for (const note of notes) progress.warn(note);

    const predictions: unknown[][] = [];
    for (const { run, model } of loaded) {
      const perModel: unknown[] = [];
      const { role } = run;
      progress.info(`inference: ${model.label} on ${model.provider.toUpperCase()}, ${threads} threads`);
      await runAll(model, {
        total: ctx.samples.length,
        batchSize: config.inference.batchSize,
        sampleShape: shapes[role],
        makeInput: (start, end) => toTensor(images[role], start, end, config.preprocess),
        onOutputs: (start, end, outputs, count) => {
          const batch = { start, geometry: images[role].geometry.slice(start, end), inputSize: specs[role].size };
          perModel.push(...task.decodeOutputs(outputs, count, config, batch));
        },
        progress,
      });
      predictions.push(perModel);
    }

    const latencyMs = await measureLatency(
      models,
      (i, batch) => {
        const { role } = loaded[i].run;
        const count = Math.min(batch, images[role].count);
        const data = repeatToBatch(toTensor(images[role], 0, count, config.preprocess), count, batch);
        return { data, dims: [batch, ...shapes[role]] };
      },
      config.latency,
      progress,
    );

    const provider = models.slice(0, 2).map((m) => m.provider);
    const { evalSet, samples } = ctx;
    const quantized = variants.map((variant, role) => {
      if (!variant) return null;
      const index = loaded.findIndex((l) => l.run.int8 && l.run.role === role);
      return {
        ...variant,
        predictions: index >= 0 ? predictions[index] : null,
        latency: index >= 0 ? latencyStats(latencyMs[index]) : null,
      };
    });
    const report = buildReport(task, samples, {
      config,
      version: VERSION,
      generatedAt: new Date().toISOString(),
      evalSet: { source: evalSet.source, sha256: evalSet.sha256, samples: samples.length, fromCache: evalSet.fromCache },
      environment: {
        executionProvider: provider[0] === provider[1] ? provider[0] : provider.join('/'),
        executionProviderNote: notes[0] ?? null,
        threads,
        onnxruntime: onnxruntimeVersion,
        node: process.version,
        platform: `${platform()}-${arch()}`,
        cpu: `${cpus()[0]?.model ?? 'unknown'} (${availableParallelism()} cores)`,
      },
      preprocess: { ...config.preprocess, size: specs[0].size },
      baseline: { file: files[0], executionProvider: models[0].provider, predictions: predictions[0], latencyMs: latencyMs[0] },
      candidate: { file: files[1], executionProvider: models[1].provider, predictions: predictions[1], latencyMs: latencyMs[1] },
      ...(config.quantization.mode === 'none' ? {} : { quantized: [quantized[0], quantized[1]] as const }),
    });
    const gallery = task.gallery
      ? await task.gallery(report.comparison, samples, predictions[0], predictions[1], config, (file) => thumbnailDataUrl(file, THUMBNAIL_SIDE))
      : null;
    const html = renderHtmlReport({ report, title: options.title ?? `${basename(files[0].label)} → ${basename(files[1].label)}`, gallery });
    return { report, markdown: renderMarkdown(report, task, options), html };
  } finally {
    await Promise.all(loaded.map((l) => l.model.release()));
  }
}

/** The CLI's one comparison: the eval set, then the two models given as flags. */
export async function runCompare(config: Config, refs: { baseline: ModelRef; candidate: ModelRef }, progress: Progress): Promise<CompareResult> {
  return compareModels(config, await prepareEval(config, progress), refs, progress);
}

function sampleShape(config: Config, [h, w]: readonly [number, number]): number[] {
  const c = channelsOf(config);
  return config.preprocess.layout === 'nchw' ? [c, h, w] : [h, w, c];
}

/** A latency batch larger than the eval set repeats its samples; timing doesn't care which images they are. */
function repeatToBatch(tensor: Float32Array, count: number, batch: number): Float32Array {
  if (count === batch) return tensor;
  const per = tensor.length / count;
  const out = new Float32Array(per * batch);
  for (let i = 0; i < batch; i++) out.set(tensor.subarray((i % count) * per, (i % count + 1) * per), i * per);
  return out;
}
