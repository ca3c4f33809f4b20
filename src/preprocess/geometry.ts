/**
 * Resize geometry: given an image's size and the DecodeSpec, where the image is resized to and how
 * it is cropped or padded into the model's [height, width]. Pure arithmetic, no pixels, except
 * placeInto() which copies a resized image into its slot of the output buffer.
 *
 * The rounding follows the libraries users' models were trained with, so an image ends up with
 * the same size and offsets as in training:
 * - stretch: straight to [H, W].
 * - center-crop (torchvision Resize(N) then CenterCrop): N = round(min(H, W) / cropRatio), half to
 *   even like Python (224 / 0.875 = 256). The shorter side becomes N and the longer side
 *   int(N · long / short), truncated, as torchvision computes it. The crop offset is
 *   int(round((resized - target) / 2)) with Python's round. If the resized image is smaller than the
 *   target on one axis (only possible for non-square targets) it is padded with 0 on that axis,
 *   as torchvision's CenterCrop does.
 * - letterbox (Ultralytics LetterBox, auto=False): r = min(H/h, W/w) (≤ 1 when scaleup is false), resized to
 *   (round(w·r), round(h·r)), padded with padValue; left = round(dw/2 - 0.1), top = round(dh/2 - 0.1).
 * - rect (detection, rect.ts): LetterBox(auto=True) made set-wide; size is then rectInputSize().
 *
 * ImageGeometry maps a model-space point back to the original image:
 *   x_original = (x_model - padLeft + cropLeft) / scaleX, and likewise for y.
 */
import type { ImageGeometry } from '../contracts/tensors.js';
import type { ResolvedDecodeSpec } from './types.js';
import { planFit } from './rect.js';
import { planUltralyticsVal } from './ultralytics-val.js';
import { roundHalfEven } from './round.js';

export { roundHalfEven };

/**
 * The spec planResize reads: a ResolvedDecodeSpec plus the detection options (rect.ts), which are
 * optional so classification specs pass as they are. scaleup (default true) applies to letterbox
 * and rect; fitWithin is rect's bound [H, W] for the ratio (default: size), while size is the
 * input size from rectInputSize().
 */
export type GeometrySpec = Omit<ResolvedDecodeSpec, 'resize'> & {
  readonly resize: ResolvedDecodeSpec['resize'] | 'rect';
  readonly scaleup?: boolean;
  readonly fitWithin?: readonly [number, number] | null;
};

export interface ResizePlan {
  /** The size the decoded image is resized to, before the crop or the padding. */
  resizedWidth: number;
  resizedHeight: number;
  geometry: ImageGeometry;
  /** Value written where the image does not cover the target. */
  fill: number;
}

export function planResize(width: number, height: number, spec: GeometrySpec): ResizePlan {
  const [targetHeight, targetWidth] = spec.size;
  if (spec.resize === 'stretch') {
    return makePlan(width, height, targetWidth, targetHeight, { left: 0, top: 0 }, { left: 0, top: 0 }, 0);
  }
  if (spec.resize === 'center-crop') {
    const shortTarget = Math.max(1, roundHalfEven(Math.min(targetHeight, targetWidth) / spec.cropRatio));
    const [short, long] = width <= height ? [width, height] : [height, width];
    const longTarget = Math.max(1, Math.floor((shortTarget * long) / short));
    const [resizedWidth, resizedHeight] = width <= height ? [shortTarget, longTarget] : [longTarget, shortTarget];
    const [cropLeft, padLeft] = centreOffsets(resizedWidth, targetWidth);
    const [cropTop, padTop] = centreOffsets(resizedHeight, targetHeight);
    return makePlan(width, height, resizedWidth, resizedHeight, { left: cropLeft, top: cropTop }, { left: padLeft, top: padTop }, 0);
  }
  if (spec.resize === 'ultralytics-val') {
    const fit = planUltralyticsVal(width, height, (spec.fitWithin ?? spec.size)[0], spec.size);
    return { resizedWidth: fit.resizedWidth, resizedHeight: fit.resizedHeight, geometry: fit.geometry, fill: spec.padValue };
  }
  // letterbox, and rect (letterbox by the ratio that fits fitWithin, into the set-wide input size)
  const bound = spec.resize === 'rect' ? (spec.fitWithin ?? spec.size) : spec.size;
  const fit = planFit(width, height, bound, spec.size, spec.scaleup ?? true);
  return { resizedWidth: fit.resizedWidth, resizedHeight: fit.resizedHeight, geometry: fit.geometry, fill: spec.padValue };
}

/** torchvision CenterCrop on one axis: [crop, pad] offsets. */
function centreOffsets(resized: number, target: number): [number, number] {
  if (resized >= target) return [roundHalfEven((resized - target) / 2), 0];
  return [0, Math.floor((target - resized) / 2)];
}

function makePlan(
  width: number,
  height: number,
  resizedWidth: number,
  resizedHeight: number,
  crop: { left: number; top: number },
  pad: { left: number; top: number },
  fill: number,
): ResizePlan {
  return {
    resizedWidth,
    resizedHeight,
    fill,
    geometry: {
      width,
      height,
      scaleX: resizedWidth / width,
      scaleY: resizedHeight / height,
      padLeft: pad.left,
      padTop: pad.top,
      cropLeft: crop.left,
      cropTop: crop.top,
    },
  };
}

export interface Slot {
  out: Uint8Array;
  offset: number;
  width: number;
  height: number;
  channels: number;
}

/** Copies the resized image into its slot, applying the plan's crop and padding. */
/** The part of the resized image that lands in the slot (all of it, unless a center crop cuts it). */
export function keptWindow(plan: ResizePlan, slot: Pick<Slot, 'width' | 'height'>): { left: number; top: number; width: number; height: number } {
  const { padLeft, padTop, cropLeft, cropTop } = plan.geometry;
  const width = Math.max(0, Math.min(slot.width - padLeft, plan.resizedWidth - cropLeft));
  const height = Math.max(0, Math.min(slot.height - padTop, plan.resizedHeight - cropTop));
  return { left: cropLeft, top: cropTop, width, height };
}

/** The plan for pixels already cut to keptWindow: nothing left to crop. */
export function windowPlan(plan: ResizePlan, window: { width: number; height: number }): ResizePlan {
  return { ...plan, resizedWidth: window.width, resizedHeight: window.height, geometry: { ...plan.geometry, cropLeft: 0, cropTop: 0 } };
}

export function placeInto(resized: Uint8Array, plan: ResizePlan, slot: Slot): void {
  const { padLeft, padTop, cropLeft, cropTop } = plan.geometry;
  const { out, offset, width, height, channels } = slot;
  const copyWidth = Math.min(width - padLeft, plan.resizedWidth - cropLeft);
  const copyHeight = Math.min(height - padTop, plan.resizedHeight - cropTop);
  if (copyWidth === width && plan.resizedWidth === width && copyHeight === height && cropTop === 0) {
    out.set(resized.subarray(0, width * height * channels), offset); // the common no-crop, no-pad case
    return;
  }
  if (copyWidth < width || copyHeight < height) out.fill(plan.fill, offset, offset + width * height * channels);
  for (let y = 0; y < copyHeight; y++) {
    const from = ((y + cropTop) * plan.resizedWidth + cropLeft) * channels;
    const to = offset + ((y + padTop) * width + padLeft) * channels;
    out.set(resized.subarray(from, from + copyWidth * channels), to);
  }
}
