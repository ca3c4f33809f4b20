/**
 * Decodes a list of files into one DecodedImages per preprocessing, on the calling thread. The
 * decode workers run exactly this on their share of a chunk (decode-worker.ts), and the pool falls
 * back to it when it has no workers, so both paths give the same bytes.
 */
import type { Slot } from './geometry.js';
import { decodeFileInto } from './decode-file.js';
import type { ImageGeometry } from '../contracts/tensors.js';
import { imageBytes, type DecodedImages, type ResolvedDecodeSpec } from './types.js';

/** Pixels for `count` images of `spec`, in a SharedArrayBuffer so decode workers can write them. */
export function allocateImages(count: number, spec: ResolvedDecodeSpec): DecodedImages {
  const [height, width] = spec.size;
  if (![height, width].every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`decode: size must be two positive integers, got [${spec.size.join(', ')}]`);
  }
  const channels = spec.color === 'gray' ? 1 : 3;
  const pixels = new Uint8Array(new SharedArrayBuffer(Math.max(1, count * imageBytes(spec))), 0, count * imageBytes(spec));
  return { count, height, width, channels, pixels, geometry: new Array<ImageGeometry>(count) };
}

/**
 * `count` images in the buffer of `images` (made by allocateImages for at least that many): how
 * the stream reuses one buffer per preprocessing for every chunk instead of allocating anew.
 * A SharedArrayBuffer is freed only once every worker has dropped it, which an idle worker's
 * lazy garbage collector may not do for a long time, so reusing is what keeps memory flat.
 */
export function reuseImages(images: DecodedImages, count: number): DecodedImages {
  const bytes = images.height * images.width * images.channels;
  const room = images.pixels.buffer.byteLength - images.pixels.byteOffset;
  if (count * bytes > room) throw new RangeError(`reuseImages: room for ${Math.floor(room / bytes)} images, asked for ${count}`);
  return { ...images, count, pixels: new Uint8Array(images.pixels.buffer, images.pixels.byteOffset, count * bytes), geometry: new Array<ImageGeometry>(count) };
}

/**
 * `count` images of `shape` [H, W] in `buffer` (allocateImages of a larger shape), starting at
 * buffer image `first`: a rect batch decoded at its own shape into its place in a chunk's buffer.
 */
export function viewImages(buffer: DecodedImages, first: number, count: number, shape: readonly [number, number]): DecodedImages {
  const slot = buffer.height * buffer.width * buffer.channels;
  const bytes = shape[0] * shape[1] * buffer.channels;
  if (bytes > slot || first + count > buffer.count) throw new RangeError(`viewImages: ${count} images of ${shape.join('x')} do not fit from image ${first} of the buffer`);
  const pixels = new Uint8Array(buffer.pixels.buffer, buffer.pixels.byteOffset + first * slot, count * bytes);
  return { count, height: shape[0], width: shape[1], channels: buffer.channels, pixels, geometry: new Array<ImageGeometry>(count) };
}

/** The slot of image `index` in `images`. */
export function slotOf(images: DecodedImages, index: number): Slot {
  const bytes = images.height * images.width * images.channels;
  return { out: images.pixels, offset: index * bytes, width: images.width, height: images.height, channels: images.channels };
}

/**
 * Decodes files[i] into image `first + i` of every `images[k]` (made with specs[k]), with up to
 * `concurrency` files in flight: sharp decodes in libuv's thread pool while this thread resizes
 * the previous file. Returns the geometry per file, per spec; `onFile` ticks after each file.
 */
export async function decodeFilesInto(
  files: readonly string[],
  first: number,
  specs: readonly ResolvedDecodeSpec[],
  images: readonly DecodedImages[],
  concurrency: number,
  onFile: () => void = () => {},
): Promise<ImageGeometry[][]> {
  const geometry = new Array<ImageGeometry[]>(files.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < files.length && !failed) {
      const i = next++;
      const targets = specs.map((spec, k) => ({ spec, slot: slotOf(images[k], first + i) }));
      try {
        geometry[i] = await decodeFileInto(files[i], targets);
      } catch (error) {
        failed = true; // the others finish their current file and stop
        throw error;
      }
      onFile();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker));
  return geometry;
}
