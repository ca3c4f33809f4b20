/**
 * The built CLI (dist/cli.js) run as a user runs it, on the embedded Fashion-MNIST example. The
 * accuracies are the ones Python onnxruntime 1.30 gives on all 10,000 images (MODEL_CARD.md).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { sharedEvalSetCache } from '../helpers/shared.js';

const EXAMPLE = 'examples/fashion-mnist';
const BASELINE = `${EXAMPLE}/models/fmnist-lenet-v1.onnx`;
const CANDIDATE = `${EXAMPLE}/models/fmnist-dwnet-v3.onnx`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args, { cacheDir: sharedEvalSetCache() });

describe('model-gate compare (dist/cli.js)', () => {
  /** The example config with its eval set made absolute and some lines replaced. */
  async function exampleConfig(name: string, edit: (text: string) => string): Promise<string> {
    const file = join(dir, name);
    const example = await readFile(`${EXAMPLE}/model-gate.yml`, 'utf8');
    await writeFile(file, edit(example.replace('./fmnist-test.tar.gz', join(process.cwd(), EXAMPLE, 'fmnist-test.tar.gz'))));
    return file;
  }

  it('reproduces the Python onnxruntime accuracies of both models to the sample', async () => {
    const json = join(dir, 'report.json');
    const markdown = join(dir, 'report.md');
    const html = join(dir, 'report.html');
    // Other test files load the CPU meanwhile, so latency is noisy here: this test is about accuracy.
    const config = await exampleConfig('accuracy.yml', (t) => t.replace(/max-latency-regression: \d+/, 'max-latency-regression: 10000'));
    const result = await cli(['compare', '--config', config, '--baseline', BASELINE, '--candidate', CANDIDATE, '--json', json, '--markdown', markdown, '--html', html]);
    expect(result.stderr).not.toContain('model-gate:');
    expect(result.code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.schemaVersion).toBe(1);
    expect(report.evalSet.samples).toBe(10000);
    // MODEL_CARD.md: Python onnxruntime 1.30 on all 10,000 test images.
    expect(report.models.baseline.metrics).toMatchObject({ top1: 0.8711, top5: 0.9972, errors: 1289 });
    expect(report.models.candidate.metrics).toMatchObject({ top1: 0.9068, top5: 0.999, errors: 932 });
    expect(report.models.baseline.sha256).toBe('40c549b7f2ad0e51ac9a6bee33155db18bb961b5dd9a597b8319d5ea465cf979');
    expect(report.models.candidate.bytes).toBe(79177);
    const { mcnemar } = report.comparison;
    expect(mcnemar.bothCorrect + mcnemar.baselineOnlyCorrect).toBe(8711);
    expect(mcnemar.bothCorrect + mcnemar.candidateOnlyCorrect).toBe(9068);
    expect(report.comparison.flips.fixed).toHaveLength(mcnemar.candidateOnlyCorrect);
    expect(report.models.baseline.latency.batch1.runs).toBe(200);
    expect(report.environment).toMatchObject({ executionProvider: 'cpu', onnxruntime: '1.30.0' });
    expect(report.verdict).toBe('pass');
    expect(result.stdout).toBe(await readFile(markdown, 'utf8'));
    expect(result.stdout).toContain('**✅ Gates passed.** **Accuracy: real gain**, the candidate fixes **27.7%** of baseline errors');
    // The HTML report: 60 thumbnails of newly broken and 60 of fixed images (243 and 600 in all).
    const page = await readFile(html, 'utf8');
    expect(page.match(/<img /g)).toHaveLength(120);
    expect(page).toContain('<section class="verdict pass" id="verdict">');
    expect(page).toContain('Accuracy: real gain');
  });

  it('exits 1 with the gate line when a gate fails', async () => {
    const config = await exampleConfig('strict.yml', (t) =>
      t.replace(/latency: .*/, 'latency: { batch-sizes: [1], warmup: 2, runs: 20 }').replace(/min-error-reduction: 0/, 'min-error-reduction: 50'),
    );
    const result = await cli(['compare', '--config', config, '--baseline', BASELINE, '--candidate', CANDIDATE, '--quiet']);
    expect(result.code).toBe(1);
    // The upper bound of the error reduction's CI (31.4%) is below the 50% asked for.
    expect(result.stderr).toContain('model-gate: gate min-error-reduction failed: error reduction 27.7%, 95% CI upper bound 31.4% (minimum 50%)');
    expect(result.stdout).toContain('**❌ Gate `min-error-reduction` failed:**');
    expect(result.stdout).toContain('**❌ Gate failed:** error reduction at most 31.4% (minimum 50%). **Accuracy: real gain**');
  });

  it('exits 2 with a message naming the file for usage and input errors', async () => {
    const usage = await cli(['compare', '--config', `${EXAMPLE}/model-gate.yml`, '--baseline', BASELINE]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--candidate: required');
    const pointer = join(dir, 'pointer.onnx');
    await writeFile(pointer, 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 123\n');
    const lfs = await cli(['compare', '--config', `${EXAMPLE}/model-gate.yml`, '--baseline', BASELINE, '--candidate', pointer, '--quiet']);
    expect(lfs.code).toBe(2);
    expect(lfs.stderr).toContain(`${pointer}`);
    expect(lfs.stderr).toContain('Git LFS pointer');
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('model-gate compare --config FILE --baseline A.onnx --candidate B.onnx');
  });
});
