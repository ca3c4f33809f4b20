/**
 * Benchmark support for the built-in quantizer (issue 4: calibrating on 256 samples and
 * quantizing a ~140k-parameter CNN should take under 2 s; issue 16: a ConvNeXt-T-sized model in
 * bounded memory, see bench-convnext.ts): a timed run that reports calibration and the rest
 * apart, calibration images generated on demand (so the bench holds none of them), and a
 * generator for a LeNet-like fp32 CNN of about 148k parameters with deterministic random
 * weights, so the figures do not depend on a model file nobody has.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from './calibrate.js';
import { decodeModel, quantizeCalibrated, tensorsToCalibrate, type CalibrationSource, type QuantizeOptions, type QuantizeReport } from './index.js';
import { encodeModel, makeNode, makeTensor, onnx, type ModelMsg } from './model-io.js';

export interface QuantizeTiming {
  /** Wall time of the whole quantization: read, calibrate (session creation included), rewrite, encode. */
  ms: number;
  /** Of which calibration (both calibration sessions and every batch). */
  calibrationMs: number;
  /** Images per calibration batch (from the memory budget unless given). */
  batchSize: number;
  report: QuantizeReport;
  bytes: number;
}

/** quantizeStaticInt8's steps, timed: calibration on its own, then the rest. */
export async function timeQuantizeStaticInt8(modelPath: string, calibration: CalibrationSource, options: QuantizeOptions): Promise<QuantizeTiming> {
  const workDir = await mkdtemp(join(tmpdir(), 'mg-quantize-bench-'));
  try {
    const started = performance.now();
    const model = decodeModel(await readFile(modelPath), modelPath);
    const calibrationStarted = performance.now();
    const ranges = await calibrate(model, tensorsToCalibrate(model.graph!), calibration, {
      workDir,
      label: modelPath,
      batchSize: options.batchSize,
      memoryBudgetBytes: options.memoryBudgetBytes,
    });
    const calibrationMs = performance.now() - calibrationStarted;
    const { bytes, report } = quantizeCalibrated(model, ranges, options);
    return { ms: performance.now() - started, calibrationMs, batchSize: ranges.batchSize, report, bytes: bytes.length };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * `samples` calibration images of `sampleShape` with values uniform in [low, high), generated
 * batch by batch from the sample index: the same images every run, none of them kept.
 */
export function generatedSource(samples: number, sampleShape: readonly number[], low: number, high: number): CalibrationSource {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  return {
    samples,
    sampleShape,
    async read(start, end) {
      const out = new Float32Array((end - start) * size);
      for (let i = start, o = 0; i < end; i++) {
        let state = i + 1;
        for (let k = 0; k < size; k++, o++) {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          out[o] = low + (state / 2 ** 32) * (high - low);
        }
      }
      return out;
    },
  };
}

/** Deterministic values in [−scale, scale) (a linear congruential generator; quality is irrelevant here). */
export function randomValues(count: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

function intsAttribute(name: string, values: number[]) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
}

/**
 * Conv3×3(1→32)–Relu–MaxPool–Conv3×3(32→64)–Relu–MaxPool–Flatten–Gemm(1600→80)–Relu–Gemm(80→10)
 * on [N,1,28,28]: 147,706 parameters.
 */
export function syntheticCnn(): { model: ModelMsg; parameters: number } {
  const weights: [string, number[]][] = [
    ['w1', [32, 1, 3, 3]],
    ['b1', [32]],
    ['w2', [64, 32, 3, 3]],
    ['b2', [64]],
    ['w3', [80, 1600]],
    ['b3', [80]],
    ['w4', [10, 80]],
    ['b4', [10]],
  ];
  let parameters = 0;
  const initializer = weights.map(([name, dims], i) => {
    const count = dims.reduce((n, d) => n * d, 1);
    parameters += count;
    const fanIn = dims.length > 1 ? count / dims[0] : 1;
    return makeTensor(name, randomValues(count, 1 / Math.sqrt(fanIn), i + 1), dims);
  });
  const pool = () => [intsAttribute('kernel_shape', [2, 2]), intsAttribute('strides', [2, 2])];
  const nodes = [
    makeNode('Conv', ['input', 'w1', 'b1'], ['c1'], 'conv1'),
    makeNode('Relu', ['c1'], ['r1'], 'relu1'),
    makeNode('MaxPool', ['r1'], ['p1'], 'pool1'),
    makeNode('Conv', ['p1', 'w2', 'b2'], ['c2'], 'conv2'),
    makeNode('Relu', ['c2'], ['r2'], 'relu2'),
    makeNode('MaxPool', ['r2'], ['p2'], 'pool2'),
    makeNode('Flatten', ['p2'], ['f'], 'flatten'),
    makeNode('Gemm', ['f', 'w3', 'b3'], ['g1'], 'fc1'),
    makeNode('Relu', ['g1'], ['r3'], 'relu3'),
    makeNode('Gemm', ['r3', 'w4', 'b4'], ['logits'], 'fc2'),
  ];
  for (const name of ['pool1', 'pool2']) nodes.find((n) => n.name === name)!.attribute.push(...(pool() as never[]));
  nodes.filter((n) => n.opType === 'Gemm').forEach((n) => n.attribute.push(onnx.AttributeProto.create({ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }) as never));
  const tensorType = (dims: (number | string)[]) => ({
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'model-gate synthetic CNN',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'synthetic-cnn',
      node: nodes as onnx.NodeProto.$Properties[],
      initializer: initializer as onnx.TensorProto.$Properties[],
      input: [{ name: 'input', type: tensorType(['batch', 1, 28, 28]) }],
      output: [{ name: 'logits', type: tensorType(['batch', 10]) }],
    },
  }) as unknown as ModelMsg;
  return { model, parameters };
}

/** Writes syntheticCnn() to `path` and returns its parameter count. */
export async function writeSyntheticCnn(path: string): Promise<number> {
  const { model, parameters } = syntheticCnn();
  await writeFile(path, encodeModel(model));
  return parameters;
}
