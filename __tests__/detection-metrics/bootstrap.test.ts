/**
 * The paired image bootstrap of ΔmAP, and the claim it rests on: a resample's mAP computed by
 * re-weighting the cached matches equals cocoEvaluate (which re-runs matching) on a data set in
 * which the drawn images really are repeated.
 */
import { describe, expect, it } from '@jest/globals';
import { bootstrapDeltaMap, perClassDeltas, sizeDeltas, weightedMap } from '../../src/tasks/detection/bootstrap.js';
import { cocoEvaluate, type CocoGroundTruth, type Detection } from '../../src/tasks/detection/cocoeval.js';
import { fixtureDetections, fixtureGroundTruth } from './fixture.js';

const gt = fixtureGroundTruth();
const small = cocoEvaluate(gt, fixtureDetections('fmnist-det-small-v1.v8'));
const wide = cocoEvaluate(gt, fixtureDetections('fmnist-det-wide-v2.v10'));

/** The images with weight w > 0, each copied w times under fresh ids (GT and detections alike). */
function repeatImages(truth: CocoGroundTruth, dets: Detection[], weights: Int32Array): { gt: CocoGroundTruth; dets: Detection[] } {
  const sortedIds = [...truth.images].sort((a, b) => a - b);
  const images: number[] = [];
  const boxes: CocoGroundTruth['boxes'][number][] = [];
  const copies: Detection[] = [];
  sortedIds.forEach((imageId, i) => {
    for (let c = 0; c < weights[i]; c++) {
      const newId = imageId * 100 + c;
      images.push(newId);
      for (const b of truth.boxes) if (b.imageId === imageId) boxes.push({ ...b, imageId: newId, id: b.id * 100 + c });
      for (const d of dets) if (d.imageId === imageId) copies.push({ ...d, imageId: newId });
    }
  });
  return { gt: { images, categories: truth.categories, boxes }, dets: copies };
}

describe('weightedMap', () => {
  it('with all weights 1 equals the summary mAP, per area range', () => {
    expect(weightedMap(small.perImage, 0, null)).toBeCloseTo(small.summary.map, 12);
    expect(
      weightedMap(
        small.perImage,
        1,
        Int32Array.from(gt.images, () => 1),
      ),
    ).toBeCloseTo(small.summary.mapSmall, 12);
    expect(weightedMap(small.perImage, 3, null)).toBeCloseTo(small.summary.mapLarge, 12);
  });

  it('on a resample equals re-running pycocotools-style evaluation on the repeated images', () => {
    // Weights 0, 1, 2, 3 cycling over the images: drops a quarter, repeats others up to 3 times.
    const weights = Int32Array.from(gt.images, (_, i) => i % 4);
    const dets = fixtureDetections('fmnist-det-small-v1.v8');
    const repeated = repeatImages(gt, dets, weights);
    const direct = cocoEvaluate(repeated.gt, repeated.dets).summary.map;
    // Repeated copies share scores, so they tie; the ordering of tied TP/FP can shift the value by
    // at most a rounding of the interpolation, which these continuous scores do not hit.
    expect(weightedMap(small.perImage, 0, weights)).toBeCloseTo(direct, 10);
  });
});

describe('bootstrapDeltaMap', () => {
  it('identical models: Δ = 0, CI [0, 0], p = 1', () => {
    const result = bootstrapDeltaMap(gt, small.perImage, small.perImage, { resamples: 200, seed: 3 });
    expect(result).toEqual({ delta: 0, ci: [0, 0], pValue: 1, resamples: 200 });
  });

  it('is reproducible with a seed, and the seed matters', () => {
    const a = bootstrapDeltaMap(gt, small.perImage, wide.perImage, { resamples: 100, seed: 11 });
    expect(bootstrapDeltaMap(gt, small.perImage, wide.perImage, { resamples: 100, seed: 11 })).toEqual(a);
    expect(bootstrapDeltaMap(gt, small.perImage, wide.perImage, { resamples: 100, seed: 12 }).ci).not.toEqual(a.ci);
  });

  it('a clearly better model (wide-v2 v10 vs small-v1 v8, AP 0.431 vs 0.340): Δ is the summary difference and the CI excludes 0', () => {
    const result = bootstrapDeltaMap(gt, small.perImage, wide.perImage, { resamples: 1000, seed: 1 });
    expect(result.delta).toBeCloseTo(wide.summary.map - small.summary.map, 12);
    expect(result.ci[0]).toBeGreaterThan(0);
    expect(result.ci[0]).toBeLessThan(result.delta);
    expect(result.ci[1]).toBeGreaterThan(result.delta);
    // No resample reverses a 0.09 gain on 300 images: p = 2·(1 + 0)/(1000 + 1).
    expect(result.pValue).toBeCloseTo(2 / 1001, 12);
    // Swapping the roles mirrors Δ (each resample's Δ* is negated, the interval flips sides).
    const reversed = bootstrapDeltaMap(gt, wide.perImage, small.perImage, { resamples: 1000, seed: 1 });
    expect(reversed.delta).toBeCloseTo(-result.delta, 12);
    expect(reversed.ci[1]).toBeLessThan(0);
    expect(reversed.pValue).toBeCloseTo(result.pValue, 12);
  });

  it('rejects matches computed against different ground truth', () => {
    const other = cocoEvaluate({ ...gt, images: gt.images.slice(1) }, []).perImage;
    expect(() => bootstrapDeltaMap(gt, small.perImage, other)).toThrow(/same ground truth/);
  });
});

describe('perClassDeltas and sizeDeltas', () => {
  it('lists classes worst first and skips classes without GT', () => {
    const base = [
      { categoryId: 1, ap: 0.5, ap50: 0.7, gtCount: 3 },
      { categoryId: 2, ap: 0.4, ap50: 0.6, gtCount: 2 },
      { categoryId: 3, ap: null, ap50: null, gtCount: 0 },
    ];
    const cand = [
      { categoryId: 1, ap: 0.6, ap50: 0.7, gtCount: 3 },
      { categoryId: 2, ap: 0.1, ap50: 0.6, gtCount: 2 },
      { categoryId: 3, ap: null, ap50: null, gtCount: 0 },
    ];
    expect(perClassDeltas(base, cand).map((d) => [d.categoryId, Number(d.delta.toFixed(12))])).toEqual([
      [2, -0.3],
      [1, 0.1],
    ]);
  });

  it('gives ΔAP per size, null where that size has no GT', () => {
    const base = { ...small.summary, mapLarge: -1 };
    const d = sizeDeltas(base, wide.summary);
    expect(d.small).toBeCloseTo(wide.summary.mapSmall - small.summary.mapSmall, 12);
    expect(d.large).toBeNull();
  });
});
