/**
 * A swapped `classes` order on the embedded Fashion-MNIST example (fixtures/onnx-metadata/
 * swapped-classes.yml: T-shirt-top and Shirt swapped), run through the built CLI: refused before
 * the eval set is opened when the model's metadata names its classes, and, for models without
 * names, reported with the swapped-classes warning at the top of the comment.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { sharedEvalSetCache } from '../helpers/shared.js';

const MODELS = 'examples/fashion-mnist/models';
const FIXTURE = '__tests__/fixtures/onnx-metadata';
const SWAPPED = `${FIXTURE}/swapped-classes.yml`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-metadata-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args, { cacheDir: sharedEvalSetCache() });
/** Readable copies of what a user sees, in __outputs__/. */
async function keep(name: string, text: string): Promise<void> {
  await mkdir(join(process.cwd(), '__outputs__'), { recursive: true });
  await writeFile(join(process.cwd(), '__outputs__', name), text);
}

describe('a swapped classes order', () => {
  it("is refused, naming both orders, when the model's metadata names its classes", async () => {
    const result = await cli(['compare', '--config', SWAPPED, '--baseline', `${MODELS}/fmnist-lenet-v1.onnx`, '--candidate', `${FIXTURE}/fmnist-dwnet-v3.ultralytics.onnx`, '--quiet']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    await keep('swapped-classes-refused.txt', result.stderr);
    expect(result.stderr).toBe(
      `model-gate: ${FIXTURE}/fmnist-dwnet-v3.ultralytics.onnx: the model's metadata (Ultralytics' names) lists its classes in another order than classes in ${join(process.cwd(), SWAPPED)}\n` +
        '    model:  [T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot]\n' +
        '    config: [Shirt, Trouser, Pullover, Dress, Coat, Sandal, T-shirt-top, Sneaker, Bag, Ankle-boot]\n' +
        "  Output k is scored as class k of the config, so these two classes would be scored as each other. Write the classes in the model's order.\n",
    );
    // Hugging Face's id2label is checked the same way.
    const hf = await cli(['compare', '--config', SWAPPED, '--baseline', `${FIXTURE}/fmnist-dwnet-v3.hf.onnx`, '--candidate', `${MODELS}/fmnist-dwnet-v3.onnx`, '--quiet']);
    expect(hf.code).toBe(2);
    expect(hf.stderr).toContain("fmnist-dwnet-v3.hf.onnx: the model's metadata (id2label) lists its classes in another order than classes in");
  });

  it('gets the swapped-classes warning on top of the comment when the models carry no names', async () => {
    const json = join(dir, 'swapped.json');
    const result = await cli(['compare', '--config', SWAPPED, '--baseline', `${MODELS}/fmnist-lenet-v1.onnx`, '--candidate', `${MODELS}/fmnist-dwnet-v3.onnx`, '--json', json, '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8'));
    // The models are what they were (87.11% and 90.68% with the right order); the swap costs both the two classes.
    expect(report.models.baseline.metrics.top1).toBeLessThan(0.8);
    const lines = result.stdout.split('\n');
    expect(lines[1]).toMatch(/^\*\*✅ Gates passed\.\*\*/);
    expect(lines[3]).toMatch(
      /^\*\*⚠️ Classes look swapped in the baseline:\*\* it predicts \*\*Shirt\*\* as \*\*T-shirt-top\*\* \(\d+ of 1,000\), \*\*T-shirt-top\*\* as \*\*Shirt\*\* \(\d+ of 1,000\), while it gets \d+\.\d% of its other classes right\. Check that `classes` lists the model's output order/,
    );
    expect(result.stdout).toContain('**⚠️ Classes look swapped in the candidate:**');
    await keep('swapped-classes.md', result.stdout);
  });

  it("in the right order, runs with the model's metadata in the report and no warning", async () => {
    const json = join(dir, 'right.json');
    const config = join(dir, 'right.yml');
    const text = await readFile(SWAPPED, 'utf8');
    await writeFile(
      config,
      text
        .replace('[Shirt, Trouser, Pullover, Dress, Coat, Sandal, T-shirt-top,', '[T-shirt-top, Trouser, Pullover, Dress, Coat, Sandal, Shirt,')
        .replace('../../../examples/fashion-mnist/fmnist-test.tar.gz', join(process.cwd(), 'examples/fashion-mnist/fmnist-test.tar.gz')),
    );
    const result = await cli([
      'compare',
      '--config',
      config,
      '--baseline',
      `${MODELS}/fmnist-lenet-v1.onnx`,
      '--candidate',
      `${FIXTURE}/fmnist-dwnet-v3.ultralytics.onnx`,
      '--json',
      json,
      '--quiet',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.models.candidate.metrics.top1).toBe(0.9068);
    expect(report.models.candidate.metadata).toEqual({
      source: 'ultralytics',
      names: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
      imgsz: [28, 28],
      stride: 1,
      task: 'classify',
    });
    expect(report.models.baseline.metadata).toBeUndefined();
    expect(report.warnings).toBeUndefined();
    expect(result.stdout).toContain('| metadata   | –');
    expect(result.stdout).not.toContain('look swapped');
  });
});
