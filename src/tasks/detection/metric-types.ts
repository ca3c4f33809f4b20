/**
 * Data shapes of the COCO bbox metric: its inputs (ground truth and detections, in COCO's
 * [x, y, w, h] pixel convention) and the cached per-image matches that the summary, the
 * bootstrap and the per-class/per-size figures are all computed from.
 */

export interface GtBox {
  readonly imageId: number;
  readonly categoryId: number;
  /** [x, y, w, h] in pixels. */
  readonly bbox: readonly [number, number, number, number];
  /** The annotation's `area`; it alone decides small/medium/large (not w·h). */
  readonly area: number;
  /** Crowd regions are ignored: a detection on one is neither a TP nor an FP. */
  readonly iscrowd: boolean;
  /** Annotation id. pycocotools treats a match to id 0 as no match; we mirror that (see per-image.ts). */
  readonly id: number;
}

export interface Detection {
  readonly imageId: number;
  readonly categoryId: number;
  readonly bbox: readonly [number, number, number, number];
  readonly score: number;
}

export interface CocoGroundTruth {
  /** Every eval image, including those with no objects (their detections are all false positives). */
  readonly images: readonly number[];
  /** Every category the metric averages over; detections of other categories are dropped, as in pycocotools. */
  readonly categories: readonly number[];
  readonly boxes: readonly GtBox[];
}

/** pycocotools' 12 `stats`, named. −1 where no category has ground truth in that area range. */
export interface CocoSummary {
  map: number;
  map50: number;
  map75: number;
  mapSmall: number;
  mapMedium: number;
  mapLarge: number;
  ar1: number;
  ar10: number;
  ar100: number;
  arSmall: number;
  arMedium: number;
  arLarge: number;
}

/**
 * The result of per-image matching (`COCOeval.evaluate`), computed once and reused: for each
 * image, category, area range (4) and IoU threshold (10), the detections' scores, matched flags and
 * ignore flags, and the number of non-ignored GT. Stored column-wise: one row per detection kept
 * (at most 100 per image and category), rows grouped by category and, within a category, in the
 * order `accumulate` visits them: descending score, ties by image id, then by rank in the image
 * (numpy's stable mergesort over the per-image lists).
 */
export interface PerImageMatches {
  /** Sorted ascending; row `image` values index this. */
  readonly imageIds: readonly number[];
  /** Sorted ascending; category k owns rows categoryStart[k] … categoryStart[k+1]−1. */
  readonly categoryIds: readonly number[];
  readonly categoryStart: Int32Array;
  readonly image: Int32Array;
  /** 0-based rank by score within its image and category (maxDets keeps rank < maxDet). */
  readonly rank: Int32Array;
  readonly score: Float64Array;
  /** [row·4 + area]: bit t set when matched to a GT at IOU_THRESHOLDS[t] (a TP unless ignored). */
  readonly matched: Uint16Array;
  /** [row·4 + area]: bit t set when ignored at IOU_THRESHOLDS[t] (matched a crowd/out-of-range GT, or unmatched and itself out of range). */
  readonly ignored: Uint16Array;
  /** [(area·K + k)·I + i]: GT boxes of category k in image i that count for that area range. */
  readonly gtCount: Int32Array;
}
