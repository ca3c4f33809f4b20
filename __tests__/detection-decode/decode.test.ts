/** Layout inference, decoding and NMS on hand-made tensors whose answers are worked out in the comments. */
import type { ImageGeometry } from '../../src/contracts/tensors.js';
import { UserError } from '../../src/errors.js';
import { decodeBatch, inferLayout, type DecodeOptions } from '../../src/tasks/detection/decode.js';
import { iouAt, nmsClassWise, topByScore } from '../../src/tasks/detection/nms.js';

const identity: ImageGeometry = { width: 100, height: 100, scaleX: 1, scaleY: 1, padLeft: 0, padTop: 0, cropLeft: 0, cropTop: 0 };
const options: DecodeOptions = { conf: 0.25, iou: 0.5, maxNms: 100, maxDet: 10, clip: true };

describe('inferLayout', () => {
  it.each([
    [[1, 14, 2560], 10, 'yolov8'],
    [['batch', 14, 'anchors'], 10, 'yolov8'],
    [[1, 84, 8400], 80, 'yolov8'],
    [[1, 2560, 15], 10, 'yolov5'],
    [[1, 25200, 85], 80, 'yolov5'],
    [[1, 100, 6], 10, 'end2end'],
    [['batch', 300, 6], 80, 'end2end'],
  ] as const)('%j with %d classes → %s, and says why', (dims, classes, layout) => {
    const inferred = inferLayout(dims, classes);
    expect(inferred.layout).toBe(layout);
    expect(inferred.reason).toContain(`[${dims.join(', ')}]`);
  });

  it('a shape that fits no layout is a UserError naming the shape', () => {
    expect(() => inferLayout([1, 15, 2560], 10)).toThrow(UserError);
    expect(() => inferLayout([1, 15, 2560], 10)).toThrow(
      'detection output has shape [1, 15, 2560], which fits no layout: expected yolov8 [B, 14, N], yolov5 [B, N, 15] or end2end [B, K, 6] for 10 classes',
    );
    expect(() => inferLayout([1, 1000], 10)).toThrow(/shape \[1, 1000\], which fits no layout/);
    expect(() => inferLayout([1, 2560, 14], 10)).toThrow(/transposed yolov8/);
  });

  it('a shape that fits two layouts asks for detection.output (1 class: yolov5 [B, N, 6] = end2end [B, K, 6])', () => {
    expect(() => inferLayout([1, 25200, 6], 1)).toThrow('detection output shape [1, 25200, 6] fits yolov5 and end2end; set detection.output to say which');
  });
});

describe('nms', () => {
  it('IoU of two 10x10 boxes sharing half: 50 / 150', () => {
    expect(iouAt([0, 0, 10, 10, 5, 0, 15, 10], 0, 1)).toBeCloseTo(1 / 3, 12);
  });

  it('suppresses within a class only, keeps IoU equal to the threshold, best first', () => {
    // 0 and 1 overlap 1/3; 2 is box 0 again in another class; 3 is far away.
    const boxes = [0, 0, 10, 10, 5, 0, 15, 10, 0, 0, 10, 10, 50, 50, 60, 60];
    const scores = [0.9, 0.8, 0.7, 0.95];
    const classes = [0, 0, 1, 0];
    expect(nmsClassWise(boxes, scores, classes, 0.3, 10)).toEqual([3, 0, 2]); // 1 suppressed by 0 (1/3 > 0.3)
    expect(nmsClassWise(boxes, scores, classes, 1 / 3, 10)).toEqual([3, 0, 1, 2]); // IoU = threshold is kept (torchvision: > iou)
    expect(nmsClassWise(boxes, scores, classes, 0.3, 2)).toEqual([3, 0]);
  });

  it('equal scores keep index order', () => {
    expect(nmsClassWise([0, 0, 1, 1, 5, 5, 6, 6, 9, 9, 10, 10], [0.5, 0.5, 0.5], [0, 0, 0], 0.5, 10)).toEqual([0, 1, 2]);
  });

  it('topByScore keeps the best, in index order, ties at the cut going to lower indices', () => {
    expect(topByScore([0.1, 0.9, 0.5, 0.5, 0.7], 3)).toEqual([1, 2, 4]);
    expect(topByScore([0.1, 0.9], 5)).toEqual([0, 1]);
    expect(topByScore([0.3, 0.3, 0.3], 2)).toEqual([0, 1]);
  });
});

/** A [B, 4+C, N] tensor from per-anchor rows [cx, cy, w, h, ...scores]. */
function yolov8Output(images: number[][][]): { data: Float32Array; dims: number[] } {
  const [anchors, channels] = [images[0].length, images[0][0].length];
  const data = new Float32Array(images.length * channels * anchors);
  images.forEach((rows, b) => rows.forEach((row, a) => row.forEach((v, c) => (data[(b * channels + c) * anchors + a] = v))));
  return { data, dims: [images.length, channels, anchors] };
}

describe('decodeBatch', () => {
  // Three anchors, two classes. Anchor 0: box (10..30, 10..30) class 1 at 0.9. Anchor 1: the same box moved
  // 2 px, class 1 at 0.8 → IoU = 18·20 / (800 − 360) = 0.82, suppressed. Anchor 2: class 0 at 0.2 < conf.
  const rows = [
    [20, 20, 20, 20, 0.1, 0.9],
    [22, 20, 20, 20, 0.3, 0.8],
    [80, 80, 10, 10, 0.2, 0.1],
  ];

  it('yolov8: argmax class, conf, class-wise NMS, one list per image', () => {
    const out = decodeBatch(yolov8Output([rows, rows.slice(1).concat([rows[0]])]), 'yolov8', 2, [identity, identity], options);
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual([{ box: [10, 10, 30, 30], score: Math.fround(0.9), classIndex: 1 }]);
    expect(out[1]).toEqual(out[0]); // the same anchors in another order
    // With iou 0.9 the shifted box survives, after the first.
    expect(decodeBatch(yolov8Output([rows]), 'yolov8', 1, [identity], { ...options, iou: 0.9 })[0].map((d) => d.box)).toEqual([
      [10, 10, 30, 30],
      [12, 10, 32, 30],
    ]);
  });

  it('yolov8: maxNms keeps only the best candidates before NMS; count drops the padded rows', () => {
    const out = decodeBatch(yolov8Output([rows, rows]), 'yolov8', 1, [identity], { ...options, iou: 0.9, maxNms: 1 });
    expect(out).toHaveLength(1);
    expect(out[0].map((d) => d.score)).toEqual([Math.fround(0.9)]);
  });

  it('yolov5: score = objectness × class score', () => {
    // [B, N, 5+C]: anchor 0 obj 0.5 × 0.9 = 0.45 (kept), anchor 1 obj 0.2 × 0.8 = 0.16 (< 0.25).
    const data = Float32Array.from([20, 20, 20, 20, 0.5, 0.1, 0.9, 60, 60, 10, 10, 0.2, 0.8, 0.1]);
    const [detections] = decodeBatch({ data, dims: [1, 2, 7] }, 'yolov5', 1, [identity], options);
    expect(detections).toHaveLength(1);
    expect(detections[0].classIndex).toBe(1);
    expect(detections[0].score).toBeCloseTo(0.45, 6);
  });

  it('maps boxes back through the geometry: x = (x − padLeft + cropLeft) / scaleX, then clips', () => {
    // A 200x100 image letterboxed at r = 0.5 into 100x100 with 25 rows on top: model (10, 30)-(30, 50)
    // → x (10/0.5, 30/0.5) = (20, 60), y ((30 − 25)/0.5, (50 − 25)/0.5) = (10, 50).
    const letterboxed: ImageGeometry = { width: 200, height: 100, scaleX: 0.5, scaleY: 0.5, padLeft: 0, padTop: 25, cropLeft: 0, cropTop: 0 };
    const moved = [[20, 40, 20, 20, 0, 0.9]];
    expect(decodeBatch(yolov8Output([moved]), 'yolov8', 1, [letterboxed], options)[0][0].box).toEqual([20, 10, 60, 50]);
    // A box reaching into the padding (model y 15..35 → −20..20) is clipped to y = 0, or kept with clip: false.
    const edge = [[20, 25, 20, 20, 0, 0.9]];
    expect(decodeBatch(yolov8Output([edge]), 'yolov8', 1, [letterboxed], options)[0][0].box).toEqual([20, 0, 60, 20]);
    expect(decodeBatch(yolov8Output([edge]), 'yolov8', 1, [letterboxed], { ...options, clip: false })[0][0].box).toEqual([20, -20, 60, 20]);
  });

  it('end2end: rows above conf, best first, at most maxDet, no NMS', () => {
    const data = Float32Array.from(
      [
        [10, 10, 30, 30, 0.6, 2],
        [11, 10, 31, 30, 0.9, 2], // overlaps the first: kept, the model did its own NMS
        [0, 0, 5, 5, 0.1, 0], // below conf
        [50, 50, 60, 60, 0.7, 1],
      ].flat(),
    );
    const [all] = decodeBatch({ data, dims: [1, 4, 6] }, 'end2end', 1, [identity], options);
    expect(all.map((d) => [d.classIndex, d.score])).toEqual([
      [2, Math.fround(0.9)],
      [1, Math.fround(0.7)],
      [2, Math.fround(0.6)],
    ]);
    expect(all[0].box).toEqual([11, 10, 31, 30]);
    expect(decodeBatch({ data, dims: [1, 4, 6] }, 'end2end', 1, [identity], { ...options, maxDet: 1 })[0]).toHaveLength(1);
  });

  it('end2end: a class column that is not an index is a UserError (wrong layout)', () => {
    const data = Float32Array.from([10, 10, 30, 30, 0.9, 0.37]);
    expect(() => decodeBatch({ data, dims: [1, 1, 6] }, 'end2end', 1, [identity], options)).toThrow(UserError);
  });
});
