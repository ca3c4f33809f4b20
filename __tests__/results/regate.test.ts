/**
 * A classification report gated again as task: results (format: model-gate): `compare --samples`
 * writes every image's outcome; the results comparison of those records must give the figures
 * the classification report computed from the predictions themselves (top-1, McNemar's table and
 * exact p, per-class accuracy). Both run through the built CLI on the embedded example.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/run-cli.js';
import { sharedEvalSetCache } from '../helpers/shared.js';

const EXAMPLE = join(process.cwd(), 'examples/fashion-mnist');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-regate-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args, { cacheDir: sharedEvalSetCache() });

describe('compare --samples, then format: model-gate', () => {
  it('gives back the classification report figures from its per-sample records', async () => {
    const config = join(dir, 'classification.yml');
    const example = await readFile(join(EXAMPLE, 'model-gate.yml'), 'utf8');
    // Latency is not what this test is about (other test files load the CPU meanwhile).
    await writeFile(
      config,
      example
        .replace('./fmnist-test.tar.gz', join(EXAMPLE, 'fmnist-test.tar.gz'))
        .replace(/max-latency-regression: \d+/, 'max-latency-regression: 10000')
        .replace('runs: 200', 'runs: 20'),
    );
    const json = join(dir, 'report.json');
    const onnx = await cli([
      'compare',
      '--config',
      config,
      '--baseline',
      join(EXAMPLE, 'models/fmnist-lenet-v1.onnx'),
      '--candidate',
      join(EXAMPLE, 'models/fmnist-dwnet-v3.onnx'),
      '--json',
      json,
      '--samples',
      '--quiet',
    ]);
    expect(onnx.code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.models.baseline.samples).toHaveLength(10000);
    expect(report.models.candidate.samples[0]).toEqual({ id: expect.stringMatching(/\.png$/), correct: expect.any(Boolean), slices: { class: expect.any(String) } });

    const again = join(dir, 'again.yml');
    await writeFile(again, `task: results\nresults: { format: model-gate, baseline: 'report.json#baseline', candidate: 'report.json#candidate', slices: [class] }\n`);
    const regated = join(dir, 'regated.json');
    const results = await cli(['compare', '--config', again, '--json', regated, '--quiet']);
    expect(results.stderr).toBe('');
    expect(results.code).toBe(0);
    const r = JSON.parse(await readFile(regated, 'utf8'));
    const { mcnemar } = report.comparison;
    expect([r.comparison.kind, r.comparison.metric, r.comparison.samples]).toEqual(['binary', 'correct', 10000]);
    expect([r.models.baseline.metrics.mean, r.models.candidate.metrics.mean]).toEqual([report.models.baseline.metrics.top1, report.models.candidate.metrics.top1]);
    expect(r.comparison.overall.binary).toMatchObject({
      bothCorrect: mcnemar.bothCorrect,
      baselineOnlyCorrect: mcnemar.baselineOnlyCorrect,
      candidateOnlyCorrect: mcnemar.candidateOnlyCorrect,
      bothWrong: mcnemar.bothWrong,
    });
    expect(r.comparison.overall.pValue).toBe(mcnemar.pExact);
    expect(r.comparison.overall.deltaCi95).toEqual(report.comparison.deltaTop1Ci95);
    // One slice per class, each with the class's own accuracy from the classification report.
    for (const cls of report.models.baseline.metrics.perClass) {
      const slice = r.comparison.slices.find((s: { column: string; value: string }) => s.column === 'class' && s.value === cls.name);
      expect([slice.samples, slice.baseline]).toEqual([cls.samples, cls.accuracy]);
    }
  });

  it('refuses --samples for detection, whose AP has no per-image outcome', async () => {
    const config = join(dir, 'detection.yml');
    await writeFile(config, 'task: detection\neval: { source: ./coco, format: coco, annotations: a.json }\n');
    const run = await cli(['compare', '--config', config, '--baseline', 'a.onnx', '--candidate', 'b.onnx', '--samples']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('model-gate: --samples: task: detection has no per-sample outcome (AP ranks the detections of the whole set), so its report has no samples\n');
  });
});
