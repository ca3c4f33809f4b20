/**
 * The quantizer on the embedded detection example's two detectors, against onnxruntime 1.30's
 * quantize_static on the same 64 scenes (scripts/reference/quantize-detection.py →
 * __tests__/fixtures/fmnist-det/int8-reference.json; the script's header gives the images,
 * preprocessing and decoding). Per tensor and per channel, with everything quantized and with
 * the output tail kept float (keepFloat.tail, onnxruntime's nodes_to_exclude), asserted:
 * - the tail is the node list the script excluded;
 * - every initializer equals onnxruntime's (sha256 of type, dims and values), with none extra;
 * - with the tail float (the configuration worth shipping: quantizing the box decoding to uint8
 *   halves the mAP), the int8 mAP through our decoding and COCO metric equals pycocotools' on
 *   onnxruntime's int8 model (the 12 figures to 1e-4, as the metric module matches pycocotools).
 *   Identical parameters make the other figures identical too; the JSON has them.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadModel, runBatch } from '../../src/inference/index.js';
import { decodeImages, rectInputSize, toTensor, type DecodedImages, type ResolvedDecodeSpec } from '../../src/preprocess/index.js';
import { silentProgress } from '../../src/progress.js';
import { keptFloat } from '../../src/quantize/keep-float.js';
import { decodeModel, quantizeStaticInt8, type CalibrationSource } from '../../src/quantize/index.js';
import { cocoEvaluate, summaryToArray, type CocoGroundTruth, type Detection } from '../../src/tasks/detection/cocoeval.js';
import { readCocoDataset, type DetectionDataset } from '../../src/tasks/detection/dataset.js';
import { decodeBatch, type RawDetection } from '../../src/tasks/detection/decode.js';
import { canonicalValues } from './archs.js';

const FIXTURE = path.resolve('__tests__/fixtures/fmnist-det');
const NORMALIZE = { scale: 1 / 255, mean: [0], std: [1], layout: 'nchw' } as const;
const CALIBRATION = 'evenly-spaced-64';

interface Figure {
  stats: number[];
  initializers?: Record<string, string>;
}
interface Reference {
  calibration: Record<string, { indices: number[] }>;
  calibrationBatch: number;
  decode: { conf: number; iou: number; maxNms: number; maxDet: number; clip: boolean };
  tailNodes: Record<string, string[]>;
  models: Record<string, Record<string, Record<string, Record<string, Figure>>> & { fp32: number[] }>;
}

let reference: Reference;
let dataset: DetectionDataset;
let images: DecodedImages;
let workDir: string;

beforeAll(async () => {
  reference = JSON.parse(await readFile(`${FIXTURE}/int8-reference.json`, 'utf8')) as Reference;
  dataset = await readCocoDataset(FIXTURE, 'annotations.coco.json', null);
  const size = rectInputSize(
    dataset.samples.map((s) => s.label),
    [256, 256],
    { stride: 32, scaleup: true },
  );
  const spec = { color: 'gray', kernel: 'linear', cropRatio: 1, padValue: 114, size, resize: 'rect', fitWithin: [256, 256] };
  images = await decodeImages(
    dataset.samples.map((s) => s.file),
    spec as unknown as ResolvedDecodeSpec,
    silentProgress,
  );
  workDir = await mkdtemp(path.join(tmpdir(), 'mg-quantize-det-'));
}, 60_000);
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function calibration(indices: readonly number[]): CalibrationSource {
  const shape = [1, images.height, images.width];
  const per = images.height * images.width;
  return {
    samples: indices.length,
    sampleShape: shape,
    async read(start, end) {
      const out = new Float32Array((end - start) * per);
      for (let i = start; i < end; i++) out.set(toTensor(images, indices[i], indices[i] + 1, NORMALIZE), (i - start) * per);
      return out;
    },
  };
}

function digests(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tensor of decodeModel(bytes, 'int8').graph!.initializer) {
    const { type, dims, bytes: values } = canonicalValues(tensor as never);
    out[tensor.name] = createHash('sha256')
      .update(`${type}|${dims.join(',')}|`)
      .update(values)
      .digest('hex')
      .slice(0, 16);
  }
  return out;
}

async function cocoStats(modelPath: string): Promise<number[]> {
  const model = await loadModel(modelPath, { provider: 'cpu', threads: 2, label: modelPath });
  const detections: RawDetection[][] = [];
  try {
    for (let start = 0; start < images.count; start += 50) {
      const end = Math.min(images.count, start + 50);
      const outputs = await runBatch(model, toTensor(images, start, end, NORMALIZE), [end - start, 1, images.height, images.width]);
      detections.push(...decodeBatch(Object.values(outputs)[0], 'yolov8', end - start, images.geometry.slice(start, end), reference.decode));
    }
  } finally {
    await model.release();
  }
  const gt: CocoGroundTruth = {
    images: dataset.samples.map((s) => s.label.imageId),
    categories: dataset.categories.map((c) => c.id),
    boxes: dataset.samples.flatMap((s) => s.label.boxes.map((b) => ({ ...b, imageId: s.label.imageId }))),
  };
  const dets: Detection[] = dataset.samples.flatMap((s, i) =>
    detections[i].map(({ box: [x1, y1, x2, y2], score, classIndex }) => ({
      imageId: s.label.imageId,
      categoryId: classIndex + 1,
      bbox: [x1, y1, x2 - x1, y2 - y1] as [number, number, number, number],
      score,
    })),
  );
  return summaryToArray(cocoEvaluate(gt, dets).summary);
}

it('the scenes are in image-id order, which the calibration indices refer to', () => {
  expect(dataset.samples.map((s) => s.label.imageId)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
});

describe.each(['fmnist-det-small-v1.v8', 'fmnist-det-wide-v2.v8'])('%s', (name) => {
  const modelPath = `examples/fmnist-det/models/${name}.onnx`;

  it('keepFloat.tail is the box-decoding tail onnxruntime was told to exclude', async () => {
    const graph = decodeModel(await readFile(modelPath), name).graph!;
    expect([...keptFloat(graph, { tail: true }).nodes].sort()).toEqual(reference.tailNodes[name]);
  });

  describe.each([
    ['per-tensor', 'all'],
    ['per-tensor', 'tail-float'],
    ['per-channel', 'all'],
    ['per-channel', 'tail-float'],
  ] as const)('%s, %s', (mode, keep) => {
    it(`has onnxruntime's parameters bit for bit${keep === 'tail-float' ? ' and its mAP' : ''}`, async () => {
      const expected = reference.models[name][CALIBRATION][mode][keep];
      const { bytes, report } = await quantizeStaticInt8(
        modelPath,
        calibration(reference.calibration[CALIBRATION].indices),
        {
          perChannel: mode === 'per-channel',
          keepFloat: keep === 'tail-float' ? { tail: true } : undefined,
          batchSize: reference.calibrationBatch,
        },
        workDir,
      );
      expect(digests(bytes)).toEqual(expected.initializers);
      const keptInReport = report.floatNodes.filter((n) => n.reason === 'kept in float (output tail)').map((n) => n.name);
      const graph = decodeModel(await readFile(modelPath), name).graph!;
      const tailOps = reference.tailNodes[name].filter((n) => graph.node.find((node) => node.name === n)!.opType !== 'Constant');
      expect(keptInReport.sort()).toEqual(keep === 'tail-float' ? tailOps.sort() : []);
      if (keep !== 'tail-float') return;
      const file = path.join(workDir, `${name}.${mode}.${keep}.onnx`);
      await writeFile(file, bytes);
      const stats = await cocoStats(file);
      stats.forEach((value, i) => expect(Math.abs(value - expected.stats[i])).toBeLessThanOrEqual(1e-4));
    }, 60_000);
  });
});
