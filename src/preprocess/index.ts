/**
 * The preprocess stage: turns eval-set image files into the pixels a model sees.
 *
 * The engine streams the eval set in chunks: the decode pool (pool.ts) decodes each chunk once for
 * every distinct preprocessing (decodeSpecKey) into uint8 HWC buffers, every model that shares a
 * preprocessing builds its float tensors from them one batch at a time (toTensor), and the chunk
 * is dropped. Keeping uint8 instead of float32 keeps that memory 4× lower. One file's decode
 * (PNG fast path or sharp, exact colour conversion, PIL-exact resize, crop/pad) is decode-file.ts;
 * only the decode of non-PNG (or unusual PNG) files needs sharp. docs/preprocessing.md explains
 * the choices (kernels, gray conversion, alpha) for users.
 */
import type { NormalizeSpec } from '../config/types.js';
import type { Progress } from '../progress.js';
import { openDecodePool } from './pool.js';
import { toTensor as buildTensor } from './tensor.js';
import type { DecodedImages, ResolvedDecodeSpec } from './types.js';

export { imageSize } from './image-size.js';
export { autoLetterboxSize, letterboxRatio, rectInputSize, type FitOptions } from './rect.js';
export { resolveInputSize, imageSizesOnce, type ImageSizes } from './input-size.js';
export { planUltralyticsVal, ultralyticsRectBatches, type RectBatches } from './ultralytics-val.js';
export { filesInFlightPerWorker, openDecodePool, type DecodePool } from './pool.js';
export { allocateImages, viewImages } from './decode-batch.js';
export { imageBytes, type DecodedImages, type ResolvedDecodeSpec } from './types.js';

/** Decodes a whole list of files for one spec on this thread (small sets: calibration files, tests). */
export async function decodeImages(files: readonly string[], spec: ResolvedDecodeSpec, progress: Progress): Promise<DecodedImages> {
  const pool = openDecodePool({ workers: 0 });
  progress.start('decode', files.length);
  try {
    const [images] = await pool.decode(files, [spec], (done) => progress.tick(done));
    return images;
  } finally {
    progress.end();
  }
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
  if (spec.resize === 'ultralytics-val') {
    parts.push(`padValue=${spec.padValue}`, `imgsz=${(spec.fitWithin ?? spec.size)[0]}`);
    if (spec.rectBatches) parts.push(`rectBatches=${spec.rectBatches.batchSize}/${spec.stride ?? 32}`);
  }
  if (spec.resize === 'letterbox' || spec.resize === 'rect') {
    parts.push(`padValue=${spec.padValue}`);
    if (spec.scaleup === false) parts.push('scaleup=false');
  }
  if (spec.resize === 'rect') parts.push(`within=${(spec.fitWithin ?? spec.size).join('x')}`);
  return parts.join('|');
}
