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
import { decodeImages, decodeSpecKey, toTensor, type DecodedImages, type ResolvedDecodeSpec } from '../preprocess/index.js';
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

export interface EvaluatedModel {
  readonly fp32: ModelResult;
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

/** The decode each model needs: the configured size, or the model's own fixed input size. */
function decodeSpecFor(config: Config, file: ModelFile): ResolvedDecodeSpec {
  const size = config.preprocess.size ?? inputSizeFromModel(file.facts.inputs[0], config.preprocess.layout);
  if (!size) {
    throw new UserError(`${file.label}: input '${file.facts.inputs[0]?.name}' has no fixed height/width; set preprocess.size in ${config.configPath}`);
  }
  return { ...config.preprocess, size: [size[0], size[1]] };
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
  for (const file of files) task.checkOutputs(file.facts.outputs, file.label, config);
  const specs = files.map((file) => decodeSpecFor(config, file));
  const shapes = specs.map((spec) => sampleShape(config, spec.size));
  const images: DecodedImages[] = [];
  for (const spec of specs) images.push(await decodedFor(ctx, spec, progress));
  const variants = await int8Variants(config, refs, files, specs, images, shapes, ctx.evalSet.source, progress);

  const runs: Run[] = files.map((file, owner) => ({ file, owner, int8: false }));
  variants.forEach((v, owner) => v?.file && runs.push({ file: v.file, owner, int8: true }));
  const threads = resolveThreads(config.inference.threads);
  const loaded = await loadRuns(runs, config, specs, variants, threads, progress);
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
          const batch = { start, geometry: images[owner].geometry.slice(start, end), inputSize: specs[owner].size };
          perModel.push(...task.decodeOutputs(outputs, count, config, batch));
        },
        progress,
      });
      predictions.push(perModel);
    }
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
      const variant = variants[owner];
      return {
        fp32: resultOf(fp32),
        int8: variant ? { variant, result: int8 >= 0 ? resultOf(int8) : null } : null,
        spec: specs[owner],
        images: images[owner],
      };
    });
    return { models, threads };
  } finally {
    await Promise.all(loaded.map((l) => l.model.release()));
  }
}
