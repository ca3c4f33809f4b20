/**
 * The int8 section says when int8 does not pay: a model whose int8 batch-1 p50 is not below its
 * fp32 p50, or whose int8 file is not smaller, gets a sentence with the figures, and the JSON
 * carries models.<role>.quantized.latencyRatioToFp32 (int8 p50 / fp32 p50, batch 1) and
 * bytesRatioToFp32. It also lists what stayed float, weights included. Built with the real
 * buildReport from synthetic predictions and latencies; the Markdown is snapshot-tested and kept
 * in __outputs__/int8-slower.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFile } from '../../src/models/index.js';
import { buildReport, latencyStats } from '../../src/report/build.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { QuantizedRun } from '../../src/report/quantization.js';
import { classificationTask } from '../../src/tasks/classification/index.js';
import type { ClassPrediction } from '../../src/tasks/classification/metrics.js';
import type { EvalSample } from '../../src/contracts/task.js';
import { right, wrong } from '../html/fixtures.js';
import { around, CLASSES, config } from './fixtures.js';

function file(role: 'baseline' | 'candidate', name: string, bytes: number): ModelFile {
  return {
    role,
    label: `models/${name}`,
    path: `/repo/models/${name}`,
    bytes,
    sha256: 'ab'.repeat(32),
    facts: {
      irVersion: 8,
      opset: 17,
      producer: 'pytorch',
      params: 20_000,
      inputs: [{ name: 'input', dims: ['batch', 3, 224, 224], type: 'float32' }],
      outputs: [{ name: 'logits', dims: ['batch', 10], type: 'float32' }],
      externalDataFiles: [],
    },
  };
}

interface Int8 {
  p50: number | null;
  bytes: number;
  floatWeights?: QuantizedRun<ClassPrediction>['floatWeights'];
}

/** 1,000 samples; both models right on the first 900 in fp32, int8 loses 10 of them. fp32 p50: 0.041 ms and 0.050 ms; fp32 files 114 MB and 100 MB. */
function report(base: Int8, cand: Int8) {
  const samples: EvalSample<number>[] = Array.from({ length: 1000 }, (_, i) => ({ id: `${CLASSES[i % 10]}/${i}.png`, file: `/x/${i}.png`, label: i % 10 }));
  const fp32 = samples.map((s, i) => (i < 900 ? right(s.label) : wrong(s.label)));
  const int8 = samples.map((s, i) => (i < 10 || i >= 900 ? wrong(s.label) : right(s.label)));
  const run = (q: Int8, name: string): QuantizedRun<ClassPrediction> => ({
    source: 'static-int8',
    file: file('baseline', name, q.bytes),
    predictions: int8,
    latency: q.p50 === null ? null : latencyStats({ 1: around(q.p50) }),
    note: null,
    calibration: { source: 'eval images evenly spaced over 1,000 (photos.tar.gz)', samples: 256 },
    perChannel: false,
    floatNodes: [
      { op: 'Erf', name: '/Erf', reason: "no int8 path in onnxruntime's quantizer" },
      { op: 'Mul', name: '/head/Mul', reason: 'kept in float (after /head/Conv)' },
    ],
    floatWeights: q.floatWeights ?? [],
  });
  const quantizedConfig = { ...config, quantization: { ...config.quantization, mode: 'static-int8' as const } };
  return buildReport(classificationTask, samples, {
    config: quantizedConfig,
    version: '0.1.0',
    generatedAt: '2026-12-01T00:00:00.000Z',
    evalSet: { source: '/repo/photos.tar.gz', sha256: 'cd'.repeat(32), samples: 1000, fromCache: false },
    environment: { executionProvider: 'cpu', executionProviderNote: null, threads: 2, onnxruntime: '1.30.0', node: 'v20.0.0', platform: 'linux-x64', cpu: 'test cpu' },
    preprocess: { ...config.preprocess },
    baseline: { file: file('baseline', 'convnext-tiny.onnx', 114_000_000), executionProvider: 'cpu', predictions: fp32, latencyMs: { 1: around(0.041) } },
    candidate: { file: file('candidate', 'resnet50.onnx', 100_000_000), executionProvider: 'cpu', predictions: fp32, latencyMs: { 1: around(0.05) } },
    quantized: [run(base, 'convnext-int8.onnx'), run(cand, 'resnet50-int8.onnx')],
  });
}

it('says in words when int8 is slower or not smaller than fp32, and puts the ratio in the JSON', () => {
  const r = report({ p50: 0.066, bytes: 116_000_000, floatWeights: [{ name: 'head.weight', elements: 7680, readers: ['MatMul'] }] }, { p50: 0.025, bytes: 26_000_000 });
  const base = r.models.baseline;
  const cand = r.models.candidate;
  const ratio = (m: typeof base) => (m.quantized!.latency as Record<string, { p50Ms: number }>).batch1.p50Ms / m.latency.batch1.p50Ms;
  expect(base.quantized!.latencyRatioToFp32).toBe(ratio(base));
  expect(base.quantized!.latencyRatioToFp32).toBeCloseTo(0.066 / 0.041, 2);
  expect(cand.quantized!.latencyRatioToFp32).toBeCloseTo(0.5, 2);
  expect(base.quantized!.bytesRatioToFp32).toBeCloseTo(116 / 114, 6);
  expect(cand.quantized!.bytesRatioToFp32).toBeCloseTo(0.26, 6);

  const markdown = renderMarkdown(r, classificationTask);
  const section = markdown.slice(markdown.indexOf('Post-quantization accuracy (int8)'));
  expect(section).toContain("⚠️ The baseline's int8 model is **not faster** than its fp32 model: batch-1 p50 0.066 ms against 0.041 ms (1.61×).");
  expect(section).toContain("⚠️ The baseline's int8 file is **not smaller** than its fp32 file: 116.0 MB against 114.0 MB.");
  expect(section).not.toMatch(/candidate's int8 (model|file) is/);
  const row = (role: string) => section.split('\n').find((line) => line.startsWith(`| ${role} `))!;
  expect(row('baseline')).toMatch(/90\.00% +\| 89\.00% +\| −1\.00 pt .*\| \*\*1\.61× slower\*\* than fp32 \(p50\), file \*\*not smaller\*\* \(102% of fp32\) \|/);
  expect(row('candidate')).toContain('| 2.00× faster than fp32 (p50), file 26% of fp32 ');
  expect(section).toContain("Left in float: `Erf` (no int8 path in onnxruntime's quantizer); `Mul` (kept in float by configuration); 1 float weight (7,680 values): `head.weight`.");
  mkdirSync(join(process.cwd(), '__outputs__'), { recursive: true });
  writeFileSync(join(process.cwd(), '__outputs__', 'int8-slower.md'), markdown);
  expect(section).toMatchSnapshot();
});

it('says nothing of the kind when int8 is faster and smaller', () => {
  const markdown = renderMarkdown(report({ p50: 0.03, bytes: 30_000_000 }, { p50: 0.025, bytes: 26_000_000 }), classificationTask);
  expect(markdown).not.toContain('not faster');
  expect(markdown).not.toContain('not smaller');
  expect(markdown).toContain('1.37× faster than fp32 (p50), file 26% of fp32');
});

it('has no ratio, and no claim, without an int8 latency', () => {
  const r = report({ p50: null, bytes: 30_000_000 }, { p50: 0.025, bytes: 26_000_000 });
  expect(r.models.baseline.quantized!.latencyRatioToFp32).toBeNull();
  const markdown = renderMarkdown(r, classificationTask);
  expect(markdown).not.toContain('not faster');
  expect(markdown.split('\n').find((line) => line.startsWith('| baseline ') && line.includes('of fp32'))).toContain('| file 26% of fp32 ');
});
