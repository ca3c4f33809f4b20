/**
 * Precision and recall at one confidence threshold (pure): what a deployed detector shows its
 * users, where mAP averages over every threshold. Counted at IoU 0.5 on pycocotools' own matching
 * (area 'all', up to 100 detections per image and category, crowd regions ignored), read from the
 * per-image matches mAP is computed from. Matching is greedy by descending score, so the true
 * positives among the detections above the threshold are exactly pycocotools' true positives
 * among them: dropping the detections below the threshold would not change one of those matches.
 *
 * Per class: P = TP / (TP + FP) over its detections scoring above `conf` (null without any),
 * R = TP / its non-crowd objects (null without any). The mean over classes is Ultralytics'
 * convention (mean P and mean R over the classes that have objects, a class without detections
 * counting 0). Ultralytics' `yolo val` prints P and R at the confidence that maximises its mean
 * F1, which moves from model to model; one fixed threshold keeps two models comparable.
 */
import { IOU_50 } from './coco-params.js';
import type { PerImageMatches } from './metric-types.js';

/** Ultralytics' default confidence threshold for predictions (`yolo predict conf=0.25`). */
export const DEFAULT_OPERATING_CONF = 0.25;

const AREA_ALL = 0;

export interface ClassPrecisionRecall {
  readonly categoryId: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  /** Non-crowd objects of this category. */
  readonly gtCount: number;
  readonly precision: number | null;
  readonly recall: number | null;
}

export interface PrecisionRecall {
  /** Detections scoring above this count. */
  readonly conf: number;
  /** Mean over the categories with objects; null when there are none. */
  readonly precision: number | null;
  readonly recall: number | null;
  readonly perClass: ClassPrecisionRecall[];
}

export function precisionRecallAt(matches: PerImageMatches, conf: number): PrecisionRecall {
  const K = matches.categoryIds.length;
  const I = matches.imageIds.length;
  const bit = 1 << IOU_50;
  const perClass: ClassPrecisionRecall[] = [];
  for (let k = 0; k < K; k++) {
    let tp = 0;
    let fp = 0;
    for (let row = matches.categoryStart[k]; row < matches.categoryStart[k + 1]; row++) {
      if (!(matches.score[row] > conf) || matches.ignored[row * 4 + AREA_ALL] & bit) continue;
      if (matches.matched[row * 4 + AREA_ALL] & bit) tp++;
      else fp++;
    }
    let gt = 0;
    for (let i = 0; i < I; i++) gt += matches.gtCount[(AREA_ALL * K + k) * I + i];
    perClass.push({
      categoryId: matches.categoryIds[k],
      truePositives: tp,
      falsePositives: fp,
      gtCount: gt,
      precision: tp + fp > 0 ? tp / (tp + fp) : null,
      recall: gt > 0 ? tp / gt : null,
    });
  }
  const withObjects = perClass.filter((c) => c.gtCount > 0);
  const mean = (values: number[]) => (values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null);
  return {
    conf,
    precision: mean(withObjects.map((c) => c.precision ?? 0)),
    recall: mean(withObjects.map((c) => c.recall ?? 0)),
    perClass,
  };
}
