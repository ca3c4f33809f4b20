/**
 * Detection geometry: Ultralytics LetterBox with `scaleup` and `auto`, and `rect` input for
 * models with dynamic H/W. Pure arithmetic, no pixels.
 *
 * Ultralytics LetterBox(new_shape=(H, W), auto, scaleup, center=True), for an image w×h:
 *   r = min(H/h, W/w), and min(r, 1) when scaleup is false (never enlarges);
 *   resized to (round(w·r), round(h·r)) with Python's round;
 *   dw = W - new_w, dh = H - new_h; with auto, dw = dw mod stride and dh = dh mod stride;
 *   left = round(dw/2 - 0.1), top = round(dh/2 - 0.1) (the odd pixel goes right/bottom).
 * With auto the output is (new_w + dw) × (new_h + dh), which depends on the image's aspect ratio.
 *
 * A model input is one tensor size for the whole eval set, so `rect` is `auto` made set-wide:
 * the input size is the largest auto size over the set's images (rectInputSize), and each image is
 * resized by its own r (from the bound [H, W], usually [imgsz, imgsz]) and padded, centred, into
 * it. When all images share one size (one camera: the usual case) this is exactly LetterBox(auto=True)
 * per image, e.g. a 160×256 scene with bound 256 and stride 16 or 32 goes in as is, unpadded.
 * Mixed aspect ratios all get the largest size, like Ultralytics' val `rect` batches, whose
 * shape is set by the batch's extreme aspect ratios (here the batch is the whole set).
 */
import type { ImageGeometry } from '../contracts/tensors.js';
import { roundHalfEven } from './round.js';

export interface FitOptions {
  /** false: never enlarge (Ultralytics val uses scaleup=False); r is capped at 1. */
  readonly scaleup: boolean;
  /** Padding multiple for auto/rect; 32 for most YOLO models (their largest stride). */
  readonly stride: number;
}

export interface FitPlan {
  resizedWidth: number;
  resizedHeight: number;
  geometry: ImageGeometry;
}

/** Ultralytics' ratio: the largest r that fits w×h inside bound [H, W], capped at 1 without scaleup. */
export function letterboxRatio(width: number, height: number, bound: readonly [number, number], scaleup: boolean): number {
  const ratio = Math.min(bound[0] / height, bound[1] / width);
  return scaleup ? ratio : Math.min(ratio, 1);
}

/** The size an image is resized to before padding: (round(w·r), round(h·r)), at least 1 px. */
export function resizedSize(width: number, height: number, ratio: number): { width: number; height: number } {
  return { width: Math.max(1, roundHalfEven(width * ratio)), height: Math.max(1, roundHalfEven(height * ratio)) };
}

/** [H, W] of LetterBox(new_shape=bound, auto=True) for one image: the resized size plus (bound - resized) mod stride. */
export function autoLetterboxSize(width: number, height: number, bound: readonly [number, number], options: FitOptions): [number, number] {
  checkStride(options.stride);
  const resized = resizedSize(width, height, letterboxRatio(width, height, bound, options.scaleup));
  const mod = (value: number) => ((value % options.stride) + options.stride) % options.stride; // numpy's mod is never negative
  return [resized.height + mod(bound[0] - resized.height), resized.width + mod(bound[1] - resized.width)];
}

/**
 * The model input [H, W] for `rect`: the largest autoLetterboxSize over the images. The sizes
 * come from the labels (COCO `images[].width/height`) or imageSize(), so no pixel is decoded.
 */
export function rectInputSize(imageSizes: Iterable<{ readonly width: number; readonly height: number }>, bound: readonly [number, number], options: FitOptions): [number, number] {
  let [inputHeight, inputWidth] = [0, 0];
  for (const { width, height } of imageSizes) {
    const [h, w] = autoLetterboxSize(width, height, bound, options);
    inputHeight = Math.max(inputHeight, h);
    inputWidth = Math.max(inputWidth, w);
  }
  if (inputHeight === 0) throw new RangeError('rectInputSize: no images');
  return [inputHeight, inputWidth];
}

/**
 * Resizes w×h by r = letterboxRatio(bound) and pads it, centred the Ultralytics way, into
 * target [H, W]. Plain letterbox is bound = target; rect is bound = [imgsz, imgsz] and target =
 * rectInputSize(...). The target must hold the resized image.
 */
export function planFit(width: number, height: number, bound: readonly [number, number], target: readonly [number, number], scaleup: boolean): FitPlan {
  const resized = resizedSize(width, height, letterboxRatio(width, height, bound, scaleup));
  const [targetHeight, targetWidth] = target;
  if (resized.width > targetWidth || resized.height > targetHeight) {
    throw new RangeError(`planFit: ${width}x${height} resized to ${resized.width}x${resized.height} does not fit the ${targetWidth}x${targetHeight} input`);
  }
  return {
    resizedWidth: resized.width,
    resizedHeight: resized.height,
    geometry: {
      width,
      height,
      scaleX: resized.width / width,
      scaleY: resized.height / height,
      padLeft: roundHalfEven((targetWidth - resized.width) / 2 - 0.1),
      padTop: roundHalfEven((targetHeight - resized.height) / 2 - 0.1),
      cropLeft: 0,
      cropTop: 0,
    },
  };
}

function checkStride(stride: number): void {
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer, got ${stride}`);
}
