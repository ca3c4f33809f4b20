/**
 * Keeping nodes in float (onnxruntime's nodes_to_exclude) on fmnist-lenet-v1
 * (Conv–Relu–MaxPool ×2, Flatten, Gemm–Relu–Gemm): by name, everything after a node, the output
 * tail; excluded nodes get no QDQ of their own and are reported with the reason. The detectors'
 * tail against onnxruntime itself is detection.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { keptFloat } from '../../src/quantize/keep-float.js';
import { arraySource, decodeModel, quantizeStaticInt8 } from '../../src/quantize/index.js';

const LENET = 'examples/fashion-mnist/models/fmnist-lenet-v1.onnx';
let workDir: string;
const graph = async () => decodeModel(await readFile(LENET), 'lenet').graph!;
const calibration = () =>
  arraySource(
    Float32Array.from({ length: 4 * 784 }, (_, i) => ((i * 37) % 101) / 50 - 0.8),
    [1, 28, 28],
  );

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'mg-keep-float-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

it('resolves names, everything after a node, and the tail', async () => {
  const g = await graph();
  expect([...keptFloat(g, { nodes: ['/f2/Gemm'] }).nodes]).toEqual(['/f2/Gemm']);
  expect([...keptFloat(g, { after: ['/f1/Gemm'] }).nodes].sort()).toEqual(['/Relu_2', '/f2/Gemm']);
  // Nothing follows the last Gemm, so the tail is empty for a classifier ending in a Gemm.
  expect([...keptFloat(g, { tail: true }).nodes]).toEqual([]);
  expect(keptFloat(g, { after: ['/f1/Gemm'] }).reasons.get('/f2/Gemm')).toBe('kept in float (after /f1/Gemm)');
});

it('refuses a node name the model does not have', async () => {
  expect(() => keptFloat({ node: [], initializer: [], input: [], output: [] }, { nodes: ['/nope'] })).toThrow(UserError);
  await expect(quantizeStaticInt8(LENET, calibration(), { perChannel: false, keepFloat: { after: ['/nope'] } }, workDir)).rejects.toThrow(/no node named "\/nope"/);
});

it('leaves the kept nodes float: their weights stay float32 and no QDQ is added for them', async () => {
  const { bytes, report } = await quantizeStaticInt8(LENET, calibration(), { perChannel: false, keepFloat: { after: ['/f1/Gemm'] } }, workDir);
  const model = decodeModel(bytes, 'int8');
  const byName = new Map(model.graph!.initializer.map((t) => [t.name, t]));
  expect(byName.get('f2.weight')?.dataType).toBe(1); // FLOAT, read by the float Gemm directly
  expect(byName.has('f1.weight_quantized')).toBe(true);
  const f2 = model.graph!.node.find((n) => n.name === '/f2/Gemm')!;
  expect(f2.input.slice(1)).toEqual(['f2.weight', 'f2.bias']);
  expect(model.graph!.node.some((n) => n.opType === 'Relu')).toBe(true); // /Relu_2 is not folded away
  expect(
    report.floatNodes
      .filter((n) => n.reason.startsWith('kept in float'))
      .map((n) => n.name)
      .sort(),
  ).toEqual(['/Relu_2', '/f2/Gemm']);
  expect(report.floatWeights.map((w) => w.name).sort()).toEqual(['f2.bias', 'f2.weight']);
});
