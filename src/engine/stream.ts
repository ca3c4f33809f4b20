/**
 * The streaming loop: the eval set flows through in chunks sized by the memory budget. Each chunk
 * is decoded once for every distinct preprocessing (by the decode pool, on all cores), fed to every
 * model run that reads it (baseline, candidate, their int8 variants, other preprocessings), and
 * dropped; only each run's compact per-sample predictions stay. So memory does not grow with the
 * eval set beyond those records.
 *
 * Chunks hold whole batches (a multiple of the batch size) whenever the budget allows one batch,
 * so a model sees the same batches whatever the budget. Decoding the next chunk overlaps inference
 * on this one only when every model runs on a GPU; on CPU the two would compete for the same cores,
 * so they take turns.
 */
import type { NormalizeSpec } from '../config/types.js';
import { UserError } from '../errors.js';
import { runInBatches, type LoadedModel } from '../inference/index.js';
import type { ImageGeometry, OutputTensor } from '../contracts/tensors.js';
import { allocateImages, decodeSpecKey, imageBytes, toTensor, type DecodedImages, type DecodePool, type ResolvedDecodeSpec } from '../preprocess/index.js';
import type { Progress } from '../progress.js';
import type { BatchContext, EvalSample } from '../contracts/task.js';
import { countNonFinite, nonFiniteError, noNonFinite, type NonFinite } from './finite.js';

/** One model on one preprocessing, as the stream feeds it. */
export interface StreamRun {
  readonly model: LoadedModel;
  readonly spec: ResolvedDecodeSpec;
  readonly sampleShape: readonly number[];
  /** Filled in by sample index. */
  readonly predictions: unknown[];
}

export interface StreamOptions {
  readonly pool: DecodePool;
  readonly memoryBudget: number;
  readonly batchSize: number;
  /** Decode chunk k + 1 while the models run on chunk k (GPU inference only). */
  readonly overlap: boolean;
  readonly normalize: NormalizeSpec;
  /** Decoded images of the first samples to keep per preprocessing, as latency inputs. */
  readonly keepFirst: number;
  /** One prediction per sample of a batch of outputs (the task's decodeOutputs). */
  readonly decode: (outputs: Readonly<Record<string, OutputTensor>>, count: number, batch: BatchContext) => unknown[];
}

export interface StreamFacts {
  readonly chunkImages: number;
  readonly chunks: number;
  /** The first `keepFirst` decoded images of each preprocessing, by decodeSpecKey. */
  readonly firstImages: ReadonlyMap<string, DecodedImages>;
}

/**
 * Images per chunk: the budget over the bytes one image costs in all preprocessings (twice when
 * two chunks are in memory at once), rounded down to whole batches when that leaves at least one.
 */
export function chunkImages(budget: number, bytesPerImage: number, batchSize: number, total: number, overlap: boolean): number {
  const fits = Math.max(1, Math.floor(budget / (bytesPerImage * (overlap ? 2 : 1))));
  const whole = fits >= batchSize ? fits - (fits % batchSize) : fits;
  return Math.max(1, Math.min(total, whole));
}

/** A UserError while reading a model's outputs (e.g. a shape no layout fits) names the model. */
function namingModel<T>(label: string, decode: () => T[]): T[] {
  try {
    return decode();
  } catch (error) {
    if (error instanceof UserError && !error.message.startsWith(label)) throw new UserError(`${label}: ${error.message}`, { cause: error });
    throw error;
  }
}

function appendFirst(kept: Map<string, DecodedImages>, key: string, images: DecodedImages, want: number): void {
  const have = kept.get(key);
  const count = Math.min(want - (have?.count ?? 0), images.count);
  if (count <= 0) return;
  const bytes = images.height * images.width * images.channels;
  const pixels = new Uint8Array(((have?.count ?? 0) + count) * bytes);
  if (have) pixels.set(have.pixels);
  pixels.set(images.pixels.subarray(0, count * bytes), (have?.count ?? 0) * bytes);
  const geometry: ImageGeometry[] = [...(have?.geometry ?? []), ...images.geometry.slice(0, count)];
  kept.set(key, { ...images, count: geometry.length, pixels, geometry });
}

export async function streamEvalSet(
  samples: readonly EvalSample<unknown>[],
  runs: readonly StreamRun[],
  options: StreamOptions,
  progress: Progress,
): Promise<StreamFacts> {
  if (runs.length === 0) return { chunkImages: 0, chunks: 0, firstImages: new Map() };
  const specs = new Map<string, ResolvedDecodeSpec>();
  for (const run of runs) specs.set(decodeSpecKey(run.spec), run.spec);
  const keys = [...specs.keys()];
  const bytesPerImage = [...specs.values()].reduce((sum, spec) => sum + imageBytes(spec), 0);
  const perChunk = chunkImages(options.memoryBudget, bytesPerImage, options.batchSize, samples.length, options.overlap);
  const chunks = Math.ceil(samples.length / perChunk);
  const firstImages = new Map<string, DecodedImages>();
  const files = samples.map((s) => s.file);
  const nonFinite = new Map<StreamRun, NonFinite>(runs.map((run) => [run, noNonFinite()]));
  // Progress counts images through the whole run: a chunk's decode and each model's pass are equal shares.
  const shares = runs.length + 1;
  let reported = 0;
  const tick = (chunkStart: number, chunkLength: number, share: number) => {
    const done = Math.floor(chunkStart + (chunkLength * share) / shares);
    if (done > reported) progress.tick((reported = done));
  };
  // One buffer per preprocessing, reused by every chunk (two, taking turns, when decoding overlaps inference).
  const buffers = Array.from({ length: options.overlap && chunks > 1 ? 2 : 1 }, () => [...specs.values()].map((spec) => allocateImages(perChunk, spec)));
  const decodeChunk = (k: number) => {
    const start = k * perChunk;
    const end = Math.min(samples.length, start + perChunk);
    const onProgress = options.overlap ? undefined : (n: number) => tick(start, n, n / (end - start));
    return options.pool.decode(files.slice(start, end), [...specs.values()], onProgress, buffers[k % buffers.length]);
  };

  progress.start('evaluate', samples.length);
  try {
    let next = decodeChunk(0);
    for (let k = 0; k < chunks; k++) {
      const start = k * perChunk;
      const decoded = await next;
      const chunk = new Map(keys.map((key, i) => [key, decoded[i]]));
      const length = decoded[0].count;
      if (options.overlap && k + 1 < chunks) {
        next = decodeChunk(k + 1);
        next.catch(() => {}); // a failure surfaces at the next await; until then it must not count as unhandled
      }
      tick(start, length, 1);
      for (const [key, images] of chunk) appendFirst(firstImages, key, images, options.keepFirst);
      for (const [r, run] of runs.entries()) {
        const images = chunk.get(decodeSpecKey(run.spec)) as DecodedImages;
        await runInBatches(run.model, {
          total: length,
          batchSize: options.batchSize,
          sampleShape: run.sampleShape,
          makeInput: (from, to) => toTensor(images, from, to, options.normalize),
          onOutputs: (from, to, outputs, count) => {
            const batch: BatchContext = { start: start + from, geometry: images.geometry.slice(from, to), inputSize: run.spec.size, samples: samples.slice(start + from, start + to) };
            countNonFinite(outputs, count, (batch.samples ?? []).map((s) => s.id), nonFinite.get(run) as NonFinite);
            const predictions = namingModel(run.model.label, () => options.decode(outputs, count, batch));
            for (let i = 0; i < count; i++) run.predictions[start + from + i] = predictions[i];
          },
          onBatch: (done) => tick(start, length, 1 + r + done / length),
        });
      }
      if (!options.overlap && k + 1 < chunks) next = decodeChunk(k + 1);
    }
    progress.tick(samples.length);
  } finally {
    progress.end();
  }
  const notNumbers = nonFiniteError(runs.map((run) => ({ label: run.model.label, found: nonFinite.get(run) as NonFinite })), samples.length);
  if (notNumbers) throw notNumbers;
  return { chunkImages: perChunk, chunks, firstImages };
}
