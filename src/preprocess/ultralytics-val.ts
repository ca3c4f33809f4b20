/**
 * What `yolo val` does to an image, as Ultralytics' code does it (ultralytics/data/base.py
 * load_image and set_rectangle, data/augment.py LetterBox, utils/ops.py scale_boxes; read at
 * commit 002363f1 of ultralytics/ultralytics, docs/preprocessing.md):
 *
 * 1. load_image: r = imgsz / max(h0, w0); when r ≠ 1 the image is resized (cv2 INTER_LINEAR) to
 *    (min(ceil(w0·r), imgsz), min(ceil(h0·r), imgsz)).
 * 2. LetterBox(new_shape, scaleup=False, center=True): into the batch's shape (rect) or
 *    imgsz × imgsz, padded with 114, left = round(dw/2 − 0.1), top = round(dh/2 − 0.1). The
 *    shape always holds the resized image, so LetterBox never resizes again in val.
 * 3. Rect batches (set_rectangle): images sorted by aspect ratio h/w, cut into batches of the val
 *    batch size; a batch whose ratios are all < 1 gets shape [max, 1], all > 1 gets [1, 1/min],
 *    else [1, 1]; then ceil(shape · imgsz / stride + 0.5) · stride.
 * 4. scale_boxes maps a box back with gain = h1/h0 for both axes and the letterbox padding.
 *
 * numpy's argsort (quicksort, SIMD on some CPUs) orders images of equal aspect ratio in a way that
 * depends on its version and CPU; here ties keep the eval set's order. The batches' shapes are the
 * same either way; only an image tied with one across a batch boundary can change batches.
 */
import type { ImageGeometry } from '../contracts/tensors.js';
import type { FitPlan } from './rect.js';
import { roundHalfEven } from './round.js';

/** The val loader's padding, in strides (Ultralytics: 0.5 for val, 0 for train). */
export const VAL_PAD = 0.5;

/** Steps 1 and 2 for one w0×h0 image into `target` [H, W], with imgsz the long side's size. */
export function planUltralyticsVal(width: number, height: number, imgsz: number, target: readonly [number, number]): FitPlan {
  const r = imgsz / Math.max(height, width);
  const [resizedWidth, resizedHeight] = r === 1 ? [width, height] : [Math.min(Math.ceil(width * r), imgsz), Math.min(Math.ceil(height * r), imgsz)];
  const [targetHeight, targetWidth] = target;
  if (resizedWidth > targetWidth || resizedHeight > targetHeight) {
    throw new RangeError(`planUltralyticsVal: ${width}x${height} resized to ${resizedWidth}x${resizedHeight} does not fit the ${targetWidth}x${targetHeight} batch shape`);
  }
  const gain = resizedHeight / height;
  const geometry: ImageGeometry = {
    width,
    height,
    scaleX: gain,
    scaleY: gain,
    padLeft: roundHalfEven((targetWidth - resizedWidth) / 2 - 0.1),
    padTop: roundHalfEven((targetHeight - resizedHeight) / 2 - 0.1),
    cropLeft: 0,
    cropTop: 0,
  };
  return { resizedWidth, resizedHeight, geometry };
}

/** Rect batches: the stream order (sample indices, by aspect ratio) and each batch's [H, W]. */
export interface RectBatches {
  readonly batchSize: number;
  readonly order: readonly number[];
  readonly shapes: readonly (readonly [number, number])[];
}

/** Step 3 over the images' sizes (in eval-set order). */
export function ultralyticsRectBatches(sizes: readonly { readonly width: number; readonly height: number }[], batchSize: number, imgsz: number, stride: number): RectBatches {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const ratios = sizes.map((s) => s.height / s.width);
  const order = ratios.map((_, i) => i).sort((a, b) => ratios[a] - ratios[b] || a - b);
  const shapes: [number, number][] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize).map((i) => ratios[i]);
    const [low, high] = [Math.min(...batch), Math.max(...batch)];
    const shape = high < 1 ? [high, 1] : low > 1 ? [1, 1 / low] : [1, 1];
    shapes.push([Math.ceil((shape[0] * imgsz) / stride + VAL_PAD) * stride, Math.ceil((shape[1] * imgsz) / stride + VAL_PAD) * stride]);
  }
  return { batchSize, order, shapes };
}
