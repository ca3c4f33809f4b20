/**
 * The QDQ graph the quantizer builds for fmnist-lenet-v1 (Conv–Relu–MaxPool ×2, Flatten,
 * Gemm–Relu–Gemm), checked against what onnxruntime's QDQ quantizer does with the same graph:
 * Relu folded into the producer's QDQ, MaxPool and Flatten reusing their input's scale (Flatten is
 * a QDQDirect8BitOp in onnxruntime 1.30's registry), weights int8, biases int32, the graph output
 * keeping its name. Calibration here uses synthetic inputs: the structure does not depend on the
 * values (the accuracy test covers those).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { decodeModel, encodeModel, isAlreadyQuantized, isAlreadyQuantizedBytes, quantizeStaticInt8, arraySource, type CalibrationSource, type ModelMsg } from '../../src/quantize/index.js';
import { bytesField, concat, stringField } from '../models/onnx-writer.js';

const LENET = 'examples/fashion-mnist/models/fmnist-lenet-v1.onnx';
let workDir: string;

/** Deterministic inputs in the normalized pixel range [−0.81, 2.02]. */
function syntheticBatches(count: number): CalibrationSource {
  const data = new Float32Array(count * 784);
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    data[i] = -0.81 + (state / 2 ** 31) * 2.83;
  }
  return arraySource(data, [1, 28, 28]);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'mg-quantize-graph-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const ops = (model: ModelMsg) => model.graph!.node.map((n) => n.opType);
const count = (model: ModelMsg, op: string) => ops(model).filter((o) => o === op).length;

describe('per tensor', () => {
  let model: ModelMsg;
  let report: Awaited<ReturnType<typeof quantizeStaticInt8>>['report'];

  beforeAll(async () => {
    const result = await quantizeStaticInt8(LENET, syntheticBatches(16), { perChannel: false }, workDir);
    model = decodeModel(result.bytes, 'quantized');
    report = result.report;
  });

  it('folds the three Relu into the QDQ of their producers', () => {
    expect(count(model, 'Relu')).toBe(0);
    const conv = model.graph!.node.find((n) => n.name === '/c1/Conv')!;
    expect(conv.output).toEqual(['/Relu_output_0']);
  });

  it('quantizes input, the three Relu outputs, both MaxPool outputs, the Flatten output and the logits', () => {
    // 8 activations → 8 QuantizeLinear; their 8 DequantizeLinear + 4 weights + 4 biases = 16
    const quantized = model.graph!.node.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.output[0]);
    expect(quantized.sort()).toEqual(
      ['input', '/Relu_output_0', '/MaxPool_output_0', '/Relu_1_output_0', '/MaxPool_1_output_0', '/Flatten_output_0', '/Relu_2_output_0', 'logits']
        .map((name) => `${name}_QuantizeLinear_Output`)
        .sort(),
    );
    expect(count(model, 'DequantizeLinear')).toBe(16);
  });

  it("gives MaxPool and Flatten their input's scale and zero point", () => {
    const q = (name: string) => model.graph!.node.find((n) => n.output[0] === `${name}_QuantizeLinear_Output`)!;
    expect(q('/MaxPool_output_0').input.slice(1)).toEqual(q('/Relu_output_0').input.slice(1));
    // Shared parameters chain back to the tensor that owns them: Relu_1 → MaxPool_1 → Flatten.
    expect(q('/Flatten_output_0').input.slice(1)).toEqual(['/Relu_1_output_0_scale', '/Relu_1_output_0_zero_point']);
  });

  it('stores int8 weights and int32 biases and drops the float weights', () => {
    const byName = new Map(model.graph!.initializer.map((t) => [t.name, t]));
    for (const weight of ['c1.weight', 'c2.weight', 'f1.weight', 'f2.weight']) {
      expect(byName.get(`${weight}_quantized`)!.dataType).toBe(3); // INT8
      expect(byName.get(`${weight}_scale`)!.dims).toEqual([]);
      expect(byName.has(weight)).toBe(false);
    }
    for (const bias of ['c1.bias', 'c2.bias', 'f1.bias', 'f2.bias']) expect(byName.get(`${bias}_quantized`)!.dataType).toBe(6); // INT32
  });

  it('keeps the graph output name, now written by a DequantizeLinear', () => {
    expect(model.graph!.output.map((o) => o.name)).toEqual(['logits']);
    expect(model.graph!.node.find((n) => n.output.includes('logits'))!.opType).toBe('DequantizeLinear');
  });

  it('leaves no op float and counts the quantized ops', () => {
    expect(report.floatNodes).toEqual([]);
    expect(report.quantizedNodes).toEqual(
      expect.arrayContaining([
        { op: 'Conv', count: 2 },
        { op: 'Relu', count: 3 },
        { op: 'MaxPool', count: 2 },
        { op: 'Flatten', count: 1 },
        { op: 'Gemm', count: 2 },
      ]),
    );
    expect(report.calibrationSamples).toBe(16);
  });

  it('orders nodes so every input exists before it is read', () => {
    const seen = new Set<string>([...model.graph!.input.map((v) => v.name), ...model.graph!.initializer.map((t) => t.name)]);
    for (const node of model.graph!.node) {
      for (const input of node.input) expect(seen.has(input) || input === '').toBe(true);
      for (const output of node.output) seen.add(output);
    }
  });

  it('is then recognised as already quantized', () => {
    expect(isAlreadyQuantized(model)).toBe(true);
  });
});

it('per channel: one scale per output channel, on axis 0 for Conv and for Gemm with transB', async () => {
  const { bytes } = await quantizeStaticInt8(LENET, syntheticBatches(4), { perChannel: true }, workDir);
  const model = decodeModel(bytes, 'quantized');
  const byName = new Map(model.graph!.initializer.map((t) => [t.name, t]));
  for (const [weight, channels] of [
    ['c1.weight', 8],
    ['c2.weight', 16],
    ['f1.weight', 64],
    ['f2.weight', 10],
  ] as const) {
    expect(byName.get(`${weight}_scale`)!.dims.map(Number)).toEqual([channels]);
    const dq = model.graph!.node.find((n) => n.input[0] === `${weight}_quantized`)!;
    expect(dq.attribute.map((a) => [a.name, Number(a.i)])).toEqual([['axis', 0]]);
  }
});

describe('bad input', () => {
  it('an fp32 model is not flagged as quantized', async () => {
    expect(isAlreadyQuantizedBytes(await readFile(LENET))).toBe(false);
  });

  it('an already quantized model is refused with the reason', async () => {
    const { bytes } = await quantizeStaticInt8(LENET, syntheticBatches(2), { perChannel: false }, workDir);
    const path = join(workDir, 'already.onnx');
    await writeFile(path, bytes);
    expect(isAlreadyQuantizedBytes(bytes)).toBe(true);
    const attempt = quantizeStaticInt8(path, syntheticBatches(2), { perChannel: false }, workDir);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(/already quantized \(it has (Quantize|Dequantize)Linear nodes\)/);
  });

  it('int8 weights without QDQ nodes also count as quantized', async () => {
    const model = decodeModel(await readFile(LENET), 'lenet');
    model.graph!.initializer[0].dataType = 3;
    expect(isAlreadyQuantized(model)).toBe(true);
  });
});

it('fields the schema does not know survive quantization', async () => {
  // An unknown length-delimited field 50 appended to the ModelProto.
  const extra = bytesField(50, stringField(1, 'kept'));
  const path = join(workDir, 'with-unknown.onnx');
  await writeFile(path, concat(new Uint8Array(await readFile(LENET)), extra));
  const { bytes } = await quantizeStaticInt8(path, syntheticBatches(2), { perChannel: false }, workDir);
  expect(
    Buffer.from(bytes)
      .subarray(bytes.length - extra.length)
      .equals(Buffer.from(extra)),
  ).toBe(true);
  // and the workDir holds no calibration leftovers
  expect(encodeModel(decodeModel(bytes, 'x')).length).toBe(bytes.length);
});
