/**
 * Paired bootstrap of ΔmAP over images, plus the per-class and per-size deltas of the report.
 *
 * Why images: detections on one image are correlated (shared scene, NMS), so the image is the
 * independent unit. Why paired: both models are scored on the same resampled image multiset, so
 * the scene difficulty cancels out of Δ. Each resample only re-weights the cached per-image
 * matches (an image drawn w times counts w times in every TP/FP/GT count); matching never re-runs.
 */
import { categoryCurves, curveScratch, type CurveScratch } from './accumulate.js';
import { AREA_LABELS, IOU_THRESHOLDS, MAX_DET, RECALL_THRESHOLDS, type AreaLabel } from './coco-params.js';
import type { ClassAp } from './cocoeval.js';
import type { CocoGroundTruth, CocoSummary, PerImageMatches } from './metric-types.js';
import { createRng } from '../../metrics/random.js';
import { percentileNearestRank } from '../../metrics/latency.js';

export interface BootstrapOptions {
  /** B, default 1000. */
  resamples?: number;
  /** PRNG seed (default 0): the same seed gives the same interval on every machine. */
  seed?: number;
  /** Area range of the AP (default 'all'); 'small' etc. gives the per-size CI. */
  area?: AreaLabel;
}

export interface BootstrapDelta {
  /** mAP(candidate) − mAP(baseline) on the eval set itself (equals the summaries' difference). */
  delta: number;
  /** Percentile 95% interval: nearest-rank 2.5th and 97.5th percentiles of the B resampled Δ*. */
  ci: [number, number];
  /**
   * Two-sided bootstrap p-value for "no difference": 2·min(P*(Δ* ≤ 0), P*(Δ* ≥ 0)), capped at 1,
   * with each proportion taken as (1 + count)/(B + 1) so it never reads 0 (smallest 2/(B + 1)).
   * Identical models give Δ* = 0 every time, so p = 1.
   */
  pValue: number;
  resamples: number;
}

const T = IOU_THRESHOLDS.length;
const R = RECALL_THRESHOLDS.length;

/**
 * AP@[.5:.95] with maxDets 100 in area range a (index into AREA_LABELS), each image i counted
 * weights[i] times (null: once), from the cached matches; −1 if no category has GT (as pycocotools).
 */
export function weightedMap(matches: PerImageMatches, a: number, weights: Int32Array | null, scratch: CurveScratch = curveScratch(matches)): number {
  const sums = new Float64Array(T);
  const recalls = new Float64Array(T);
  let total = 0;
  let categories = 0;
  for (let k = 0; k < matches.categoryIds.length; k++) {
    if (categoryCurves(matches, k, a, MAX_DET, weights, scratch, sums, recalls) === 0) continue;
    for (let t = 0; t < T; t++) total += sums[t];
    categories++;
  }
  return categories === 0 ? -1 : total / (categories * T * R);
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, n) => id === b[n]);
}

export function bootstrapDeltaMap(gt: CocoGroundTruth, base: PerImageMatches, cand: PerImageMatches, options: BootstrapOptions = {}): BootstrapDelta {
  const gtImages = [...new Set(gt.images)].sort((x, y) => x - y);
  if (!sameIds(base.imageIds, gtImages) || !sameIds(cand.imageIds, gtImages) || !sameIds(base.categoryIds, cand.categoryIds)) {
    throw new RangeError('bootstrapDeltaMap: both models must be matched against the same ground truth (images and categories)');
  }
  const resamples = options.resamples ?? 1000;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  const a = AREA_LABELS.indexOf(options.area ?? 'all');
  const baseScratch = curveScratch(base);
  const candScratch = curveScratch(cand);
  const deltaOf = (weights: Int32Array | null) => {
    const b = weightedMap(base, a, weights, baseScratch);
    const c = weightedMap(cand, a, weights, candScratch);
    // Same GT, same weights: both are −1 together (no GT drawn in this range); call that Δ = 0.
    return b === -1 || c === -1 ? 0 : c - b;
  };

  const delta = deltaOf(null);
  const imageCount = gtImages.length;
  const rng = createRng(options.seed ?? 0);
  const weights = new Int32Array(imageCount);
  const deltas: number[] = [];
  for (let s = 0; s < resamples; s++) {
    weights.fill(0);
    for (let n = 0; n < imageCount; n++) weights[Math.floor(rng() * imageCount)]++;
    deltas.push(deltaOf(weights));
  }
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (const d of deltas) {
    if (d <= 0) atOrBelow++;
    if (d >= 0) atOrAbove++;
  }
  deltas.sort((x, y) => x - y);
  const pValue = Math.min(1, (2 * Math.min(1 + atOrBelow, 1 + atOrAbove)) / (resamples + 1));
  return { delta, ci: [percentileNearestRank(deltas, 2.5), percentileNearestRank(deltas, 97.5)], pValue, resamples };
}

export interface ClassDelta {
  readonly categoryId: number;
  readonly baseline: number;
  readonly candidate: number;
  readonly delta: number;
}

/** Per-class ΔAP@[.5:.95], worst (most negative) first; classes without GT are left out. Ties by category id. */
export function perClassDeltas(base: readonly ClassAp[], cand: readonly ClassAp[]): ClassDelta[] {
  const candidateById = new Map(cand.map((c) => [c.categoryId, c]));
  const rows: ClassDelta[] = [];
  for (const b of base) {
    const c = candidateById.get(b.categoryId);
    if (b.ap === null || c?.ap == null) continue;
    rows.push({ categoryId: b.categoryId, baseline: b.ap, candidate: c.ap, delta: c.ap - b.ap });
  }
  return rows.sort((x, y) => x.delta - y.delta || x.categoryId - y.categoryId);
}

/** ΔAP by object size; null where the eval set has no GT of that size (pycocotools' −1). */
export function sizeDeltas(base: CocoSummary, cand: CocoSummary): Record<'small' | 'medium' | 'large', number | null> {
  const d = (x: number, y: number) => (x === -1 || y === -1 ? null : y - x);
  return { small: d(base.mapSmall, cand.mapSmall), medium: d(base.mapMedium, cand.mapMedium), large: d(base.mapLarge, cand.mapLarge) };
}
