/**
 * Inputs for the HTML report tests: a Fashion-MNIST-like report with int8 results (built by the
 * real buildReport from synthetic predictions whose paired tables are chosen by hand), a few real
 * Fashion-MNIST images extracted from the embedded example, and a short history.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { HistoryChart } from '../../src/contracts/history.js';
import type { EvalSample } from '../../src/contracts/task.js';
import type { ModelFile } from '../../src/models/index.js';
import { buildReport } from '../../src/report/build.js';
import type { QuantizedRun } from '../../src/report/quantization.js';
import { classificationTask } from '../../src/tasks/classification/index.js';
import type { ClassPrediction } from '../../src/tasks/classification/metrics.js';
import { around, CLASSES, config } from '../report/fixtures.js';

export const FMNIST_ARCHIVE = join(process.cwd(), 'examples/fashion-mnist/fmnist-test.tar.gz');

export const right = (label: number): ClassPrediction => ({ ranked: [label, (label + 1) % 10, (label + 2) % 10, (label + 3) % 10, (label + 4) % 10] });
/** Wrong top-1, the true class second (so top-5 still holds it). */
export const wrong = (label: number): ClassPrediction => ({ ranked: [(label + 6) % 10, label, (label + 1) % 10, (label + 2) % 10, (label + 3) % 10] });

function modelFile(role: 'baseline' | 'candidate', name: string, sha: string, params: number, bytes: number): ModelFile {
  return {
    role,
    label: `models/${name}`,
    path: `/repo/models/${name}`,
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
 * 10,000 samples, label = i mod 10. fp32 paired table: 8468 both right, 243 baseline only,
 * 600 candidate only, 689 both wrong (the table markdown.test.ts pins against DESIGN.md).
 * int8 loses the first `int8Losses` samples each model got right. Gates as in the example's
 * model-gate.yml: up to 100% slower is accepted, so the ×1.58 latency passes.
 */
export function fmnistLikeReport(int8Losses = { baseline: 20, candidate: 40 }) {
  const table = { a: 8468, b: 243, c: 600, d: 689 };
  const n = table.a + table.b + table.c + table.d;
  const samples: EvalSample<number>[] = Array.from({ length: n }, (_, i) => ({
    id: `${CLASSES[i % 10]}/${String(i).padStart(5, '0')}.png`,
    file: `/x/${i}.png`,
    label: i % 10,
  }));
  const base = samples.map((s, i) => (i < table.a + table.b ? right(s.label) : wrong(s.label)));
  const cand = samples.map((s, i) => (i < table.a || (i >= table.a + table.b && i < table.a + table.b + table.c) ? right(s.label) : wrong(s.label)));
  const int8 = (fp32: ClassPrediction[], losses: number): ClassPrediction[] => {
    let lost = 0;
    return fp32.map((p, i) => (p.ranked[0] === samples[i].label && lost++ < losses ? wrong(samples[i].label) : p));
  };
  const run = (fp32: ClassPrediction[], losses: number, name: string): QuantizedRun<ClassPrediction> => ({
    source: 'static-int8',
    file: modelFile('baseline', name, 'c0ffee', 0, 30_000),
    predictions: int8(fp32, losses),
    latency: null,
    note: null,
    calibration: { source: 'fmnist-test.tar.gz', samples: 256 },
    perChannel: true,
    floatNodes: [],
  });
  const quantizedConfig = { ...config, gates: { ...config.gates, maxInt8Drop: 1, maxLatencyRegression: 100 }, quantization: { ...config.quantization, mode: 'static-int8' as const } };
  return buildReport(classificationTask, samples, {
    config: quantizedConfig,
    version: '0.1.0',
    generatedAt: '2026-11-28T00:00:00.000Z',
    evalSet: { source: '/repo/fmnist-test.tar.gz', sha256: 'ab'.repeat(32), samples: n, fromCache: false },
    environment: { executionProvider: 'cpu', executionProviderNote: null, threads: 2, onnxruntime: '1.30.0', node: 'v20.0.0', platform: 'linux-x64', cpu: 'test cpu' },
    preprocess: { ...config.preprocess },
    baseline: { file: modelFile('baseline', 'fmnist-lenet-v1.onnx', 'a1b2c3d4', 20522, 83483), executionProvider: 'cpu', predictions: base, latencyMs: { 1: around(0.026) } },
    candidate: { file: modelFile('candidate', 'fmnist-dwnet-v3.onnx', 'e4f5a6b7', 19306, 79177), executionProvider: 'cpu', predictions: cand, latencyMs: { 1: around(0.041) } },
    quantized: [run(base, int8Losses.baseline, 'lenet-int8.onnx'), run(cand, int8Losses.candidate, 'dwnet-int8.onnx')],
  });
}

/**
 * Extracts the first `perClass` images (in name order) of every class folder of the embedded
 * Fashion-MNIST eval set into `dir`; returns the extracted root (dir/fmnist-test).
 */
export function extractFmnistImages(dir: string, perClass: number): string {
  const names = execFileSync('tar', ['-tzf', FMNIST_ARCHIVE], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n.endsWith('.png'))
    .sort();
  const byClass = new Map<string, string[]>();
  for (const name of names) {
    const folder = name.split('/')[1];
    const list = byClass.get(folder) ?? [];
    if (list.length < perClass) (list.push(name), byClass.set(folder, list));
  }
  execFileSync('tar', ['-xzf', FMNIST_ARCHIVE, '-C', dir, ...[...byClass.values()].flat()]);
  return join(dir, 'fmnist-test');
}

/** Fourteen nights of top-1 and p50, with one missing night and a latency step at the end. */
export function historyCharts(): HistoryChart[] {
  const timestamps = Array.from({ length: 14 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}T03:00:00Z`);
  return [
    {
      title: 'top-1',
      unit: '%',
      timestamps,
      series: [
        { name: 'fmnist-lenet-v1', values: timestamps.map(() => 87.11) },
        { name: 'fmnist-dwnet-v3', values: timestamps.map((_, i) => (i === 6 ? Number.NaN : 90.68)) },
      ],
    },
    {
      title: 'p50 latency, batch 1',
      unit: 'ms',
      timestamps,
      series: [
        { name: 'fmnist-lenet-v1', values: [26, 26.2, 25.9, 26, 26.1, 25.8, 26, 26.2, 26, 25.9, 26.1, 26, 27.9, 28].map((us) => us / 1000) },
        { name: 'fmnist-dwnet-v3', values: [41, 41.3, 40.8, 41, 41.2, 40.9, 41, 41.1, 41, 40.8, 41.2, 41, 41.1, 41].map((us) => us / 1000) },
      ],
    },
  ];
}
