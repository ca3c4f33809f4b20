/**
 * Detection metrics (pure): per model, pycocotools' 12 numbers, per-class AP and TIDE-style
 * error counts at IoU 0.5; paired, ΔmAP with a paired bootstrap over images (B = 1000, fixed
 * seed) for all sizes and per size, and per-class deltas worst first. Matching runs once per
 * model's predictions (cached by the predictions array); the bootstrap only re-weights it.
 */
import type { Interval } from '../../metrics/index.js';
import type { EvalSample } from '../../contracts/task.js';
import { bootstrapDeltaMap, perClassDeltas } from './bootstrap.js';
import { cocoEvaluate, summaryToArray, type CocoEvaluation } from './cocoeval.js';
import type { OutputLayout, RawDetection } from './decode.js';
import { errorTypes, type ErrorTypeCounts } from './errors.js';
import type { CocoSummary, Detection } from './metric-types.js';
import { DEFAULT_OPERATING_CONF, precisionRecallAt, type PrecisionRecall } from './precision-recall.js';
import type { DetectionSampleLabel, DetectionSet } from './samples.js';

/** One image's detections, in original-image pixels, and the layout they were decoded from. */
export interface DetectionPrediction {
  readonly boxes: readonly RawDetection[];
  readonly layout: OutputLayout;
}

export interface ClassApReport {
  readonly categoryId: number;
  readonly name: string;
  /** null: no ground truth of this category (excluded from the mean, as in pycocotools). */
  readonly ap: number | null;
  readonly ap50: number | null;
  readonly gtCount: number;
}

export type DetectionMetrics = CocoSummary & {
  readonly images: number;
  readonly detections: number;
  /** Detections whose model class maps to no category (dropped). */
  readonly unmappedDetections: number;
  readonly outputLayout: OutputLayout | null;
  /** The 12 numbers in pycocotools' `stats` order. */
  readonly stats: number[];
  readonly perClass: ClassApReport[];
  /** Over every scored detection (conf above detection.conf, the ones mAP needs). */
  readonly errorTypes: ErrorTypeCounts;
  /** Precision and recall at IoU 0.5 of the detections scoring above detection.operating-conf (precision-recall.ts). */
  readonly precisionRecall: Omit<PrecisionRecall, 'perClass'> & { readonly perClass: (PrecisionRecall['perClass'][number] & { readonly name: string })[] };
  /** The error types of those detections only: what a user of the model at that threshold sees. */
  readonly errorTypesAtConf: ErrorTypeCounts;
};

export interface SizeDelta {
  readonly baseline: number;
  readonly candidate: number;
  readonly delta: number;
  readonly ci95: Interval;
  readonly pValue: number;
}

export interface DetectionComparison {
  readonly images: number;
  /** mAP@[.5:.95] candidate − baseline (fractions: 0.012 = 1.2 AP). */
  readonly deltaMap: number;
  readonly deltaMapCi95: Interval;
  /** Paired bootstrap over images, two-sided. */
  readonly pValue: number;
  readonly bootstrap: { readonly resamples: number; readonly seed: number };
  readonly deltaMap50: number;
  readonly deltaMap75: number;
  readonly deltaAr100: number;
  /** Per category, worst (most negative) first; categories without ground truth left out. */
  readonly perClass: { categoryId: number; name: string; baseline: number; candidate: number; delta: number }[];
  /** null where the eval set has no ground truth of that size. */
  readonly perSize: Record<'small' | 'medium' | 'large', SizeDelta | null>;
  readonly errorTypes: { readonly baseline: ErrorTypeCounts; readonly candidate: ErrorTypeCounts };
}

export const BOOTSTRAP_RESAMPLES = 1000;
export const BOOTSTRAP_SEED = 0;

interface Scored {
  readonly evaluation: CocoEvaluation;
  readonly detections: Detection[];
  readonly unmapped: number;
}

const cache = new WeakMap<readonly DetectionPrediction[], Scored>();

export function setOf(samples: readonly EvalSample<DetectionSampleLabel>[]): DetectionSet {
  return samples[0].label.set;
}

/** Our boxes as COCO results: [x, y, w, h], category id through the mapping. */
function toCocoDetections(predictions: readonly DetectionPrediction[], samples: readonly EvalSample<DetectionSampleLabel>[], set: DetectionSet) {
  const detections: Detection[] = [];
  let unmapped = 0;
  predictions.forEach((prediction, i) => {
    const imageId = samples[i].label.imageId;
    for (const {
      box: [x1, y1, x2, y2],
      score,
      classIndex,
    } of prediction.boxes) {
      const categoryId = set.classToCategory[classIndex];
      if (categoryId === undefined) {
        unmapped++;
        continue;
      }
      detections.push({ imageId, categoryId, bbox: [x1, y1, x2 - x1, y2 - y1], score });
    }
  });
  return { detections, unmapped };
}

function scored(predictions: readonly DetectionPrediction[], samples: readonly EvalSample<DetectionSampleLabel>[]): Scored {
  let hit = cache.get(predictions);
  if (!hit) {
    if (predictions.length !== samples.length) throw new RangeError(`${predictions.length} predictions for ${samples.length} samples`);
    const set = setOf(samples);
    const { detections, unmapped } = toCocoDetections(predictions, samples, set);
    hit = { evaluation: cocoEvaluate(set.gt, detections), detections, unmapped };
    cache.set(predictions, hit);
  }
  return hit;
}

export function detectionMetrics(
  predictions: readonly DetectionPrediction[],
  samples: readonly EvalSample<DetectionSampleLabel>[],
  operatingConf = DEFAULT_OPERATING_CONF,
): DetectionMetrics {
  const set = setOf(samples);
  const { evaluation, detections, unmapped } = scored(predictions, samples);
  const pr = precisionRecallAt(evaluation.perImage, operatingConf);
  return {
    images: samples.length,
    detections: detections.length,
    unmappedDetections: unmapped,
    outputLayout: predictions[0]?.layout ?? null,
    ...evaluation.summary,
    stats: summaryToArray(evaluation.summary),
    perClass: evaluation.perClass.map((c) => ({ ...c, name: set.categoryNames.get(c.categoryId) ?? String(c.categoryId) })),
    errorTypes: errorTypes(set.gt, detections),
    precisionRecall: { ...pr, perClass: pr.perClass.map((c) => ({ ...c, name: set.categoryNames.get(c.categoryId) ?? String(c.categoryId) })) },
    errorTypesAtConf: errorTypes(
      set.gt,
      detections.filter((d) => d.score > operatingConf),
    ),
  };
}

export function compareDetection(
  baseline: readonly DetectionPrediction[],
  candidate: readonly DetectionPrediction[],
  samples: readonly EvalSample<DetectionSampleLabel>[],
): DetectionComparison {
  const set = setOf(samples);
  const b = scored(baseline, samples);
  const c = scored(candidate, samples);
  const options = { resamples: BOOTSTRAP_RESAMPLES, seed: BOOTSTRAP_SEED };
  const all = bootstrapDeltaMap(set.gt, b.evaluation.perImage, c.evaluation.perImage, options);
  const bs = b.evaluation.summary;
  const cs = c.evaluation.summary;
  const perSize = (area: 'small' | 'medium' | 'large', key: 'mapSmall' | 'mapMedium' | 'mapLarge'): SizeDelta | null => {
    if (bs[key] === -1 || cs[key] === -1) return null;
    const result = bootstrapDeltaMap(set.gt, b.evaluation.perImage, c.evaluation.perImage, { ...options, area });
    return { baseline: bs[key], candidate: cs[key], delta: result.delta, ci95: result.ci, pValue: result.pValue };
  };
  const name = (id: number) => set.categoryNames.get(id) ?? String(id);
  return {
    images: samples.length,
    deltaMap: all.delta,
    deltaMapCi95: all.ci,
    pValue: all.pValue,
    bootstrap: { resamples: all.resamples, seed: BOOTSTRAP_SEED },
    deltaMap50: cs.map50 - bs.map50,
    deltaMap75: cs.map75 - bs.map75,
    deltaAr100: cs.ar100 - bs.ar100,
    perClass: perClassDeltas(b.evaluation.perClass, c.evaluation.perClass).map((d) => ({ ...d, name: name(d.categoryId) })),
    perSize: { small: perSize('small', 'mapSmall'), medium: perSize('medium', 'mapMedium'), large: perSize('large', 'mapLarge') },
    errorTypes: { baseline: errorTypes(set.gt, b.detections), candidate: errorTypes(set.gt, c.detections) },
  };
}
