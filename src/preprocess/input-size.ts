/**
 * Resolves the model input size of a decode: the configured (or the model's) [H, W] as is, except
 * for `rect` and `letterbox` with `auto`, whose input is the set-wide stride-padded size of
 * rect.ts. Those read every image's header (no pixels), once per run for any number of models.
 */
import type { DecodeSpec } from '../config/types.js';
import { imageSize } from './image-size.js';
import type { ResolvedDecodeSpec } from './types.js';
import { UserError } from '../errors.js';
import { rectInputSize } from './rect.js';
import { ultralyticsRectBatches } from './ultralytics-val.js';

/** Header reads at once: mostly waiting on the disk. */
const CONCURRENCY = 16;

export type ImageSizes = () => Promise<readonly { width: number; height: number }[]>;

/** Reads the sizes of `files` on first call and returns the same promise afterwards. */
export function imageSizesOnce(files: readonly string[]): ImageSizes {
  let sizes: Promise<{ width: number; height: number }[]> | null = null;
  return () => {
    sizes ??= (async () => {
      const out = new Array<{ width: number; height: number }>(files.length);
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const index = next++;
          out[index] = await imageSize(files[index]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
      return out;
    })();
    return sizes;
  };
}

/**
 * `bound` is the configured size (or the model's fixed one). letterbox (auto false) and the
 * classification modes keep it; rect and letterbox auto become resize 'rect' with the input size
 * from rectInputSize and the ratio taken from the bound (Ultralytics LetterBox(auto=True)).
 * ultralytics-val takes a square bound (Ultralytics' imgsz); with rect, its batches come from the
 * image sizes and `batchSize` (Ultralytics' val batch).
 */
export async function resolveInputSize(spec: DecodeSpec, bound: readonly [number, number], sizes: ImageSizes, options: { batchSize: number }): Promise<ResolvedDecodeSpec> {
  if (spec.resize === 'ultralytics-val') {
    if (bound[0] !== bound[1]) throw new UserError(`preprocess.size: ultralytics-val takes a square size (Ultralytics' imgsz), got [${bound.join(', ')}]`);
    if (!spec.rect) return { ...spec, size: [bound[0], bound[1]], fitWithin: [bound[0], bound[1]], rectBatches: null };
    const rectBatches = ultralyticsRectBatches(await sizes(), options.batchSize, bound[0], spec.stride ?? 32);
    const size: [number, number] = [Math.max(...rectBatches.shapes.map((s) => s[0])), Math.max(...rectBatches.shapes.map((s) => s[1]))];
    return { ...spec, size, fitWithin: [bound[0], bound[1]], rectBatches };
  }
  const rect = spec.resize === 'rect' || (spec.resize === 'letterbox' && spec.auto === true);
  if (!rect) return { ...spec, size: [bound[0], bound[1]] };
  const scaleup = spec.scaleup ?? true;
  const size = rectInputSize(await sizes(), bound, { stride: spec.stride ?? 32, scaleup });
  return { ...spec, resize: 'rect', auto: false, size, fitWithin: [bound[0], bound[1]] };
}
