/**
 * COCOeval's default bbox parameters (`Params.setDetParams` in pycocotools' cocoeval.py),
 * reproduced bit for bit: the thresholds are compared with `<` and `>=`, so 0.8999999999999999
 * instead of 0.9 can flip a match or a recall step.
 */

/**
 * `np.linspace(start, stop, num)` as numpy computes it: step = (stop − start)/(num − 1),
 * value i = i·step + start, and the last value set to `stop` exactly. (With this formula the IoU
 * thresholds include 0.8999999999999999 and the recall points 0.35000000000000003, as in numpy.)
 */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** iouThrs = np.linspace(.5, 0.95, 10): T = 10 thresholds, index 0 is 0.5 and index 5 is 0.75. */
export const IOU_THRESHOLDS = numpyLinspace(0.5, 0.95, 10);
export const IOU_50 = 0;
export const IOU_75 = 5;

/** recThrs = np.linspace(.0, 1.00, 101): R = 101 recall points. */
export const RECALL_THRESHOLDS = numpyLinspace(0, 1, 101);

/** maxDets = [1, 10, 100]; per-image matching always runs with the last one. */
export const MAX_DETS = [1, 10, 100] as const;
export const MAX_DET = 100;

/**
 * areaRng in pixels² (all, small, medium, large), both ends inclusive (`area < lo or area > hi`
 * is outside), so an object of area exactly 32² is both small and medium, as in pycocotools.
 * GT use the annotation's `area`; detections use w·h (set by `COCO.loadRes`).
 */
export const AREA_RANGES: readonly (readonly [number, number])[] = [
  [0, 1e5 ** 2],
  [0, 32 ** 2],
  [32 ** 2, 96 ** 2],
  [96 ** 2, 1e5 ** 2],
];
export const AREA_LABELS = ['all', 'small', 'medium', 'large'] as const;
export type AreaLabel = (typeof AREA_LABELS)[number];

/** np.spacing(1): the epsilon pycocotools adds to precision's denominator. */
export const NP_SPACING_1 = Number.EPSILON;
