/**
 * `yolo val`'s geometry against a script that follows Ultralytics' code line by line
 * (scripts/reference/ultralytics-val-batches.py, ultralytics @ 002363f1, numpy for its float64
 * arithmetic and argsort): the rect batches' order and shapes, and for every image the size
 * load_image resizes it to, the letterbox padding and the gain scale_boxes maps boxes back with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planUltralyticsVal, ultralyticsRectBatches } from '../../src/preprocess/index.js';

interface ReferenceImage {
  index: number;
  position: number;
  resized: [number, number];
  shape: [number, number];
  padLeft: number;
  padTop: number;
  gain: number;
}
interface ReferenceSet {
  batchSize: number;
  imgsz: number;
  stride: number;
  order: number[];
  batchShapes: [number, number][];
  images: ReferenceImage[];
}
const reference = JSON.parse(readFileSync(join(process.cwd(), '__tests__/fixtures/ultralytics-val/reference.json'), 'utf8')) as {
  example: ReferenceSet;
  synthetic: ReferenceSet & { sizes: [number, number][] };
};

function expectGeometry(sizes: readonly [number, number][], set: ReferenceSet, shapeOf: (image: ReferenceImage) => readonly [number, number]) {
  for (const image of set.images) {
    const [h0, w0] = sizes[image.index];
    const plan = planUltralyticsVal(w0, h0, set.imgsz, shapeOf(image));
    expect([plan.resizedHeight, plan.resizedWidth]).toEqual(image.resized);
    expect(plan.geometry).toEqual({ width: w0, height: h0, scaleX: image.gain, scaleY: image.gain, padLeft: image.padLeft, padTop: image.padTop, cropLeft: 0, cropTop: 0 });
  }
}

it('150 images of distinct aspect ratios at imgsz 640, batch 16: the same order, batch shapes and per-image geometry', () => {
  const { sizes, batchSize, imgsz, stride } = reference.synthetic;
  const batches = ultralyticsRectBatches(
    sizes.map(([height, width]) => ({ width, height })),
    batchSize,
    imgsz,
    stride,
  );
  expect(batches.order).toEqual(reference.synthetic.order);
  expect(batches.shapes).toEqual(reference.synthetic.batchShapes);
  expectGeometry(sizes, reference.synthetic, (image) => batches.shapes[Math.floor(image.position / batchSize)]);
  expect(new Set(batches.shapes.map((s) => s.join('x'))).size).toBeGreaterThan(5);
});

it('the embedded detection example (300 scenes of 160×256) at imgsz 256, batch 32: every batch 192×288, as yolo val makes it', () => {
  const set = reference.example;
  const sizes = Array.from({ length: 300 }, () => [160, 256] as [number, number]);
  const batches = ultralyticsRectBatches(
    sizes.map(([height, width]) => ({ width, height })),
    set.batchSize,
    set.imgsz,
    set.stride,
  );
  expect(batches.shapes).toEqual(set.batchShapes);
  expect(new Set(batches.shapes.map((s) => s.join('x')))).toEqual(new Set(['192x288']));
  // All 300 ratios tie: numpy's argsort order is its own, and any order gives the same shapes.
  expect([...batches.order].sort((a, b) => a - b)).toEqual([...set.order].sort((a, b) => a - b));
  expectGeometry(sizes, set, (image) => image.shape);
});
