/**
 * Detection int8 end to end through the built CLI: both detectors quantized by the built-in
 * static-int8 with the box-decoding tail kept in float, each scored against onnxruntime 1.30's
 * quantize_static on the same 256 calibration images (evenly spaced over the 300 scenes, the
 * CLI's default), scored by pycocotools: __tests__/fixtures/fmnist-det/int8-reference.json,
 * made by scripts/reference/quantize-detection.py. Issue 16 asks for 1 AP; the parameters are
 * bit-exact (__tests__/quantize/detection.test.ts), so the figures agree far closer.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { sharedEvalSetCache } from '../helpers/shared.js';

const EXAMPLE = join(process.cwd(), 'examples/fmnist-det');
const MODELS = { baseline: 'fmnist-det-small-v1.v8', candidate: 'fmnist-det-wide-v2.v8' } as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-det-int8-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('static int8 with the tail in float: each detector within 1 AP of onnxruntime, with the drop CI, gates and JSON fields', async () => {
  const reference = JSON.parse(await readFile(join(process.cwd(), '__tests__/fixtures/fmnist-det/int8-reference.json'), 'utf8'));
  const config = join(dir, 'int8.yml');
  await writeFile(
    config,
    (await readFile(join(EXAMPLE, 'model-gate.yml'), 'utf8'))
      .replace('./fmnist-det.tar.gz', join(EXAMPLE, 'fmnist-det.tar.gz'))
      .replace('compare-preprocessing: true', 'compare-preprocessing: false')
      .replace(/^latency: .*$/m, 'latency: { batch-sizes: [1], warmup: 1, runs: 14 }')
      .replace(/^gates: .*$/m, 'gates: { max-map-drop: 0.5, max-latency-regression: 100000, max-int8-map-drop: 1.5 }\nquantization: { mode: static-int8, keep-float: { tail: true } }'),
  );
  const json = join(dir, 'report.json');
  const run = await runCli(
    [
      'compare',
      '--config',
      config,
      '--baseline',
      `${EXAMPLE}/models/${MODELS.baseline}.onnx`,
      '--candidate',
      `${EXAMPLE}/models/${MODELS.candidate}.onnx`,
      '--json',
      json,
      '--out-dir',
      dir,
      '--quiet',
    ],
    { cacheDir: sharedEvalSetCache() },
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const report = JSON.parse(await readFile(json, 'utf8'));
  for (const role of ['baseline', 'candidate'] as const) {
    const theirs = reference.models[MODELS[role]]['evenly-spaced-256']['per-tensor']['tail-float'];
    const q = report.models[role].quantized;
    expect(Math.abs(q.metrics.map - theirs.map)).toBeLessThan(0.01);
    expect(q.dropMap).toBeCloseTo(report.models[role].metrics.map - q.metrics.map, 12);
    // The paired bootstrap CI of the drop holds the drop; p is the bootstrap's.
    expect(q.dropMapCi95[0]).toBeLessThanOrEqual(q.dropMap);
    expect(q.dropMapCi95[1]).toBeGreaterThanOrEqual(q.dropMap);
    expect(q.pValue).toBe(q.bootstrap.pValue);
    expect(q.calibration).toEqual({ source: 'eval images evenly spaced over 300 (fmnist-det.tar.gz)', samples: 256 });
    expect(q.floatNodes.every((n: { reason: string }) => n.reason.startsWith('kept in float'))).toBe(true);
    expect(typeof q.latencyRatioToFp32).toBe('number');
  }
  expect(report.comparison.quantized.deltaMap).toBeCloseTo(report.models.candidate.quantized.metrics.map - report.models.baseline.quantized.metrics.map, 12);
  expect(report.comparison.quantized.rankFlip).toBe(false);
  expect(report.gates.filter((g: { name: string }) => g.name.startsWith('max-int8-map-drop')).map((g: { name: string; passed: boolean }) => [g.name, g.passed])).toEqual([
    ['max-int8-map-drop (baseline)', true],
    ['max-int8-map-drop (candidate)', true],
  ]);
  expect(run.stdout).toContain('#### Post-quantization accuracy (int8)');
  expect(run.stdout).toMatch(/\| baseline +\| 34\.04 +\| 32\.8\d +\| −1\.2\d AP \(−\d\.\d\d to −\d\.\d\d\) \|/);
}, 180_000);
