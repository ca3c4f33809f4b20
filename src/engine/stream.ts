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
 *
 * A preprocessing with rect batches (Ultralytics' val) decodes batch by batch, each at its own
 * shape, and sets the stream's order (images by aspect ratio); every other preprocessing follows
 * the same order, so all runs still share each chunk.
 */
import type { NormalizeSpec } from '../config/types.js';
import type { BatchContext, EvalSample } from '../contracts/task.js';
import type { ImageGeometry, OutputTensor } from '../contracts/tensors.js';
import { UserError } from '../errors.js';
import { runInBatches, type LoadedModel } from '../inference/index.js';
import { allocateImages, decodeSpecKey, imageBytes, toTensor, viewImages, type DecodedImages, type DecodePool, type ResolvedDecodeSpec } from '../preprocess/index.js';
import type { Progress } from '../progress.js';
import { countNonFinite, nonFiniteError, noNonFinite, type NonFinite } from './finite.js';

/** One model on one preprocessing, as the stream feeds it. */
export interface StreamRun {
  readonly model: LoadedModel;
  readonly spec: ResolvedDecodeSpec;
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
  /** Only these sample indices (a shard's); default all. Rect batches must be whole (engine/shard.ts). */
  readonly include?: ReadonlySet<number> | null;
}

export interface StreamFacts {
  readonly chunkImages: number;
  readonly chunks: number;
  /**
   * The first `keepFirst` decoded images of each preprocessing, by decodeSpecKey; for rect batches,
   * of the most common batch shape (the one the latency benchmark times).
   */
  readonly firstImages: ReadonlyMap<string, DecodedImages>;
}

/** Part of a chunk decoded at one size: all of it, or one rect batch. `offset` is its first position in the chunk. */
interface Segment {
  readonly offset: number;
  readonly images: DecodedImages;
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

/** The most common batch shape of rect batches (the first of equals). */
export function modalShape(shapes: readonly (readonly [number, number])[]): readonly [number, number] {
  const counts = new Map<string, { shape: readonly [number, number]; n: number }>();
  for (const shape of shapes) {
    const entry = counts.get(shape.join('x')) ?? { shape, n: 0 };
    entry.n++;
    counts.set(shape.join('x'), entry);
  }
  return [...counts.values()].reduce((best, entry) => (entry.n > best.n ? entry : best)).shape;
}

/** The stream's order: the rect batches' (by aspect ratio) when a preprocessing has them, else the eval set's. */
function streamOrder(specs: readonly ResolvedDecodeSpec[], count: number): readonly number[] {
  const orders = specs.map((s) => s.rectBatches?.order).filter((o): o is readonly number[] => o !== undefined);
  if (orders.some((o) => o.length !== count || o.some((v, i) => v !== orders[0][i]))) throw new Error('streamEvalSet: rect batches in different orders');
  return orders[0] ?? Array.from({ length: count }, (_, i) => i);
}

export async function streamEvalSet(samples: readonly EvalSample<unknown>[], runs: readonly StreamRun[], options: StreamOptions, progress: Progress): Promise<StreamFacts> {
  if (runs.length === 0) return { chunkImages: 0, chunks: 0, firstImages: new Map() };
  const specs = new Map<string, ResolvedDecodeSpec>();
  for (const run of runs) specs.set(decodeSpecKey(run.spec), run.spec);
  const fixed = [...specs].filter(([, s]) => !s.rectBatches);
  const batched = [...specs].filter(([, s]) => s.rectBatches);
  const fullOrder = streamOrder([...specs.values()], samples.length);
  // Where each sample sits in the full order: a rect batch's shape is found by it, shard or not.
  const fullPosition = new Map(fullOrder.map((sample, position) => [sample, position]));
  const order = options.include ? fullOrder.filter((i) => options.include!.has(i)) : fullOrder;
  const bytesPerImage = [...specs.values()].reduce((sum, spec) => sum + imageBytes(spec), 0);
  const total = order.length;
  if (total === 0) return { chunkImages: 0, chunks: 0, firstImages: new Map() };
  let perChunk = chunkImages(options.memoryBudget, bytesPerImage, options.batchSize, total, options.overlap);
  // Rect batches are decoded whole: a chunk holds at least one, even past the budget.
  if (batched.length > 0) perChunk = Math.min(total, Math.max(perChunk - (perChunk % options.batchSize), options.batchSize));
  const chunks = Math.ceil(total / perChunk);
  const firstImages = new Map<string, DecodedImages>();
  const files = order.map((i) => samples[i].file);
  const nonFinite = new Map<StreamRun, NonFinite>(runs.map((run) => [run, noNonFinite()]));
  // Progress counts images through the whole run: a chunk's decode and each model's pass are equal shares.
  const shares = runs.length + 1;
  let reported = 0;
  const tick = (chunkStart: number, chunkLength: number, share: number) => {
    const done = Math.floor(chunkStart + (chunkLength * share) / shares);
    if (done > reported) progress.tick((reported = done));
  };
  // One buffer per preprocessing, reused by every chunk (two, taking turns, when decoding overlaps inference).
  const buffers = Array.from({ length: options.overlap && chunks > 1 ? 2 : 1 }, () => new Map([...specs].map(([key, spec]) => [key, allocateImages(perChunk, spec)])));
  const decodeChunk = async (k: number): Promise<Map<string, Segment[]>> => {
    const start = k * perChunk;
    const end = Math.min(total, start + perChunk);
    const buffer = buffers[k % buffers.length];
    // Decode progress in file × preprocessing units; pool.decode reports files done per call.
    let units = 0;
    const counter = (perFile: number) => {
      let last = 0;
      return options.overlap
        ? undefined
        : (done: number) => {
            units += (done - last) * perFile;
            last = done;
            tick(start, end - start, units / ((end - start) * specs.size));
          };
    };
    const out = new Map<string, Segment[]>();
    const jobs: Promise<void>[] = [];
    if (fixed.length > 0) {
      const into = fixed.map(([key]) => buffer.get(key) as DecodedImages);
      jobs.push(
        options.pool
          .decode(
            files.slice(start, end),
            fixed.map(([, s]) => s),
            counter(fixed.length),
            into,
          )
          .then((images) => {
            fixed.forEach(([key], i) => out.set(key, [{ offset: 0, images: images[i] }]));
          }),
      );
    }
    for (const [key, spec] of batched) {
      const { batchSize, shapes } = spec.rectBatches!;
      const segments: Segment[] = [];
      out.set(key, segments);
      for (let from = start, n = 0; from < end; from += batchSize, n++) {
        const to = Math.min(end, from + batchSize);
        const shape = shapes[Math.floor((fullPosition.get(order[from]) as number) / batchSize)];
        const view = viewImages(buffer.get(key) as DecodedImages, from - start, to - from, shape);
        jobs.push(
          options.pool.decode(files.slice(from, to), [{ ...spec, size: shape }], counter(1), [view]).then(([images]) => {
            segments[n] = { offset: from - start, images };
          }),
        );
      }
    }
    await Promise.all(jobs);
    return out;
  };
  const modal = new Map(batched.map(([key, spec]) => [key, modalShape(spec.rectBatches!.shapes)]));
  const keep = (key: string, images: DecodedImages) => {
    const want = modal.get(key);
    if (!want || (images.height === want[0] && images.width === want[1])) appendFirst(firstImages, key, images, options.keepFirst);
  };
  const shapeOf = (images: DecodedImages) => (options.normalize.layout === 'nchw' ? [images.channels, images.height, images.width] : [images.height, images.width, images.channels]);

  progress.start('evaluate', total);
  try {
    let next = decodeChunk(0);
    for (let k = 0; k < chunks; k++) {
      const start = k * perChunk;
      const chunk = await next;
      const length = Math.min(total, start + perChunk) - start;
      if (options.overlap && k + 1 < chunks) {
        next = decodeChunk(k + 1);
        next.catch(() => {}); // a failure surfaces at the next await; until then it must not count as unhandled
      }
      tick(start, length, 1);
      for (const [key, segments] of chunk) for (const { images } of segments) keep(key, images);
      for (const [r, run] of runs.entries()) {
        const segments = chunk.get(decodeSpecKey(run.spec)) as Segment[];
        for (const { offset, images } of segments) {
          const first = start + offset;
          await runInBatches(run.model, {
            total: images.count,
            batchSize: options.batchSize,
            sampleShape: shapeOf(images),
            makeInput: (from, to) => toTensor(images, from, to, options.normalize),
            onOutputs: (from, to, outputs, count) => {
              const positions = order.slice(first + from, first + to);
              const batch: BatchContext = {
                start: first + from,
                geometry: images.geometry.slice(from, to),
                inputSize: [images.height, images.width],
                samples: positions.map((i) => samples[i]),
              };
              countNonFinite(outputs, count, batch.samples?.map((s) => s.id) ?? [], nonFinite.get(run) as NonFinite);
              const predictions = namingModel(run.model.label, () => options.decode(outputs, count, batch));
              for (let i = 0; i < count; i++) run.predictions[positions[i]] = predictions[i];
            },
            onBatch: (done) => tick(start, length, 1 + r + (offset + done) / length),
          });
        }
      }
      if (!options.overlap && k + 1 < chunks) next = decodeChunk(k + 1);
    }
    progress.tick(total);
  } finally {
    progress.end();
  }
  const notNumbers = nonFiniteError(
    runs.map((run) => ({ label: run.model.label, found: nonFinite.get(run) as NonFinite })),
    total,
  );
  if (notNumbers) throw notNumbers;
  return { chunkImages: perChunk, chunks, firstImages };
}
