/**
 * Calibration in bounded memory: the execution order onnxruntime gives the calibration graph
 * (its reverse depth-first search from the leaves, which decides how long each tensor lives), the
 * live-tensor estimate per image, and the batch size a memory budget allows, with the error that
 * names the model and the knob when one image does not fit. Peak RSS itself is a bench figure
 * (npm run bench), not a timed test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import type { TensorSignature } from '../../src/contracts/tensors.js';
import { batchForBudget, liveBytesPerSample, ortOrder } from '../../src/quantize/calibration-memory.js';
import { arraySource, CALIBRATION_KNOBS, quantizeStaticInt8 } from '../../src/quantize/index.js';
import { makeNode, type GraphMsg } from '../../src/quantize/model-io.js';

const KNOBS = CALIBRATION_KNOBS;

/** x → A → a → B → b → C → y, with ReduceMin/Max pairs for x, a, b appended last tensor first (as calibrate.ts does). */
function chain(): { graph: GraphMsg; nodes: ReturnType<typeof makeNode>[] } {
  const main = [makeNode('Relu', ['x'], ['a'], 'A'), makeNode('Relu', ['a'], ['b'], 'B'), makeNode('Relu', ['b'], ['y'], 'C')];
  const pair = (t: string) => [makeNode('ReduceMax', [t], [`${t}.max`], `${t}.max`), makeNode('ReduceMin', [t], [`${t}.min`], `${t}.min`)];
  const nodes = [...main, ...pair('b'), ...pair('a'), ...pair('x')];
  const graph = { node: main, initializer: [], input: [{ name: 'x' }], output: [{ name: 'y' }] } as unknown as GraphMsg;
  return { graph, nodes };
}

it('orders nodes as onnxruntime does: each reduction right after its tensor is written', () => {
  const { nodes } = chain();
  expect(ortOrder(nodes).map((n) => n.name)).toEqual(['x.min', 'x.max', 'A', 'a.min', 'a.max', 'B', 'b.min', 'b.max', 'C']);
  // Appended in forward order instead, the search starts from the last tensor's pair: x is
  // reduced only after B, so it stays alive through A and B.
  const forward = ortOrder([...nodes.slice(0, 3), ...nodes.slice(3).reverse()]).map((n) => n.name);
  expect(forward.indexOf('x.min')).toBeGreaterThan(forward.indexOf('B'));
});

it('estimates the live bytes per image from the tensors alive at once', () => {
  const { graph, nodes } = chain();
  const signature = (name: string, dims: (number | string)[]): [string, TensorSignature] => [name, { name, dims, type: 'float32' }];
  const reductions = nodes.slice(3).map((n) => signature(n.output[0], [1]));
  const signatures = new Map([signature('x', ['batch', 100]), signature('a', ['batch', 1000]), signature('b', ['batch', 10]), signature('y', ['batch', 1]), ...reductions]);
  // Peak while A runs: x (400 B, freed once A has read it) and a (4,000 B).
  expect(liveBytesPerSample(nodes, graph, signatures)).toBe(400 + 4000);
});

describe('batch from the memory budget', () => {
  const base = { label: 'models/big.onnx', samples: 256, knobs: KNOBS };

  it('fits as many images as twice the live bytes allow, at most 64 and at most the samples', () => {
    expect(batchForBudget({ ...base, perSample: 10e6, budget: 1e9, requested: null })).toBe(50);
    expect(batchForBudget({ ...base, perSample: 1e3, budget: 1e9, requested: null })).toBe(64);
    expect(batchForBudget({ ...base, samples: 8, perSample: 1e3, budget: 1e9, requested: null })).toBe(8);
    expect(batchForBudget({ ...base, perSample: 1e3, budget: 1e9, requested: 5 })).toBe(5);
  });

  it('a budget that cannot hold one image, or the batch asked for, is a UserError naming the model and the knob', () => {
    expect(() => batchForBudget({ ...base, perSample: 600e6, budget: 1024 ** 3, requested: null })).toThrow(
      new UserError(
        'models/big.onnx: calibrating one image needs about 1,145 MB for intermediate tensors, over the calibration memory budget of 1,024 MB; raise quantization.calibration-memory-mb',
      ),
    );
    expect(() => batchForBudget({ ...base, perSample: 100e6, budget: 1024 ** 3, requested: 32 })).toThrow(
      /models\/big\.onnx: a calibration batch of 32 images needs .* lower quantization\.calibration-batch-size or raise quantization\.calibration-memory-mb/,
    );
  });
});

it('the quantizer refuses, before running anything, a calibration that does not fit', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mg-calibration-memory-'));
  try {
    const attempt = quantizeStaticInt8(
      'examples/fashion-mnist/models/fmnist-lenet-v1.onnx',
      arraySource(new Float32Array(4 * 784), [1, 28, 28]),
      { perChannel: false, memoryBudgetBytes: 10_000, label: 'baseline fmnist-lenet-v1.onnx' },
      dir,
    );
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(/^baseline fmnist-lenet-v1\.onnx: calibrating one image needs about \d+ MB .*raise quantization\.calibration-memory-mb$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
