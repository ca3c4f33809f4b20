/**
 * @jest-environment ./__tests__/inference/ort-environment.js
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { loadModel, onnxruntimeVersion, resolveThreads } from '../../src/inference/index.js';
import { fakeFactory } from './fakes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const lenet = path.resolve(here, '../../examples/fashion-mnist/models/fmnist-lenet-v1.onnx');

const PINNED_OPTIONS = {
  logSeverityLevel: 3,
  intraOpNumThreads: 3,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  // Spin-wait pinned too (inference.spin-wait, on by default as in onnxruntime).
  extra: { session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '1' } } },
};

describe('execution provider choice (fake sessions)', () => {
  test("'cpu' asks for the CPU EP only, with pinned options", async () => {
    const { factory, creates } = fakeFactory([]);
    const model = await loadModel('m.onnx', { provider: 'cpu', threads: 3, label: 'models/m.onnx' }, factory);
    expect(creates).toEqual([{ path: 'm.onnx', options: { executionProviders: ['cpu'], ...PINNED_OPTIONS } }]);
    expect(model).toMatchObject({ provider: 'cpu', providerNote: null, threads: 3, batchDim: 'dynamic' });
    expect(model.inputs).toEqual([{ name: 'input', dims: ['batch', 1, 28, 28], type: 'float32' }]);
    expect(model.outputs).toEqual([{ name: 'logits', dims: ['batch', 10], type: 'float32' }]);
  });

  test("'cuda' that fails is a UserError pointing at docs/gpu-runner.md, with no CPU retry", async () => {
    const { factory, creates } = fakeFactory(['cuda']);
    const error = await loadModel('m.onnx', { provider: 'cuda', threads: 3, label: 'models/m.onnx' }, factory).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^models\/m\.onnx: execution provider 'cuda' was requested but the CUDA session failed: fake cuda provider is broken .*docs\/gpu-runner\.md/);
    expect(creates.map((c) => c.options.executionProviders)).toEqual([['cuda']]);
  });

  test("'cuda' that works reports cuda", async () => {
    const { factory } = fakeFactory([]);
    const model = await loadModel('m.onnx', { provider: 'cuda', threads: 3, label: 'm' }, factory);
    expect(model).toMatchObject({ provider: 'cuda', providerNote: null });
  });

  test("'auto' tries CUDA then CPU, and falls back to CPU alone with a note", async () => {
    const { factory, creates } = fakeFactory(['cuda']);
    const model = await loadModel('m.onnx', { provider: 'auto', threads: 3, label: 'm' }, factory);
    expect(creates.map((c) => c.options.executionProviders)).toEqual([['cuda', 'cpu'], ['cpu']]);
    expect(model).toMatchObject({ provider: 'cpu', providerNote: 'CUDA EP unavailable (fake cuda provider is broken); ran on CPU' });
  });

  test("'auto' with working CUDA reports cuda", async () => {
    const { factory, creates } = fakeFactory([]);
    const model = await loadModel('m.onnx', { provider: 'auto', threads: 3, label: 'm' }, factory);
    expect(creates).toHaveLength(1);
    expect(model).toMatchObject({ provider: 'cuda', providerNote: null });
  });

  test("'auto' whose CPU retry fails too reports the model error", async () => {
    const { factory } = fakeFactory(['cuda', 'cpu']);
    await expect(loadModel('m.onnx', { provider: 'auto', threads: 3, label: 'm' }, factory)).rejects.toThrow('m: onnxruntime could not load the model: fake cpu provider is broken');
  });

  test('a fixed first dimension is reported as the batch size', async () => {
    const { factory } = fakeFactory([], [], [4, 3, 32, 32]);
    const model = await loadModel('m.onnx', { provider: 'cpu', threads: 1, label: 'm' }, factory);
    expect(model.batchDim).toBe(4);
  });
});

describe('real onnxruntime on this CUDA-less machine', () => {
  test("'auto' falls back to CPU and says why", async () => {
    const model = await loadModel(lenet, { provider: 'auto', threads: 1, label: 'lenet' });
    try {
      expect(model.provider).toBe('cpu');
      // The binding ships without the CUDA provider libraries here; see cudaFailureReason.
      expect(model.providerNote).toBe('CUDA EP unavailable (libonnxruntime_providers_shared.so not found); ran on CPU');
      expect(model.batchDim).toBe('dynamic');
    } finally {
      await model.release();
    }
  });

  test("'cuda' fails with a UserError", async () => {
    await expect(loadModel(lenet, { provider: 'cuda', threads: 1, label: 'lenet' })).rejects.toThrow(
      /^lenet: execution provider 'cuda' was requested but the CUDA session failed: libonnxruntime_providers_shared\.so not found/,
    );
  });

  test('an unloadable model is a UserError naming it', async () => {
    await expect(loadModel(path.join(os.tmpdir(), 'no-such-model.onnx'), { provider: 'cpu', threads: 1, label: 'ghost.onnx' })).rejects.toThrow(
      /^ghost\.onnx: onnxruntime could not load the model: /,
    );
  });

  test('version is the installed onnxruntime-node', () => {
    expect(onnxruntimeVersion).toBe('1.30.0');
  });
});

test('resolveThreads: 0 means every core this process may use', () => {
  expect(resolveThreads(0)).toBe(os.availableParallelism());
  expect(resolveThreads(5)).toBe(5);
  expect(() => resolveThreads(-1)).toThrow('threads must be an integer >= 0, got -1');
});
