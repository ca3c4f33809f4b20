/**
 * A deterministic report for the rendering tests: synthetic predictions whose paired table is
 * chosen by hand, fixed latency samples and a fixed clock, so the Markdown is stable.
 */
import type { Config } from '../../src/config/types.js';
import type { EvalSample } from '../../src/contracts/task.js';
import type { ModelFile } from '../../src/models/index.js';
import { buildReport } from '../../src/report/build.js';
import { classificationTask } from '../../src/tasks/classification/index.js';

export const CLASSES = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle-boot'];

export const config = {
  configPath: '/repo/model-gate.yml',
  task: 'classification',
  eval: { source: '/repo/fmnist-test.tar.gz', sha256: 'ab'.repeat(32), format: 'class-folders', manifest: null },
  classes: CLASSES,
  preprocess: {
    color: 'gray',
    size: [28, 28],
    resize: 'stretch',
    kernel: 'linear',
    cropRatio: 0.875,
    padValue: 114,
    scale: 1 / 255,
    mean: [0.286],
    std: [0.353],
    layout: 'nchw',
    workers: 0,
  },
  inference: { executionProvider: 'auto', batchSize: 64, threads: 2, memoryBudget: 512e6, interOpThreads: 1, spinWait: true },
  latency: { batchSizes: [1], warmup: 1, runs: 20, rounds: 4, threads: 1 },
  gates: { maxTop1Drop: 0.5, minErrorReduction: 0, requireSignificant: false, maxLatencyRegression: 25, maxInt8Drop: null },
  quantization: { mode: 'none', perChannel: false, calibration: null, calibrationSamples: 256, calibrationMemory: 2 ** 30, calibrationBatchSize: null, keepFloat: null },
  nightly: { latencyThreshold: 0.1, failOnRegression: true, historyBranch: 'model-gate-history', mention: [] },
  models: [],
  output: { json: null, markdown: null, html: null, dir: '/tmp/out' },
  cacheDir: '/tmp/cache',
  progress: 'off',
  shard: null,
} as const satisfies Config;

function modelFile(role: 'baseline' | 'candidate', sha: string, params: number, bytes: number): ModelFile {
  return {
    role,
    label: `models/${role === 'baseline' ? 'base' : 'cand'}.onnx`,
    path: `/repo/models/${role}.onnx`,
    bytes,
    sha256: sha.repeat(64 / sha.length),
    facts: {
      irVersion: 8,
      opset: 17,
      producer: 'pytorch',
      params,
      inputs: [{ name: 'input', dims: ['batch', 1, 28, 28], type: 'float32' }],
      outputs: [{ name: 'logits', dims: ['batch', 10], type: 'float32' }],
      externalDataFiles: [],
    },
  };
}

/**
 * n samples, label = i mod 10. `table` says how many are both right, baseline-only right,
 * candidate-only right and both wrong (in that order along the samples).
 */
export function syntheticReport(table: { a: number; b: number; c: number; d: number }, latency: { base: number[]; cand: number[] }) {
  const n = table.a + table.b + table.c + table.d;
  const samples: EvalSample<number>[] = Array.from({ length: n }, (_, i) => ({
    id: `${CLASSES[i % 10]}/${String(i).padStart(5, '0')}.png`,
    file: `/x/${i}.png`,
    label: i % 10,
  }));
  const right = (label: number) => ({ ranked: [label, (label + 1) % 10, (label + 2) % 10, (label + 3) % 10, (label + 4) % 10] });
  const wrong = (label: number) => ({ ranked: [(label + 1) % 10, (label + 2) % 10, (label + 3) % 10, (label + 4) % 10, (label + 5) % 10] });
  const base = samples.map((s, i) => (i < table.a + table.b ? right(s.label) : wrong(s.label)));
  const cand = samples.map((s, i) => (i < table.a || (i >= table.a + table.b && i < table.a + table.b + table.c) ? right(s.label) : wrong(s.label)));
  return buildReport(classificationTask, samples, {
    config,
    version: '0.1.0',
    generatedAt: '2026-11-28T00:00:00.000Z',
    evalSet: { source: config.eval.source, sha256: config.eval.sha256, samples: n, fromCache: false },
    environment: {
      executionProvider: 'cpu',
      executionProviderNote: 'CUDA EP unavailable; ran on CPU',
      threads: 2,
      onnxruntime: '1.30.0',
      node: 'v20.0.0',
      platform: 'linux-x64',
      cpu: 'test cpu',
    },
    preprocess: { ...config.preprocess },
    baseline: { file: modelFile('baseline', 'a1b2c3d4', 20522, 83483), executionProvider: 'cpu', predictions: base, latencyMs: { 1: latency.base } },
    candidate: { file: modelFile('candidate', 'e4f5a6b7', 19306, 79177), executionProvider: 'cpu', predictions: cand, latencyMs: { 1: latency.cand } },
  });
}

/** Latency samples with a given centre and a small deterministic spread. */
export const around = (centre: number, runs = 40) => Array.from({ length: runs }, (_, i) => centre * (1 + (((i * 7) % 11) - 5) / 200));
