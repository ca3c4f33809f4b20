/**
 * Parity with onnxruntime 1.30's quantize_static (QDQ, MinMax, uint8 activations, int8 weights)
 * on five torchvision architectures (ResNet, MobileNetV2, MobileNetV3, EfficientNet, ConvNeXt;
 * reduced widths) and an "op zoo" of the other ops onnxruntime quantizes (Pad, Split, Where,
 * BatchNormalization, ConvTranspose, InstanceNormalization, Resize, AveragePool, Squeeze,
 * Softmax), per tensor and per channel, on the same 64 calibration images. The references
 * are onnxruntime's own int8 models, ranges and predictions, made by
 * scripts/reference/quantize-fixtures.py. Asserted:
 * - calibration: every tensor's [min, max] equals onnxruntime's calibration cache, bit for bit;
 * - every initializer of onnxruntime's int8 model (scales, zero points, int8 weights, int32
 *   biases, uint8 constants) exists in ours with the same type, shape and bytes, and ours has no
 *   other; the same from onnxruntime's own ranges (the arithmetic alone, whatever the CPU);
 * - the same nodes (op, inputs, outputs, attributes); the report lists as float only ops outside
 *   onnxruntime's registries (HardSwish, Erf, Div, ...) and int64 shape arithmetic;
 * - top-1 on the 500 eval images equals onnxruntime's int8 predictions on every image (and the
 *   fp32 model gives the reference fp32 predictions, which checks the preprocessing);
 * - the file is within 10% of onnxruntime's size (the architectures; the op zoo's 1,858
 *   parameters make its file mostly names, and onnxruntime also writes the value_info its shape
 *   inference found, which we do not).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, runBatch } from '../../src/inference/index.js';
import { calibrate } from '../../src/quantize/calibrate.js';
import { arraySource, decodeModel, quantizeCalibrated, quantizeStaticInt8, tensorSignatures, tensorsToCalibrate, type ModelMsg, type QuantizeReport } from '../../src/quantize/index.js';
import { ARCHS, MODES, SAMPLE_SHAPE, canonicalValues, fp32Path, loadModelMsg, loadTensors, manifest, ortPath, ortRanges, reference } from './archs.js';

/** Ops each fixture has that onnxruntime's quantizer does not quantize (outside its registries, or int64 shape ops). */
const FLOAT_OPS: Record<(typeof ARCHS)[number], string[]> = {
  resnet: [],
  mobilenetv2: [],
  mobilenetv3: ['Identity', 'HardSwish', 'HardSigmoid'],
  efficientnet: ['Identity'],
  convnext: ['Identity', 'Div', 'Erf'],
  opzoo: ['Identity', 'ConstantOfShape', 'Concat', 'Reshape', 'Slice', 'Transpose', 'Cast', 'Greater'],
};

let tensors: ReturnType<typeof loadTensors>;
let workDir: string;

beforeAll(async () => {
  tensors = loadTensors();
  workDir = await mkdtemp(join(tmpdir(), 'mg-parity-'));
});
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function top1(path: string): Promise<number[]> {
  const model = await loadModel(path, { provider: 'cpu', threads: 2, label: path });
  try {
    const out: number[] = [];
    const size = SAMPLE_SHAPE.reduce((a, b) => a * b, 1);
    for (let start = 0; start < tensors.evalCount; start += 100) {
      const end = Math.min(tensors.evalCount, start + 100);
      const { logits } = await runBatch(model, tensors.evaluation.subarray(start * size, end * size), [end - start, ...SAMPLE_SHAPE]);
      for (let i = 0; i < end - start; i++) {
        const row = logits.data.subarray(i * 10, i * 10 + 10);
        out.push(row.indexOf(Math.max(...row)));
      }
    }
    return out;
  } finally {
    await model.release();
  }
}

/** Initializers that differ from onnxruntime's, are missing, or are extra (empty = identical). */
function initializerDifferences(ours: ModelMsg, theirs: ModelMsg): string[] {
  const mine = new Map(ours.graph!.initializer.map((t) => [t.name, canonicalValues(t as never)]));
  const problems: string[] = [];
  for (const tensor of theirs.graph!.initializer) {
    const a = canonicalValues(tensor as never);
    const b = mine.get(tensor.name);
    if (!b) problems.push(`missing ${tensor.name}`);
    else if (a.type !== b.type || a.dims.join() !== b.dims.join() || !a.bytes.equals(b.bytes)) problems.push(`differs ${tensor.name}`);
    mine.delete(tensor.name);
  }
  return [...problems, ...[...mine.keys()].map((name) => `extra ${name}`)];
}

function nodeSignatures(model: ModelMsg): string[] {
  return model
    .graph!.node.map((n) => {
      const attributes = (n.attribute as unknown as { name: string; i?: unknown; f?: number; ints?: unknown[] }[])
        .map((a) => `${a.name}=${String(a.i ?? '')}/${a.f ?? ''}/${(a.ints ?? []).join(',')}`)
        .sort();
      return `${n.opType}(${n.input.join(',')})->${n.output.join(',')} [${attributes.join(' ')}]`;
    })
    .sort();
}

describe.each(ARCHS)('%s', (arch) => {
  const expected = reference.models[arch];

  it("fp32 top-1 equals the reference (the preprocessing is the script's)", async () => {
    expect(await top1(fp32Path(arch))).toEqual(expected.fp32);
  });

  it("calibrates every tensor to onnxruntime's [min, max], bit for bit", async () => {
    const model = loadModelMsg(fp32Path(arch));
    const { ranges } = await calibrate(model, tensorsToCalibrate(model.graph!), arraySource(tensors.calibration, SAMPLE_SHAPE), {
      workDir,
      label: arch,
      batchSize: manifest.calibrationBatch,
    });
    const theirs = ortRanges(arch);
    expect([...ranges.keys()].sort()).toEqual([...theirs.keys()].sort());
    const differing = [...theirs].filter(([name, [low, high]]) => ranges.get(name)![0] !== low || ranges.get(name)![1] !== high);
    expect(differing).toEqual([]);
  });

  describe.each(MODES)('%s', (mode) => {
    const perChannel = mode === 'per-channel';
    let bytes: Uint8Array;
    let report: QuantizeReport;
    let path: string;
    const theirs = () => loadModelMsg(ortPath(arch, mode));

    beforeAll(async () => {
      ({ bytes, report } = await quantizeStaticInt8(fp32Path(arch), arraySource(tensors.calibration, SAMPLE_SHAPE), { perChannel }, workDir));
      path = join(workDir, `${arch}.${mode}.onnx`);
      await writeFile(path, bytes);
    });

    it("every scale, zero point, quantized weight and bias equals onnxruntime's, and there is nothing else", () => {
      expect(theirs().graph!.initializer.length).toBeGreaterThan(50);
      expect(initializerDifferences(decodeModel(bytes, 'ours'), theirs())).toEqual([]);
    });

    it("from onnxruntime's own ranges too (the arithmetic alone)", async () => {
      const model = loadModelMsg(fp32Path(arch));
      const floatTensors = new Set([...(await tensorSignatures(model, workDir, arch)).values()].filter((s) => s.type === 'float32').map((s) => s.name));
      const fromTheirRanges = quantizeCalibrated(model, { ranges: ortRanges(arch), floatTensors, samples: 64 }, { perChannel });
      expect(initializerDifferences(decodeModel(fromTheirRanges.bytes, 'ours'), theirs())).toEqual([]);
    });

    it("has the same nodes as onnxruntime's", () => {
      expect(nodeSignatures(decodeModel(bytes, 'ours'))).toEqual(nodeSignatures(theirs()));
    });

    it("reports as float only ops outside onnxruntime's registries or with no quantized input", () => {
      const ops = new Set(report.floatNodes.map((n) => n.op));
      // Ops onnxruntime 1.30 quantizes by default never appear when their inputs are quantized.
      for (const op of ['Conv', 'MatMul', 'Gemm', 'Add', 'Mul', 'LayerNormalization', 'GlobalAveragePool', 'Softmax', 'Relu', 'Clip']) expect(ops.has(op)).toBe(false);
      expect([...ops].filter((op) => FLOAT_OPS[arch].includes(op) === false)).toEqual([]);
    });

    it("predicts what onnxruntime's int8 model predicts on all 500 eval images", async () => {
      expect(await top1(path)).toEqual(expected[mode].int8);
    });

    if (arch !== 'opzoo') {
      it("is within 10% of onnxruntime's file size", () => {
        expect(Math.abs(bytes.length / expected[mode].bytes - 1)).toBeLessThanOrEqual(0.1);
      });
    }
  });
});
