/**
 * Cross-check against pycocotools on a synthetic set with what the fmnist fixture lacks: crowd
 * regions, many score ties (scores rounded to 3 decimals), a category with detections but no GT,
 * annotation area ≠ w·h, GT of area exactly 32² and 96², and images with >100 detections of one
 * category. synthetic-pycocotools.json holds pycocotools' own stats, per-class AP and printed
 * summary (its "source" field says how it was produced). Our code mirrors pycocotools' arithmetic,
 * so the tolerance is far below the required 1e-4: only summation order differs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { cocoEvaluate, summaryToArray } from '../../src/tasks/detection/cocoeval.js';
import { parseCocoGroundTruth, parseCocoResults } from '../../src/tasks/detection/metric-input.js';
import { SYNTHETIC, SYNTHETIC_DETS, SYNTHETIC_GT } from './fixture.js';

interface Reference {
  stats: number[];
  summarizeStdout: string;
  perClass: { categoryId: number; ap: number | null; ap50: number | null }[];
}

describe('cocoEvaluate vs pycocotools on the synthetic set', () => {
  const reference: Reference = JSON.parse(readFileSync(join(SYNTHETIC, 'synthetic-pycocotools.json'), 'utf8'));
  const gt = parseCocoGroundTruth(JSON.parse(readFileSync(SYNTHETIC_GT, 'utf8')), SYNTHETIC_GT);
  const dets = parseCocoResults(JSON.parse(gunzipSync(readFileSync(SYNTHETIC_DETS)).toString('utf8')), gt, SYNTHETIC_DETS);
  const result = cocoEvaluate(gt, dets);

  it('has the features it is meant to exercise', () => {
    expect(gt.boxes.some((b) => b.iscrowd)).toBe(true);
    expect(new Set(dets.map((d) => d.score)).size).toBeLessThan(dets.length / 2);
    expect(reference.perClass.some((c) => c.ap === null)).toBe(true);
  });

  it('gives the 12 stats to 1e-9', () => {
    summaryToArray(result.summary).forEach((value, n) => expect(Math.abs(value - reference.stats[n])).toBeLessThan(1e-9));
  });

  it('gives per-class AP and AP50 to 1e-9, null where pycocotools has no GT', () => {
    expect(result.perClass.map((c) => c.categoryId)).toEqual(reference.perClass.map((c) => c.categoryId));
    result.perClass.forEach((mine, k) => {
      const theirs = reference.perClass[k];
      if (theirs.ap === null) return expect([mine.ap, mine.ap50]).toEqual([null, null]);
      expect(Math.abs(mine.ap! - theirs.ap)).toBeLessThan(1e-9);
      expect(Math.abs(mine.ap50! - theirs.ap50!)).toBeLessThan(1e-9);
    });
  });
});
