/**
 * The metric against pycocotools: the fixture's reference detections scored by our cocoEvaluate
 * must give pycocotools' 12 numbers (reference-figures.json, computed by COCOeval) to 1e-4.
 */
import { describe, expect, it } from '@jest/globals';
import { cocoEvaluate, summaryToArray } from '../../src/tasks/detection/cocoeval.js';
import { fixtureDetections, fixtureGroundTruth, REFERENCE_RUNS, referenceFigures } from './fixture.js';

describe('cocoEvaluate on the fmnist-det reference detections', () => {
  const figures = referenceFigures();
  for (const run of REFERENCE_RUNS) {
    it(`${run}.rect matches pycocotools' 12 stats to 1e-4`, () => {
      const expected = figures[`${run}.rect`];
      expect(expected).toHaveLength(12);
      const got = summaryToArray(cocoEvaluate(fixtureGroundTruth(), fixtureDetections(run)).summary);
      got.forEach((value, n) => expect(Math.abs(value - expected[n])).toBeLessThan(1e-4));
    });
  }

  it('gives the v5 figures too (v5 decodes to the v8 detections)', () => {
    for (const model of ['fmnist-det-small-v1', 'fmnist-det-wide-v2']) {
      expect(figures[`${model}.v5.rect`]).toEqual(figures[`${model}.v8.rect`]);
    }
  });
});
