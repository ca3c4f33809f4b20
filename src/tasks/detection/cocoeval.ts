/**
 * COCO bbox mAP, identical to pycocotools' COCOeval (evaluate → accumulate → summarize) to
 * floating-point summation order. pycocotools is the reference every detection figure in the
 * field is quoted against, so we mirror it, quirks included, rather than "improve" it; the tests
 * check all 12 numbers against pycocotools' own output to 1e-4.
 *
 * Stages: per-image.ts (matching, cached), accumulate.ts (precision/recall), summarize here.
 */
import { categoryCurves, curveScratch } from './accumulate.js';
import { AREA_RANGES, IOU_50, IOU_75, IOU_THRESHOLDS, MAX_DET, MAX_DETS, RECALL_THRESHOLDS } from './coco-params.js';
import type { CocoGroundTruth, CocoSummary, Detection, PerImageMatches } from './metric-types.js';
import { buildPerImageMatches } from './per-image.js';

export type { CocoGroundTruth, CocoSummary, Detection, GtBox, PerImageMatches } from './metric-types.js';

const T = IOU_THRESHOLDS.length;
const R = RECALL_THRESHOLDS.length;
const A = AREA_RANGES.length;
const M = MAX_DETS.length;

export interface ClassAp {
  readonly categoryId: number;
  /** AP@[.5:.95] (area all, 100 dets); null when the category has no (non-crowd) GT: excluded, not 0. */
  readonly ap: number | null;
  readonly ap50: number | null;
  /** Non-crowd GT boxes of this category. */
  readonly gtCount: number;
}

export interface CocoEvaluation {
  readonly summary: CocoSummary;
  readonly perClass: ClassAp[];
  readonly perImage: PerImageMatches;
}

/**
 * The accumulated tables, pycocotools' `eval['precision']` summed over its R axis and
 * `eval['recall']`, both indexed [((t·K + k)·A + a)·M + m]; `valid[k·A + a]` is 0 where
 * pycocotools would hold −1 (no non-ignored GT).
 */
interface Accumulated {
  readonly precisionSum: Float64Array;
  readonly recall: Float64Array;
  readonly valid: Uint8Array;
  readonly K: number;
}

/** `COCOeval.accumulate` over every category, area range and maxDets. */
export function accumulateAll(matches: PerImageMatches): Accumulated {
  const K = matches.categoryIds.length;
  const precisionSum = new Float64Array(T * K * A * M);
  const recall = new Float64Array(T * K * A * M);
  const valid = new Uint8Array(K * A);
  const scratch = curveScratch(matches);
  const sums = new Float64Array(T);
  const recalls = new Float64Array(T);
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      for (let m = 0; m < M; m++) {
        if (categoryCurves(matches, k, a, MAX_DETS[m], null, scratch, sums, recalls) === 0) break;
        valid[k * A + a] = 1;
        for (let t = 0; t < T; t++) {
          precisionSum[((t * K + k) * A + a) * M + m] = sums[t];
          recall[((t * K + k) * A + a) * M + m] = recalls[t];
        }
      }
    }
  }
  return { precisionSum, recall, valid, K };
}

/**
 * `summarize._summarize`: the mean over every (t, r, k) entry that is not −1, or −1 if none. For AP
 * the entries are precision[t, r, k], so the mean is Σ precisionSum / (R·T·validK); for AR it is
 * recall[t, k] over T·validK. `t` restricts to one IoU threshold (AP50/AP75).
 */
function summarizeOne(acc: Accumulated, kind: 'ap' | 'ar', a: number, maxDet: number, t?: number): number {
  const m = MAX_DETS.indexOf(maxDet as (typeof MAX_DETS)[number]);
  const thresholds = t === undefined ? Array.from({ length: T }, (_, n) => n) : [t];
  const table = kind === 'ap' ? acc.precisionSum : acc.recall;
  let total = 0;
  let entries = 0;
  for (const ti of thresholds) {
    for (let k = 0; k < acc.K; k++) {
      if (acc.valid[k * A + a] === 0) continue;
      total += table[((ti * acc.K + k) * A + a) * M + m];
      entries += kind === 'ap' ? R : 1;
    }
  }
  return entries === 0 ? -1 : total / entries;
}

/** `_summarizeDets`, in its order. */
function summarize(acc: Accumulated): CocoSummary {
  return {
    map: summarizeOne(acc, 'ap', 0, 100),
    map50: summarizeOne(acc, 'ap', 0, 100, IOU_50),
    map75: summarizeOne(acc, 'ap', 0, 100, IOU_75),
    mapSmall: summarizeOne(acc, 'ap', 1, 100),
    mapMedium: summarizeOne(acc, 'ap', 2, 100),
    mapLarge: summarizeOne(acc, 'ap', 3, 100),
    ar1: summarizeOne(acc, 'ar', 0, 1),
    ar10: summarizeOne(acc, 'ar', 0, 10),
    ar100: summarizeOne(acc, 'ar', 0, 100),
    arSmall: summarizeOne(acc, 'ar', 1, 100),
    arMedium: summarizeOne(acc, 'ar', 2, 100),
    arLarge: summarizeOne(acc, 'ar', 3, 100),
  };
}

/** pycocotools' `stats` order: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
export const SUMMARY_KEYS: readonly (keyof CocoSummary)[] = ['map', 'map50', 'map75', 'mapSmall', 'mapMedium', 'mapLarge', 'ar1', 'ar10', 'ar100', 'arSmall', 'arMedium', 'arLarge'];

export function summaryToArray(s: CocoSummary): number[] {
  return SUMMARY_KEYS.map((key) => s[key]);
}

/** Summary and per-class AP from already computed matches (no re-matching). */
export function evaluateMatches(perImage: PerImageMatches): CocoEvaluation {
  const acc = accumulateAll(perImage);
  const m100 = MAX_DETS.indexOf(MAX_DET);
  const perClass = perImage.categoryIds.map((categoryId, k): ClassAp => {
    let gtCount = 0;
    const I = perImage.imageIds.length;
    for (let i = 0; i < I; i++) gtCount += perImage.gtCount[k * I + i]; // area 'all' block comes first
    if (acc.valid[k * A] === 0) return { categoryId, ap: null, ap50: null, gtCount };
    let sum = 0;
    for (let t = 0; t < T; t++) sum += acc.precisionSum[(t * acc.K + k) * A * M + m100];
    return { categoryId, ap: sum / (T * R), ap50: acc.precisionSum[(IOU_50 * acc.K + k) * A * M + m100] / R, gtCount };
  });
  return { summary: summarize(acc), perClass, perImage };
}

/**
 * COCOeval(gt, dets, 'bbox'): evaluate(), accumulate(), summarize(). Detections of categories not
 * in `gt.categories` are dropped (as pycocotools does); a detection on an image not in
 * `gt.images` throws (pycocotools asserts). Validate user files before calling (see src/cli/map.ts).
 */
export function cocoEvaluate(gt: CocoGroundTruth, dets: readonly Detection[]): CocoEvaluation {
  return evaluateMatches(buildPerImageMatches(gt, dets));
}
