/**
 * Post-quantization accuracy through the built CLI on the embedded example. The int8 figures are
 * checked against onnxruntime 1.30's quantize_static (per-channel QDQ, MinMax, 256 calibration
 * images), scored by Python onnxruntime: lenet 0.8703, dwnet 0.9054 (issue 4). The fixtures have no
 * training split, so the CLI's default calibration set is used: 256 test images evenly spaced
 * over the set (sorted by path, so every class is in it); ±0.3 pt.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { sharedEvalSetCache } from '../helpers/shared.js';

const EXAMPLE = join(process.cwd(), 'examples', 'fashion-mnist');
const BASELINE = join(EXAMPLE, 'models', 'fmnist-lenet-v1.onnx');
const CANDIDATE = join(EXAMPLE, 'models', 'fmnist-dwnet-v3.onnx');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-quant-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function config(name: string, quantization: string, gates = 'max-latency-regression: 100000'): Promise<string> {
  const example = await readFile(join(EXAMPLE, 'model-gate.yml'), 'utf8');
  const file = join(dir, name);
  await writeFile(
    file,
    example
      .replace('./fmnist-test.tar.gz', join(EXAMPLE, 'fmnist-test.tar.gz'))
      .replace(/latency: .*/, 'latency: { batch-sizes: [1], warmup: 2, runs: 20 }')
      .replace(/gates: .*/, `gates: { ${gates} }\nquantization: ${quantization}`),
  );
  return file;
}

const cli = (args: string[]) => runCli(args, { cacheDir: sharedEvalSetCache() });

describe('quantization through model-gate compare', () => {
  it('static-int8 per-channel: both int8 models within ±0.3 pt of onnxruntime, written next to the report, with the JSON fields', async () => {
    const json = join(dir, 'out', 'report.json');
    const file = await config('static.yml', '{ mode: static-int8, per-channel: true }', 'max-latency-regression: 100000, max-int8-drop: 0.5');
    const run = await cli(['compare', '--config', file, '--baseline', BASELINE, '--candidate', CANDIDATE, '--json', json, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8'));
    const { baseline, candidate } = report.models;
    expect(Math.abs(baseline.quantized.metrics.top1 - 0.8703)).toBeLessThanOrEqual(0.003);
    expect(Math.abs(candidate.quantized.metrics.top1 - 0.9054)).toBeLessThanOrEqual(0.003);
    for (const m of [baseline, candidate]) {
      expect(m.quantized.source).toBe('static-int8');
      expect((await stat(m.quantized.path)).isFile()).toBe(true);
      expect(m.quantized.path.startsWith(join(dir, 'out'))).toBe(true);
      expect(m.quantized.dropTop1).toBeCloseTo(m.metrics.top1 - m.quantized.metrics.top1, 12);
      expect(m.quantized.mcnemar.pExact).toBeGreaterThan(0);
      expect(m.quantized.latency.batch1.p50Ms).toBeGreaterThan(0);
      expect(m.quantized.calibration).toEqual({ source: 'eval images evenly spaced over 10,000 (fmnist-test.tar.gz)', samples: 256 });
    }
    expect(report.comparison.quantized.deltaTop1).toBeCloseTo(candidate.quantized.metrics.top1 - baseline.quantized.metrics.top1, 12);
    expect(report.comparison.quantized.rankFlip).toBe(false);
    expect(report.gates.filter((g: { name: string }) => g.name.startsWith('max-int8-drop')).map((g: { passed: boolean }) => g.passed)).toEqual([true, true]);
    expect(run.stdout).toMatch(/\| int8 top-1 \(static, per-channel\) +\| +87\.\d\d% \| +90\.\d\d% \| fp32→int8 −/);
    expect(run.stdout).toContain('#### Post-quantization accuracy (int8)');
  });

  it('provided: a quantized file that fails to load is reported clearly and the fp32 results stand', async () => {
    const broken = join(dir, 'broken.onnx');
    await writeFile(broken, 'not a model');
    const json = join(dir, 'provided.json');
    const run = await cli([
      'compare',
      '--config',
      await config('provided.yml', '{ mode: provided }'),
      '--baseline',
      BASELINE,
      '--candidate',
      CANDIDATE,
      '--baseline-quantized',
      broken,
      '--candidate-quantized',
      broken,
      '--json',
      json,
      '--quiet',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.models.baseline.metrics.top1).toBe(0.8711);
    expect(report.models.baseline.quantized.metrics).toBeNull();
    expect(report.models.baseline.quantized.note).toContain(`int8 file failed to load: baseline model ${broken}: not a valid ONNX model`);
    expect(report.comparison.quantized).toBeNull();
  });

  it('static-int8 skips a model that is already quantized, saying so', async () => {
    const first = join(dir, 'out', 'report.json');
    const quantized = JSON.parse(await readFile(first, 'utf8')).models.baseline.quantized.path;
    const json = join(dir, 'already.json');
    const run = await cli([
      'compare',
      '--config',
      await config('again.yml', '{ mode: static-int8 }'),
      '--baseline',
      quantized,
      '--candidate',
      CANDIDATE,
      '--json',
      json,
      '--quiet',
      '--out-dir',
      join(dir, 'again'),
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.models.baseline.quantized.note).toContain('is already quantized');
    expect(report.models.baseline.quantized.metrics).toBeNull();
    expect(report.models.candidate.quantized.metrics.top1).toBeGreaterThan(0.89);
  });
});
