/**
 * The `COCOeval.accumulate` stage: precision/recall of one category, area range, maxDets and IoU
 * threshold, from the cached per-image matches. Optional per-image weights (how often an image
 * occurs in a bootstrap resample) make the same code serve the bootstrap.
 */
import { IOU_THRESHOLDS, NP_SPACING_1, RECALL_THRESHOLDS } from './coco-params.js';
import type { PerImageMatches } from './metric-types.js';

const AREAS = 4;
const THRESHOLDS = IOU_THRESHOLDS.length;
const RECALLS = RECALL_THRESHOLDS.length;

/** Scratch buffers sized for the largest category, reused across calls: T curves of (precision, recall) points. */
export interface CurveScratch {
  readonly capacity: number;
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly points: Int32Array;
}

export function curveScratch(matches: PerImageMatches): CurveScratch {
  let capacity = 0;
  for (let k = 0; k + 1 < matches.categoryStart.length; k++) capacity = Math.max(capacity, matches.categoryStart[k + 1] - matches.categoryStart[k]);
  return {
    capacity,
    precision: new Float64Array(THRESHOLDS * capacity),
    recall: new Float64Array(THRESHOLDS * capacity),
    tp: new Float64Array(THRESHOLDS),
    fp: new Float64Array(THRESHOLDS),
    points: new Int32Array(THRESHOLDS),
  };
}

/** Number of non-ignored GT (`npig`) of category k in area range a, each image counted `weights[i]` times. */
export function countGt(matches: PerImageMatches, k: number, a: number, weights: Int32Array | null): number {
  const I = matches.imageIds.length;
  const base = (a * matches.categoryIds.length + k) * I;
  let total = 0;
  for (let i = 0; i < I; i++) total += matches.gtCount[base + i] * (weights ? weights[i] : 1);
  return total;
}

/**
 * For every IoU threshold t, writes Σ_r precision[t, r] (the 101 interpolated precisions summed)
 * into precisionSum[t] and the final recall into recall[t]. Returns npig; when it is 0 the category
 * has no GT here and pycocotools leaves −1 (nothing is written; callers exclude it).
 *
 * Why only the TP points are kept: pycocotools builds the curve over every detection, but
 * - ignored detections leave tp and fp unchanged, so they repeat the previous point;
 * - `np.searchsorted(rc, recThrs, side='left')` always lands on the first detection reaching a
 *   recall, which is a TP (or index 0 for recall 0, whose interpolated value is the overall max);
 * - an FP point's precision is below the point before it, so it never raises the right-to-left max.
 * So the interpolated precisions are the same on the TP points alone. A weight w on a TP image
 * stands for w copies with equal score: precision rises inside such a block, so its envelope is
 * the block's last point, the one we keep.
 */
export function categoryCurves(
  matches: PerImageMatches,
  k: number,
  a: number,
  maxDet: number,
  weights: Int32Array | null,
  scratch: CurveScratch,
  precisionSum: Float64Array,
  recall: Float64Array,
): number {
  const npig = countGt(matches, k, a, weights);
  if (npig === 0) return 0;
  const { rank, image, matched, ignored } = matches;
  const { capacity, precision: pr, recall: rc, tp, fp, points } = scratch;
  tp.fill(0);
  fp.fill(0);
  points.fill(0);
  // Detections that are FP at every threshold (most of them) only bump a shared counter.
  let fpEverywhere = 0;
  for (let row = matches.categoryStart[k], end = matches.categoryStart[k + 1]; row < end; row++) {
    if (rank[row] >= maxDet) continue;
    const w = weights ? weights[image[row]] : 1;
    if (w === 0) continue;
    const slot = row * AREAS + a;
    const hit = matched[slot];
    const skip = ignored[slot];
    if ((hit | skip) === 0) {
      fpEverywhere += w;
      continue;
    }
    for (let t = 0; t < THRESHOLDS; t++) {
      const bit = 1 << t;
      if ((skip & bit) !== 0) continue;
      if ((hit & bit) === 0) {
        fp[t] += w;
        continue;
      }
      tp[t] += w;
      // pr = tp / (fp + tp + np.spacing(1)); rc = tp / npig. The counts are exact integers, so
      // splitting fp in two parts does not change the double.
      const at = t * capacity + points[t]++;
      pr[at] = tp[t] / (fp[t] + fpEverywhere + tp[t] + NP_SPACING_1);
      rc[at] = tp[t] / npig;
    }
  }
  for (let t = 0; t < THRESHOLDS; t++) {
    recall[t] = tp[t] / npig;
    const first = t * capacity;
    const last = first + points[t];
    // "for i in range(nd-1, 0, -1): if pr[i] > pr[i-1]: pr[i-1] = pr[i]"
    for (let i = last - 1; i > first; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
    // searchsorted(side='left'): first point with rc >= r; past the end the precision stays 0.
    let sum = 0;
    let i = first;
    for (let r = 0; r < RECALLS; r++) {
      const threshold = RECALL_THRESHOLDS[r];
      while (i < last && rc[i] < threshold) i++;
      if (i === last) break;
      sum += pr[i];
    }
    precisionSum[t] = sum;
  }
  return npig;
}
