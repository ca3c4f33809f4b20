/**
 * Runs models on the prepared eval set: each fp32 model and, when quantization is configured,
 * its int8 variant, all on the same decoded pixels, then the latency benchmark with every
 * model interleaved. The comparison (PR gate) and the nightly run are both built on this.
 */
import type { Config, ModelRef } from '../config/types.js';
import { UserError } from '../errors.js';
import { checkInputFits, inputSizeFromModel, loadModel, resolveThreads, runAll, type LoadedModel } from '../inference/index.js';
import { measureLatency } from '../inference/latency.js';
import { resolveModel, type ModelFile } from '../models/index.js';
import type { DecodeSpec } from '../config/types.js';
import { decodeImages, decodeSpecKey, resolveInputSize, toTensor, type DecodedImages, type ResolvedDecodeSpec } from '../preprocess/index.js';
import { imageSizesOnce, type ImageSizes } from '../preprocess/input-size.js';
import type { Progress } from '../progress.js';
import { int8Variants, type Int8Variant } from '../quantize/variants.js';
import { taskFor } from '../tasks/index.js';
import type { EvalContext } from './context.js';

/** What one model (fp32 or int8) produced. */
export interface ModelResult {
  readonly file: ModelFile;
  readonly provider: 'cpu' | 'cuda';
  readonly providerNote: string | null;
  readonly predictions: unknown[];
  /** Raw per-run latencies in ms, keyed by batch size. */
  readonly latencyMs: Record<number, number[]>;
}

/** One model on one of the task's alternative preprocessings (Task.preprocessVariants). */
export interface VariantResult {
  readonly name: string;
  readonly spec: ResolvedDecodeSpec;
  /** null: the model cannot take this input (see note). */
  readonly predictions: unknown[] | null;
  /** Batch-1 latencies, measured interleaved with every other model and variant of the run. */
  readonly latencyMs: Record<number, number[]>;
  readonly note: string | null;
}

export interface EvaluatedModel {
  readonly fp32: ModelResult;
  /** The task's alternative preprocessings, in its order; empty when it has none configured. */
  readonly variants: readonly VariantResult[];
  /** null: quantization is off. Otherwise the variant, with `result` null when it couldn't run (see variant.note). */
  readonly int8: { readonly variant: Int8Variant; readonly result: ModelResult | null } | null;
  readonly spec: ResolvedDecodeSpec;
  readonly images: DecodedImages;
}

export interface Evaluation {
  readonly models: EvaluatedModel[];
  readonly threads: number;
}

const channelsOf = (config: Config) => (config.preprocess.color === 'gray' ? 1 : 3);

export function sampleShape(config: Config, [h, w]: readonly [number, number]): number[] {
  const c = channelsOf(config);
  return config.preprocess.layout === 'nchw' ? [c, h, w] : [h, w, c];
}

/**
 * The decode each model needs: the configured size, or the model's own fixed input size; rect
 * (and letterbox auto) turn that bound into the set-wide stride-padded size (preprocess/input-size.ts).
 */
async function decodeSpecFor(config: Config, file: ModelFile, preprocess: DecodeSpec, sizes: ImageSizes): Promise<ResolvedDecodeSpec> {
  const size = preprocess.size ?? inputSizeFromModel(file.facts.inputs[0], config.preprocess.layout);
  if (!size) {
    throw new UserError(`${file.label}: input '${file.facts.inputs[0]?.name}' has no fixed height/width; set preprocess.size in ${config.configPath}`);
  }
  return resolveInputSize(preprocess, [size[0], size[1]], sizes);
}

/** Decodes once per distinct preprocessing per run; later models with the same spec share it. */
function decodedFor(ctx: EvalContext, spec: ResolvedDecodeSpec, progress: Progress): Promise<DecodedImages> {
  const key = decodeSpecKey(spec);
  let images = ctx.decoded.get(key);
  if (!images) {
    images = decodeImages(ctx.samples.map((s) => s.file), spec, progress);
    ctx.decoded.set(key, images);
  }
  return images;
}

/** A UserError while reading a model's outputs (e.g. a shape no layout fits) names the model file. */
function decodeNamingModel<T>(label: string, decode: () => T[]): T[] {
  try {
    return decode();
  } catch (error) {
    if (error instanceof UserError && !error.message.startsWith(label)) throw new UserError(`${label}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** A latency batch larger than the eval set repeats its samples; timing doesn't care which images they are. */
function repeatToBatch(tensor: Float32Array, count: number, batch: number): Float32Array {
  if (count === batch) return tensor;
  const per = tensor.length / count;
  const out = new Float32Array(per * batch);
  for (let i = 0; i < batch; i++) out.set(tensor.subarray((i % count) * per, ((i % count) + 1) * per), i * per);
  return out;
}

interface Run {
  readonly file: ModelFile;
  /** Index of the fp32 model whose pixels this run reads. */
  readonly owner: number;
  readonly int8: boolean;
}

async function loadRuns(runs: Run[], config: Config, specs: ResolvedDecodeSpec[], variants: (Int8Variant | null)[], threads: number, progress: Progress) {
  const loaded: { run: Run; model: LoadedModel }[] = [];
  for (const run of runs) {
    let model: LoadedModel | null = null;
    try {
      model = await loadModel(run.file.path, { provider: config.inference.executionProvider, threads, label: run.file.label });
      const [h, w] = specs[run.owner].size;
      checkInputFits(model, { channels: channelsOf(config), height: h, width: w, layout: config.preprocess.layout });
      loaded.push({ run, model });
    } catch (error) {
      await model?.release();
      // A broken int8 file must not cost the fp32 results: report it and go on without it.
      if (!run.int8 || !(error instanceof UserError)) {
        await Promise.all(loaded.map((l) => l.model.release()));
        throw error;
      }
      variants[run.owner] = { ...(variants[run.owner] as Int8Variant), file: null, note: `int8 model failed to load: ${error.message}` };
      progress.warn(`${run.file.label}: ${error.message}; reporting fp32 only`);
    }
  }
  return loaded;
}

export async function evaluateModels(config: Config, ctx: EvalContext, refs: readonly ModelRef[], progress: Progress): Promise<Evaluation> {
  const task = taskFor(config.task);
  const files: ModelFile[] = [];
  for (const ref of refs) files.push(await resolveModel(ref));
  for (const file of files) {
    const note = task.checkOutputs(file.facts.outputs, file.label, config, ctx.samples);
    if (note) progress.info(note);
  }
  const sizes = imageSizesOnce(ctx.samples.map((s) => s.file));
  const specs: ResolvedDecodeSpec[] = [];
  for (const file of files) specs.push(await decodeSpecFor(config, file, config.preprocess, sizes));
  const shapes = specs.map((spec) => sampleShape(config, spec.size));
  const images: DecodedImages[] = [];
  for (const spec of specs) images.push(await decodedFor(ctx, spec, progress));
  const int8Of = await int8Variants(config, refs, files, specs, images, shapes, ctx.evalSet.source, progress);

  const runs: Run[] = files.map((file, owner) => ({ file, owner, int8: false }));
  int8Of.forEach((v, owner) => v?.file && runs.push({ file: v.file, owner, int8: true }));
  const threads = resolveThreads(config.inference.threads);
  const loaded = await loadRuns(runs, config, specs, int8Of, threads, progress);
  try {
    const notes = new Set(loaded.map((l) => l.model.providerNote).filter((n): n is string => n !== null));
    for (const note of notes) progress.warn(note);
    const predictions: unknown[][] = [];
    for (const { run, model } of loaded) {
      const perModel: unknown[] = [];
      const { owner } = run;
      progress.info(`inference: ${model.label} on ${model.provider.toUpperCase()}, ${threads} threads`);
      await runAll(model, {
        total: ctx.samples.length,
        batchSize: config.inference.batchSize,
        sampleShape: shapes[owner],
        makeInput: (start, end) => toTensor(images[owner], start, end, config.preprocess),
        onOutputs: (start, end, outputs, count) => {
          const batch = { start, geometry: images[owner].geometry.slice(start, end), inputSize: specs[owner].size, samples: ctx.samples.slice(start, end) };
          perModel.push(...decodeNamingModel(model.label, () => task.decodeOutputs(outputs, count, config, batch)));
        },
        progress,
      });
      predictions.push(perModel);
    }
    const fp32Loaded = files.map((_, owner) => loaded.find((l) => !l.run.int8 && l.run.owner === owner) as { run: Run; model: LoadedModel });
    const main = fp32Loaded.map((l) => ({ spec: specs[l.run.owner], predictions: predictions[loaded.indexOf(l)] }));
    const variants = await evaluateVariants(config, ctx, files, fp32Loaded.map((l) => l.model), main, sizes, progress);
    const latencyMs = await measureLatency(
      loaded.map((l) => l.model),
      (i, batch) => {
        const { owner } = loaded[i].run;
        const count = Math.min(batch, images[owner].count);
        return { data: repeatToBatch(toTensor(images[owner], 0, count, config.preprocess), count, batch), dims: [batch, ...shapes[owner]] };
      },
      config.latency,
      progress,
    );
    const resultOf = (index: number): ModelResult => {
      const { run, model } = loaded[index];
      return { file: run.file, provider: model.provider, providerNote: model.providerNote, predictions: predictions[index], latencyMs: latencyMs[index] };
    };
    const models = files.map((_, owner): EvaluatedModel => {
      const fp32 = loaded.findIndex((l) => !l.run.int8 && l.run.owner === owner);
      const int8 = loaded.findIndex((l) => l.run.int8 && l.run.owner === owner);
      const variant = int8Of[owner];
      return {
        fp32: resultOf(fp32),
        int8: variant ? { variant, result: int8 >= 0 ? resultOf(int8) : null } : null,
        variants: variants.map((perModel) => perModel[owner]),
        spec: specs[owner],
        images: images[owner],
      };
    });
    return { models, threads };
  } finally {
    await Promise.all(loaded.map((l) => l.model.release()));
  }
}

/**
 * The task's alternative preprocessings (e.g. detection's letterbox vs rect), for the fp32 models
 * already loaded: predictions on each, then one latency benchmark over every (variant, model)
 * pair, interleaved, so the p50s of different input sizes are measured under the same conditions.
 * Returns [variant][model]. A model that cannot take a variant's input gets a note instead.
 */
async function evaluateVariants(
  config: Config,
  ctx: EvalContext,
  files: readonly ModelFile[],
  models: readonly LoadedModel[],
  main: readonly { spec: ResolvedDecodeSpec; predictions: unknown[] }[],
  sizes: ImageSizes,
  progress: Progress,
): Promise<VariantResult[][]> {
  const task = taskFor(config.task);
  const wanted = task.preprocessVariants?.(config) ?? [];
  const out: { name: string; spec: ResolvedDecodeSpec; images: DecodedImages | null; predictions: unknown[] | null; note: string | null }[][] = [];
  for (const variant of wanted) {
    const perModel = [];
    for (const [owner, model] of models.entries()) {
      const spec = await decodeSpecFor(config, files[owner], variant.preprocess, sizes);
      try {
        checkInputFits(model, { channels: channelsOf(config), height: spec.size[0], width: spec.size[1], layout: config.preprocess.layout });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        perModel.push({ name: variant.name, spec, images: null, predictions: null, note: error.message });
        continue;
      }
      const images = await decodedFor(ctx, spec, progress);
      if (decodeSpecKey(spec) === decodeSpecKey(main[owner].spec)) {
        // The run's own preprocessing: its predictions are already there.
        perModel.push({ name: variant.name, spec, images, predictions: main[owner].predictions, note: null });
        continue;
      }
      const predictions: unknown[] = [];
      progress.info(`inference: ${model.label} with ${variant.name} input ${spec.size[0]}x${spec.size[1]}`);
      await runAll(model, {
        total: ctx.samples.length,
        batchSize: config.inference.batchSize,
        sampleShape: sampleShape(config, spec.size),
        makeInput: (start, end) => toTensor(images, start, end, config.preprocess),
        onOutputs: (start, end, outputs, count) => {
          const batch = { start, geometry: images.geometry.slice(start, end), inputSize: spec.size, samples: ctx.samples.slice(start, end) };
          predictions.push(...decodeNamingModel(model.label, () => task.decodeOutputs(outputs, count, config, batch)));
        },
        progress,
      });
      perModel.push({ name: variant.name, spec, images, predictions, note: null });
    }
    out.push(perModel);
  }
  const timed = out.flatMap((perModel) => perModel.map((entry, owner) => ({ entry, model: models[owner] }))).filter((t) => t.entry.images !== null);
  const latency = timed.length === 0
    ? []
    : await measureLatency(
        timed.map((t) => t.model),
        (i, batch) => {
          const { images, spec } = timed[i].entry as { images: DecodedImages; spec: ResolvedDecodeSpec };
          const count = Math.min(batch, images.count);
          return { data: repeatToBatch(toTensor(images, 0, count, config.preprocess), count, batch), dims: [batch, ...sampleShape(config, spec.size)] };
        },
        { ...config.latency, batchSizes: [1] },
        progress,
      );
  return out.map((perModel) =>
    perModel.map(({ name, spec, predictions, note }, owner) => {
      const at = timed.findIndex((t) => t.entry === perModel[owner]);
      return { name, spec, predictions, note, latencyMs: at >= 0 ? latency[at] : {} };
    }),
  );
}
