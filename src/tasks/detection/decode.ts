/**
 * Turns a detector's raw output into boxes in original-image pixels, for the three layouts:
 * - yolov8  [B, 4+C, N]: cx, cy, w, h (input pixels), then C class scores (already sigmoid);
 * - yolov5  [B, N, 5+C]: cx, cy, w, h, objectness, C class scores; score = objectness × class;
 * - end2end [B, K, 6]:   x1, y1, x2, y2, score, class (YOLOv10, or exported with NMS inside).
 *
 * yolov8/yolov5 follow Ultralytics' non_max_suppression: one label per box (the argmax class),
 * score > conf, the maxNms best by score, class-wise NMS at IoU > iou, at most maxDet per image.
 * end2end keeps rows with score > conf, best first, at most maxDet. Boxes map back through the
 * ImageGeometry of the preprocessing, x = (x_model − padLeft + cropLeft) / scaleX (y likewise),
 * and are then clipped to the image like Ultralytics' scale_boxes (clip: false keeps them as the
 * model drew them, which is how the fixture's reference detections were written).
 */
import { UserError } from '../../errors.js';
import type { ImageGeometry } from '../../contracts/tensors.js';
import { byScoreDescending, nmsClassWise, topByScore } from './nms.js';

export type OutputLayout = 'yolov8' | 'yolov5' | 'end2end';

export interface DecodeOptions {
  /** Keep boxes with score > conf. */
  conf: number;
  /** Class-wise NMS suppresses IoU > iou. */
  iou: number;
  /** Candidates kept, by score, before NMS (Ultralytics: 30000; the fixture's references: 1000). */
  maxNms: number;
  /** Detections kept per image. */
  maxDet: number;
  /** Clip boxes to the image (Ultralytics does); default true. */
  clip?: boolean;
  /** yolov8/yolov5: every class above conf gives a candidate, as `yolo val` does (multi_label=True); default: the best class only. */
  multiLabel?: boolean;
}

export interface RawDetection {
  /** x1, y1, x2, y2 in original image pixels. */
  box: [number, number, number, number];
  score: number;
  classIndex: number;
}

const END2END_COLUMNS = 6;

/**
 * Which layout a [B, ·, ·] output has, for `detection.output: auto`; reason says why. Symbolic
 * dims (strings, e.g. a dynamic N) are unknown and match nothing fixed. No match, or more than
 * one (e.g. 1 class: yolov5 [B, N, 6] looks like end2end [B, K, 6]) → UserError naming the shape.
 */
export function inferLayout(dims: readonly (number | string)[], numClasses: number): { layout: OutputLayout; reason: string } {
  const shape = `[${dims.join(', ')}]`;
  const C = numClasses;
  const expected = `yolov8 [B, ${4 + C}, N], yolov5 [B, N, ${5 + C}] or end2end [B, K, 6] for ${C} classes`;
  if (dims.length !== 3) throw new UserError(`detection output has shape ${shape}, which fits no layout: expected ${expected}`);
  const matches: { layout: OutputLayout; reason: string }[] = [];
  if (dims[1] === 4 + C) matches.push({ layout: 'yolov8', reason: `shape ${shape}: dim 1 is 4 + ${C} classes (cx, cy, w, h, class scores)` });
  if (dims[2] === 5 + C) matches.push({ layout: 'yolov5', reason: `shape ${shape}: dim 2 is 5 + ${C} classes (cx, cy, w, h, objectness, class scores)` });
  if (dims[2] === END2END_COLUMNS) matches.push({ layout: 'end2end', reason: `shape ${shape}: dim 2 is 6 (x1, y1, x2, y2, score, class)` });
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new UserError(`detection output shape ${shape} fits ${matches.map((m) => m.layout).join(' and ')}; set detection.output to say which`);
  }
  const transposed = dims[2] === 4 + C ? ` (dim 2 is 4 + ${C}: a transposed yolov8 output [B, N, ${4 + C}] is not supported)` : '';
  throw new UserError(`detection output has shape ${shape}, which fits no layout: expected ${expected}${transposed}`);
}

/** Decodes samples [0, count) of a batch output into detections per image, in original pixels. */
export function decodeBatch(
  output: { readonly data: Float32Array; readonly dims: readonly number[] },
  layout: OutputLayout,
  count: number,
  geometry: readonly ImageGeometry[],
  options: DecodeOptions,
): RawDetection[][] {
  const { data, dims } = output;
  if (dims.length !== 3 || dims[0] < count || geometry.length < count || data.length !== dims[0] * dims[1] * dims[2]) {
    throw new Error(`decodeBatch: output [${dims.join(', ')}] (${data.length} values) for ${count} images with ${geometry.length} geometries`);
  }
  const perImage = dims[1] * dims[2];
  const results: RawDetection[][] = [];
  for (let b = 0; b < count; b++) {
    const sample = data.subarray(b * perImage, (b + 1) * perImage);
    const found = layout === 'end2end' ? endToEnd(sample, dims[1], options) : yolo(sample, layout, dims, options);
    results.push(found.map((detection) => toOriginal(detection, geometry[b], options.clip ?? true)));
  }
  return results;
}

/** YOLOv8 / YOLOv5 rows: best class per box, conf filter, top maxNms, class-wise NMS. */
function yolo(sample: Float32Array, layout: 'yolov8' | 'yolov5', dims: readonly number[], options: DecodeOptions): RawDetection[] {
  const v8 = layout === 'yolov8';
  const [anchors, channels] = v8 ? [dims[2], dims[1]] : [dims[1], dims[2]];
  const firstClass = v8 ? 4 : 5;
  const numClasses = channels - firstClass;
  if (numClasses < 1) throw new UserError(`${layout} output [${dims.join(', ')}] has no class scores`);
  // value(anchor, channel) = sample[anchor * anchorStep + channel * channelStep]: v8 is channel-major, v5 anchor-major.
  const [anchorStep, channelStep] = v8 ? [1, anchors] : [channels, 1];
  const boxes: number[] = [];
  const scores: number[] = [];
  const classes: number[] = [];
  for (let a = 0; a < anchors; a++) {
    const base = a * anchorStep;
    const objectness = v8 ? 1 : sample[base + 4 * channelStep];
    const box = () => {
      const [cx, cy] = [sample[base], sample[base + channelStep]];
      const [halfW, halfH] = [sample[base + 2 * channelStep] / 2, sample[base + 3 * channelStep] / 2];
      boxes.push(cx - halfW, cy - halfH, cx + halfW, cy + halfH);
    };
    if (options.multiLabel) {
      // Ultralytics' torch.where(cls > conf): candidates box by box, then class by class.
      for (let c = 0, at = base + firstClass * channelStep; c < numClasses; c++, at += channelStep) {
        const score = sample[at] * objectness;
        if (!(score > options.conf)) continue;
        box();
        scores.push(score);
        classes.push(c);
      }
      continue;
    }
    let best = -Infinity;
    let bestClass = 0;
    for (let c = 0, at = base + firstClass * channelStep; c < numClasses; c++, at += channelStep) {
      const score = sample[at] * objectness;
      if (score > best) ((best = score), (bestClass = c));
    }
    if (!(best > options.conf)) continue;
    box();
    scores.push(best);
    classes.push(bestClass);
  }
  const candidates = topByScore(scores, options.maxNms);
  const keptBoxes = new Float64Array(4 * candidates.length);
  candidates.forEach((i, k) => keptBoxes.set(boxes.slice(4 * i, 4 * i + 4), 4 * k));
  const keptScores = candidates.map((i) => scores[i]);
  const keptClasses = candidates.map((i) => classes[i]);
  return nmsClassWise(keptBoxes, keptScores, keptClasses, options.iou, options.maxDet).map((k) => ({
    box: [keptBoxes[4 * k], keptBoxes[4 * k + 1], keptBoxes[4 * k + 2], keptBoxes[4 * k + 3]],
    score: keptScores[k],
    classIndex: keptClasses[k],
  }));
}

/** End-to-end rows: x1, y1, x2, y2, score, class; no NMS. */
function endToEnd(sample: Float32Array, rows: number, options: DecodeOptions): RawDetection[] {
  const found: RawDetection[] = [];
  for (let r = 0; r < rows; r++) {
    const row = sample.subarray(r * END2END_COLUMNS, (r + 1) * END2END_COLUMNS);
    if (!(row[4] > options.conf)) continue;
    const classIndex = Math.round(row[5]);
    if (classIndex < 0 || Math.abs(row[5] - classIndex) > 1e-3) {
      throw new UserError(`end2end output row ${r} has class ${row[5]}, which is not a class index (is the layout right?)`);
    }
    found.push({ box: [row[0], row[1], row[2], row[3]], score: row[4], classIndex });
  }
  return byScoreDescending(found.map((d) => d.score))
    .slice(0, options.maxDet)
    .map((i) => found[i]);
}

function toOriginal(detection: RawDetection, g: ImageGeometry, clip: boolean): RawDetection {
  const [x1, y1, x2, y2] = detection.box;
  const x = (value: number) => (value - g.padLeft + g.cropLeft) / g.scaleX;
  const y = (value: number) => (value - g.padTop + g.cropTop) / g.scaleY;
  const clamp = (value: number, high: number) => (clip ? Math.min(Math.max(value, 0), high) : value);
  return { ...detection, box: [clamp(x(x1), g.width), clamp(y(y1), g.height), clamp(x(x2), g.width), clamp(y(y2), g.height)] };
}
