/**
 * The preprocess stage: turns eval-set image files into the pixels a model sees.
 *
 * Each image is decoded once per run into one uint8 HWC buffer (DecodedImages). The engine keeps
 * it and calls toTensor() per batch for every model whose decodeSpecKey() is equal, so two models
 * with the same decode never decode twice, and keeping uint8 instead of float32 keeps that memory 4×
 * lower. Per image: PNG fast path (png.ts) or sharp decode (sharp-path.ts) → exact colour
 * conversion (color.ts) → PIL-exact resize when the size changes (resize.ts) → crop/pad into the
 * slot (geometry.ts). Only the decode of non-PNG (or unusual PNG) files needs sharp.
 * docs/preprocessing.md explains the choices (kernels, gray conversion, alpha) for users.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { constants as bufferConstants } from 'node:buffer';
import type { DecodeSpec, NormalizeSpec } from '../config/types.js';
import type { ImageGeometry } from '../contracts/tensors.js';
import { UserError } from '../errors.js';
import type { Progress } from '../progress.js';
import { convertColor } from './color.js';
import { planResize, placeInto, type Slot } from './geometry.js';
import { decodePngFast } from './png.js';
import { resizePixels } from './resize.js';
import { decodeWithSharp } from './sharp-path.js';
import { toTensor as buildTensor } from './tensor.js';

export { imageSize } from './image-size.js';
export { autoLetterboxSize, letterboxRatio, rectInputSize, type FitOptions } from './rect.js';
export { resolveInputSize } from './input-size.js';

/** Decoded, resized pixels for a whole eval set: uint8, HWC, channels in the order `color` asks (bgr swaps R and B). */
export interface DecodedImages { count: number; height: number; width: number; channels: 1 | 3; pixels: Uint8Array; geometry: ImageGeometry[] }
/**
 * A DecodeSpec with its size known. For rect, `size` is the set-wide input size (rectInputSize)
 * and `fitWithin` the bound [H, W] the resize ratio is taken from (the configured size).
 */
export type ResolvedDecodeSpec = DecodeSpec & { size: readonly [number, number]; fitWithin?: readonly [number, number] | null };

/** Progress is ticked about 100 times per run rather than per image. */
const PROGRESS_STEPS = 100;

export async function decodeImages(
  files: readonly string[],
  spec: ResolvedDecodeSpec,
  progress: Progress,
  opts?: { concurrency?: number },
): Promise<DecodedImages> {
  const [height, width] = spec.size;
  if (![height, width].every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`decodeImages: size must be two positive integers, got [${spec.size.join(', ')}]`);
  }
  const channels = spec.color === 'gray' ? 1 : 3;
  const imageBytes = height * width * channels;
  const totalBytes = files.length * imageBytes;
  if (totalBytes > bufferConstants.MAX_LENGTH) {
    const gib = (totalBytes / 2 ** 30).toFixed(1);
    throw new UserError(
      `eval set: ${files.length} images at ${height}x${width}x${channels} need ${gib} GiB decoded, over the ${bufferConstants.MAX_LENGTH / 2 ** 30} GiB this Node.js can hold in one buffer`,
    );
  }
  const pixels = new Uint8Array(totalBytes);
  const geometry = new Array<ImageGeometry>(files.length);
  const concurrency = Math.max(1, Math.floor(opts?.concurrency ?? defaultConcurrency()));
  const tickEvery = Math.max(1, Math.ceil(files.length / PROGRESS_STEPS));
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < files.length && !failed) {
      const index = next++;
      const slot: Slot = { out: pixels, offset: index * imageBytes, width, height, channels };
      try {
        geometry[index] = await decodeInto(files[index], spec, slot);
      } catch (error) {
        failed = true; // the other workers finish their current file and stop, without ticking
        throw error;
      }
      done++;
      if (done % tickEvery === 0 && !failed) progress.tick(done);
    }
  };
  progress.start('decode', files.length);
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
    if (done % tickEvery !== 0) progress.tick(done);
  } finally {
    progress.end();
  }
  return { count: files.length, height, width, channels, pixels, geometry };
}

/**
 * sharp decodes in libuv's thread pool (4 threads by default); keeping more calls in flight than
 * that keeps the pool fed while this thread reads files and sets up the next calls. Measured on
 * 2 cores, 10k tiny images through sharp: concurrency 1 → 5.3 s, 2 → 3.8 s, 4 → 3.1 s, 8 → 2.5 s.
 */
function defaultConcurrency(): number {
  return Math.max(8, 2 * availableParallelism());
}

/** Decodes one file into its slot of the shared buffer and returns its geometry. */
async function decodeInto(file: string, spec: ResolvedDecodeSpec, slot: Slot): Promise<ImageGeometry> {
  const bytes = readImageFile(file);
  const decoded = decodePngFast(bytes) ?? (await decodeOrExplain(file, bytes));
  const converted = convertColor(decoded, spec.color);
  const plan = planResize(decoded.width, decoded.height, spec);
  const resized = resizePixels(
    converted.data,
    decoded.width,
    decoded.height,
    converted.channels,
    plan.resizedWidth,
    plan.resizedHeight,
    spec.kernel,
  );
  placeInto(resized, plan, slot);
  return plan.geometry;
}

/**
 * Synchronous on purpose: for 10k small files fs.promises.readFile took 0.8–2.6 s (four thread-pool
 * round trips per file, competing with sharp for the pool) against 0.09 s for readFileSync. sharp
 * keeps decoding in the pool while this thread reads.
 */
function readImageFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = messageOf(error).split(', ')[0]; // "ENOENT: no such file or directory, open '…'" → drop the repeated path
    throw new UserError(`${file}: cannot read file (${reason})`, { cause: error });
  }
}

async function decodeOrExplain(file: string, bytes: Buffer) {
  try {
    return await decodeWithSharp(bytes);
  } catch (error) {
    const message = messageOf(error);
    const what = /unsupported image format|empty/i.test(message) ? 'not an image' : 'corrupt or unreadable image';
    throw new UserError(`${file}: ${what} (sharp: ${message.trim()})`, { cause: error });
  }
}

/** An error's message; duck-typed because errors from Node's internals may come from another realm (jest's VM). */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** Builds the float32 model input for samples [start, end): x = (pixel*scale - mean[c]) / std[c], in nchw or nhwc. mean/std of length 1 broadcast over channels. */
export function toTensor(images: DecodedImages, start: number, end: number, norm: NormalizeSpec): Float32Array {
  return buildTensor(images, start, end, norm);
}

/**
 * Equal keys ⇒ the decode can be shared between models. Only fields that change the pixels are
 * in it: cropRatio matters only for center-crop; padValue and scaleup for letterbox and rect; the
 * bound the ratio is taken from for rect (its size is already the resolved input size).
 */
export function decodeSpecKey(spec: ResolvedDecodeSpec): string {
  const parts = [spec.color, `${spec.size[0]}x${spec.size[1]}`, spec.resize, spec.kernel];
  if (spec.resize === 'center-crop') parts.push(`cropRatio=${spec.cropRatio}`);
  if (spec.resize === 'letterbox' || spec.resize === 'rect') {
    parts.push(`padValue=${spec.padValue}`);
    if (spec.scaleup === false) parts.push('scaleup=false');
  }
  if (spec.resize === 'rect') parts.push(`within=${(spec.fitWithin ?? spec.size).join('x')}`);
  return parts.join('|');
}
