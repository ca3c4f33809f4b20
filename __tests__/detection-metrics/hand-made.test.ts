/**
 * Hand-made cases whose answers follow from COCOeval's definitions; each derivation is in the
 * comment above it. Precision is tp / (tp + fp + ε) with ε = 2.2e-16, hence toBeCloseTo, not toBe.
 */
import { describe, expect, it } from '@jest/globals';
import { cocoEvaluate, type CocoSummary, type Detection, type GtBox } from '../../src/tasks/detection/cocoeval.js';

type Box = [number, number, number, number];
let nextId = 1;
const gtBox = (imageId: number, categoryId: number, bbox: Box, extra: Partial<GtBox> = {}): GtBox => ({
  imageId,
  categoryId,
  bbox,
  area: bbox[2] * bbox[3],
  iscrowd: false,
  id: nextId++,
  ...extra,
});
const det = (imageId: number, categoryId: number, bbox: Box, score: number): Detection => ({ imageId, categoryId, bbox, score });
const evaluate = (boxes: GtBox[], dets: Detection[], images = [1], categories = [1]) => cocoEvaluate({ images, categories, boxes }, dets);

function expectSummary(actual: CocoSummary, expected: Partial<CocoSummary>): void {
  for (const [key, value] of Object.entries(expected)) expect([key, actual[key as keyof CocoSummary]]).toEqual([key, expect.closeTo(value, 12)]);
}

describe('cocoEvaluate, hand-made cases', () => {
  it('a perfect detection: AP = AR = 1; size ranges without GT are −1, not 0', () => {
    // One 10×10 GT (area 100: small) and the same box as detection: IoU 1 ≥ every threshold, so
    // TP at all 10; precision 1 at recall 1 for all 101 recall points. No medium/large GT → −1.
    const { summary, perClass } = evaluate([gtBox(1, 1, [0, 0, 10, 10])], [det(1, 1, [0, 0, 10, 10], 0.9)]);
    expectSummary(summary, { map: 1, map50: 1, map75: 1, mapSmall: 1, mapMedium: -1, mapLarge: -1, ar1: 1, ar10: 1, ar100: 1, arSmall: 1, arMedium: -1, arLarge: -1 });
    expect(perClass).toEqual([{ categoryId: 1, ap: expect.closeTo(1, 12), ap50: expect.closeTo(1, 12), gtCount: 1 }]);
  });

  it('a duplicate between two hits lowers precision: AP = (51 + 50·⅔)/101 = 253/303', () => {
    // GT A, B. Scores: hit A (0.9), duplicate of A (0.8, A is taken → FP), hit B (0.7).
    // Curve: (rc ½, pr 1), (½, ½), (1, ⅔); right-max envelope → 1 for recall points 0…0.50
    // (51 points) and ⅔ for 0.51…1 (50 points). Same at every IoU threshold (exact boxes).
    const gts = [gtBox(1, 1, [0, 0, 10, 10]), gtBox(1, 1, [20, 0, 10, 10])];
    const dets = [det(1, 1, [0, 0, 10, 10], 0.9), det(1, 1, [0, 0, 10, 10], 0.8), det(1, 1, [20, 0, 10, 10], 0.7)];
    expectSummary(evaluate(gts, dets).summary, { map: 253 / 303, map50: 253 / 303, ar100: 1 });
    // Without the duplicate the same two hits give AP 1.
    expectSummary(evaluate(gts, [dets[0], dets[2]]).summary, { map: 1 });
  });

  it('detections inside a crowd region are ignored, not false positives, and the crowd is no GT to find', () => {
    // Crowd region C (100×100) and object G. Two small boxes inside C outscore the hit on G. IoU
    // with a crowd box divides by the detection's own area: 100/100 = 1, so both match C (a crowd
    // box can be matched repeatedly) and are ignored. Only G counts as GT: AP 1, AR 1.
    const gts = [gtBox(1, 1, [0, 0, 10, 10]), gtBox(1, 1, [50, 50, 100, 100], { iscrowd: true })];
    const dets = [det(1, 1, [60, 60, 10, 10], 0.9), det(1, 1, [100, 100, 10, 10], 0.8), det(1, 1, [0, 0, 10, 10], 0.5)];
    expectSummary(evaluate(gts, dets).summary, { map: 1, ar100: 1, mapLarge: -1 });
    // Without the crowd region both are FPs ranked above the hit: precision at recall 1 is 1/3.
    expectSummary(evaluate([gts[0]], dets).summary, { map: 1 / 3, ar100: 1 });
  });

  it('an image without GT: its detections are false positives; without detections it changes nothing', () => {
    // Image 2 has no objects. A det there scoring above the hit on image 1 → curve (0, 0), (1, ½) → AP ½.
    const gts = [gtBox(1, 1, [0, 0, 10, 10])];
    const hit = det(1, 1, [0, 0, 10, 10], 0.5);
    expectSummary(evaluate(gts, [hit, det(2, 1, [0, 0, 10, 10], 0.95)], [1, 2]).summary, { map: 0.5, ar100: 1 });
    expectSummary(evaluate(gts, [hit], [1, 2]).summary, { map: 1, ar100: 1 });
  });

  it('a class with no GT is excluded from the mean (AP null), not averaged in as 0', () => {
    // Category 2 has detections but no GT: pycocotools leaves its precision at −1 and the mean skips it.
    const { summary, perClass } = evaluate([gtBox(1, 1, [0, 0, 10, 10])], [det(1, 1, [0, 0, 10, 10], 0.9), det(1, 2, [5, 5, 10, 10], 0.99)], [1], [1, 2]);
    expectSummary(summary, { map: 1, ar100: 1 });
    expect(perClass[1]).toEqual({ categoryId: 2, ap: null, ap50: null, gtCount: 0 });
    // No GT at all: every number is −1.
    expect(Object.values(evaluate([], [det(1, 1, [0, 0, 10, 10], 0.9)]).summary)).toEqual(new Array(12).fill(-1));
  });

  it('an unmatched detection outside an area range is ignored in that range only', () => {
    // Small GT G (area 100) found by a 0.5 det; a 50×50 FP (area 2500, medium) scores 0.9.
    // all: FP then TP → AP ½. small: the FP is unmatched and outside [0, 32²] → ignored → AP 1.
    // medium: G is outside [32², 96²] → no GT → −1.
    const dets = [det(1, 1, [0, 0, 10, 10], 0.5), det(1, 1, [100, 100, 50, 50], 0.9)];
    expectSummary(evaluate([gtBox(1, 1, [0, 0, 10, 10])], dets).summary, { map: 0.5, mapSmall: 1, mapMedium: -1, arSmall: 1 });
  });

  it("sizes come from the annotation's area, not the box; area 32² is both small and medium", () => {
    // A 40×40 box (w·h 1600, medium) annotated with area 900 is small.
    const small = evaluate([gtBox(1, 1, [0, 0, 40, 40], { area: 900 })], [det(1, 1, [0, 0, 40, 40], 0.9)]).summary;
    expectSummary(small, { mapSmall: 1, mapMedium: -1 });
    // Both ends of a range are inclusive (`area < lo or area > hi` is outside).
    const edge = evaluate([gtBox(1, 1, [0, 0, 32, 32])], [det(1, 1, [0, 0, 32, 32], 0.9)]).summary;
    expectSummary(edge, { mapSmall: 1, mapMedium: 1, mapLarge: -1 });
  });

  it('IoU exactly on a threshold matches (>=): IoU 0.6 is a TP at 0.50, 0.55, 0.60 only', () => {
    // GT 10×10, det 10×6 inside it: IoU = 60/100 = 0.6. TP at 3 of 10 thresholds → AP 0.3, AP50 1, AP75 0.
    expectSummary(evaluate([gtBox(1, 1, [0, 0, 10, 10])], [det(1, 1, [0, 0, 10, 6], 0.9)]).summary, { map: 0.3, map50: 1, map75: 0, ar100: 0.3 });
  });

  it('maxDets counts per image and category: two objects, two hits → AR@1 = ½, AR@10 = 1', () => {
    const gts = [gtBox(1, 1, [0, 0, 10, 10]), gtBox(1, 1, [20, 0, 10, 10])];
    const dets = [det(1, 1, [0, 0, 10, 10], 0.9), det(1, 1, [20, 0, 10, 10], 0.8)];
    expectSummary(evaluate(gts, dets).summary, { ar1: 0.5, ar10: 1, ar100: 1 });
  });

  it('a real object wins over a crowd region with a higher IoU', () => {
    // Det D overlaps object G with IoU 0.64 and lies fully inside crowd C (IoU 1). GT are visited
    // non-ignored first and the search stops at the first ignored one once a real GT matched:
    // D is a TP on G at thresholds ≤ 0.64 (0.50…0.60: 3 of 10) and ignored on C at the others.
    const gts = [gtBox(1, 1, [0, 0, 10, 10]), gtBox(1, 1, [-50, -50, 200, 200], { iscrowd: true })];
    const { summary } = evaluate(gts, [det(1, 1, [0, 0, 10, 6.4], 0.9)]);
    expectSummary(summary, { map: 0.3, map50: 1, ar100: 0.3 });
  });
});
