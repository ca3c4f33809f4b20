/** Error-type counts at IoU 0.5 on one hand-made image with one of each kind (definitions in errors.ts). */
import { describe, expect, it } from '@jest/globals';
import { errorTypes } from '../../src/tasks/detection/errors.js';
import type { Detection, GtBox } from '../../src/tasks/detection/cocoeval.js';

type Box = [number, number, number, number];
const g = (id: number, categoryId: number, bbox: Box, iscrowd = false): GtBox => ({ id, imageId: 1, categoryId, bbox, area: bbox[2] * bbox[3], iscrowd });
const d = (categoryId: number, bbox: Box, score: number): Detection => ({ imageId: 1, categoryId, bbox, score });

describe('errorTypes', () => {
  it('classifies each false positive once and counts only unexplained GT as missed', () => {
    const boxes = [
      g(1, 1, [0, 0, 10, 10]), // A: found
      g(2, 2, [100, 100, 20, 20]), // B: hit with the wrong class → explained, not missed
      g(3, 1, [200, 0, 10, 10]), // C: only a loose box (IoU 0.4) → explained, not missed
      g(4, 1, [400, 0, 10, 10]), // E: nothing near it → missed
      g(5, 1, [500, 0, 100, 100], true), // crowd: not GT to find
    ];
    const dets = [
      d(1, [0, 0, 10, 10], 0.9), // TP on A
      d(1, [0, 0, 10, 10], 0.8), // A already taken, IoU 1 with its class → duplicate
      d(1, [100, 100, 20, 20], 0.7), // IoU 1 with B of class 2 → wrongClass
      d(1, [200, 0, 10, 4], 0.6), // IoU 40/100 = 0.4 with C, its class → poorLocalisation
      d(3, [100, 100, 20, 6], 0.5), // IoU 120/400 = 0.3 with B, another class → both
      d(1, [300, 300, 5, 5], 0.4), // touches nothing → background
      d(1, [510, 10, 10, 10], 0.3), // inside the crowd region → ignored, counted nowhere
    ];
    expect(errorTypes({ images: [1, 2], categories: [1, 2, 3], boxes }, dets)).toEqual({
      truePositives: 1,
      duplicate: 1,
      wrongClass: 1,
      poorLocalisation: 1,
      both: 1,
      background: 1,
      missed: 1,
      gtCount: 4,
    });
  });

  it('an image without GT: every detection is background; no detections: every GT missed', () => {
    const boxes = [g(1, 1, [0, 0, 10, 10]), g(2, 1, [20, 0, 10, 10])];
    expect(errorTypes({ images: [1, 2], categories: [1], boxes: [] }, [d(1, [0, 0, 5, 5], 0.9)])).toMatchObject({ background: 1, missed: 0, gtCount: 0 });
    expect(errorTypes({ images: [1], categories: [1], boxes }, [])).toMatchObject({ missed: 2, truePositives: 0, gtCount: 2 });
  });

  it('found and missed add up to the GT count when no other error explains a GT', () => {
    // Without detections of other classes or loose boxes, found + missed must add up to the GT count.
    const boxes = [g(1, 1, [0, 0, 10, 10]), g(2, 1, [20, 0, 10, 10]), g(3, 1, [40, 0, 10, 10])];
    const dets = [d(1, [0, 0, 10, 10], 0.9), d(1, [20, 0, 10, 10], 0.2)];
    expect(errorTypes({ images: [1], categories: [1], boxes }, dets)).toMatchObject({ truePositives: 2, missed: 1, gtCount: 3 });
  });
});
