/**
 * Precision and recall at a confidence threshold against pycocotools: the fixture's reference
 * detections, counted on our per-image matches, must give the TP, FP, object counts, P and R per
 * class (and their means) that scripts/reference/detection-precision-recall.py reads from
 * pycocotools' own evalImgs (precision-recall-reference.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { cocoEvaluate } from '../../src/tasks/detection/cocoeval.js';
import { precisionRecallAt } from '../../src/tasks/detection/precision-recall.js';
import { FIXTURE, fixtureDetections, fixtureGroundTruth, REFERENCE_RUNS } from './fixture.js';

interface Expected {
  precision: number | null;
  recall: number | null;
  perClass: Record<string, { truePositives: number; falsePositives: number; gtCount: number; precision: number | null; recall: number | null }>;
}
const reference = JSON.parse(readFileSync(join(FIXTURE, 'precision-recall-reference.json'), 'utf8')) as { runs: Record<string, Record<string, Expected>> };

describe('precision and recall at a confidence threshold', () => {
  for (const run of REFERENCE_RUNS) {
    it(`${run}: pycocotools' counts at conf > 0.25 and 0.5`, () => {
      const matches = cocoEvaluate(fixtureGroundTruth(), fixtureDetections(run)).perImage;
      for (const [conf, expected] of Object.entries(reference.runs[run])) {
        const got = precisionRecallAt(matches, Number(conf));
        expect(got.perClass).toHaveLength(10);
        for (const c of got.perClass) {
          const want = expected.perClass[String(c.categoryId)];
          expect([c.truePositives, c.falsePositives, c.gtCount]).toEqual([want.truePositives, want.falsePositives, want.gtCount]);
          if (want.precision === null) expect(c.precision).toBeNull();
          else expect(c.precision).toBeCloseTo(want.precision, 12);
          expect(c.recall).toBeCloseTo(want.recall as number, 12);
        }
        expect(got.precision).toBeCloseTo(expected.precision as number, 12);
        expect(got.recall).toBeCloseTo(expected.recall as number, 12);
      }
    });
  }

  it('counts nothing above a threshold no detection reaches', () => {
    const got = precisionRecallAt(cocoEvaluate(fixtureGroundTruth(), fixtureDetections(REFERENCE_RUNS[0])).perImage, 1);
    expect(got.perClass.every((c) => c.truePositives === 0 && c.falsePositives === 0 && c.precision === null && c.recall === 0)).toBe(true);
    expect([got.precision, got.recall]).toEqual([0, 0]);
  });
});
