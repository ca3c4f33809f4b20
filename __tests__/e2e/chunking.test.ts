/**
 * The streaming engine gives the same report whatever the memory budget: both embedded examples
 * through the built CLI (so the decode worker threads run) with a budget of 7 images per chunk and
 * with the whole set in one chunk. Every figure and every flip id must be identical; only what is
 * measured in time (latency, and the headline and gate that quote it) and the stream's own facts
 * may differ. Both run with static int8, detection with letterbox vs rect too.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { exampleConfig, firstScenes, timeless } from '../helpers/same-report.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-chunks-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const example = (folder: string, name: string, edit: (yaml: string) => string) => exampleConfig(folder, join(dir, name), edit);

async function report(config: string, models: [string, string], out: string) {
  const json = join(dir, out, 'report.json');
  const run = await runCli(['compare', '--config', config, '--baseline', models[0], '--candidate', models[1], '--json', json, '--quiet'], { cacheDir: join(dir, 'cache') });
  // Exit 1 is a failed gate (latency, on a loaded machine): still a finished report.
  expect([0, 1]).toContain(run.code);
  expect(run.stderr).not.toMatch(/error|warning/i);
  return JSON.parse(await readFile(json, 'utf8'));
}

it('classification with static int8: 7 images per chunk gives the report of one chunk', async () => {
  const root = join(process.cwd(), 'examples', 'fashion-mnist');
  const pair: [string, string] = [join(root, 'models', 'fmnist-lenet-v1.onnx'), join(root, 'models', 'fmnist-dwnet-v3.onnx')];
  // 100 test images per class (1,000 in all: 143 chunks of 7) keep the eight runs short.
  await mkdir(join(dir, 'cls-set'));
  execFileSync('tar', ['xzf', join(root, 'fmnist-test.tar.gz'), '-C', join(dir, 'cls-set')]);
  const folder = join(dir, 'cls-set', 'fmnist-test');
  for (const name of await readdir(folder)) {
    for (const file of (await readdir(join(folder, name))).sort().slice(100)) await rm(join(folder, name, file));
  }
  const subset = (y: string) => y.replace(/source: .*/, `source: ${folder}`).replace(/sha256: .*/, '');
  const quantized = (y: string) => subset(y).replace(/gates: .*/, 'gates: { max-int8-drop: 1, max-latency-regression: 100000 }\nquantization: { mode: static-int8 }');
  // 28×28 gray: 784 bytes an image, so 7 × 784 bytes hold 7 images.
  const small = await example('fashion-mnist', 'cls-small.yml', (y) => quantized(y).replace('threads: 0 }', `threads: 0, memory-budget: ${7 * 784} }`));
  const whole = await example('fashion-mnist', 'cls-whole.yml', quantized);
  const [chunked, single] = [await report(small, pair, 'cls-small'), await report(whole, pair, 'cls-whole')];
  expect(chunked.environment.stream).toMatchObject({ chunkImages: 7, chunks: Math.ceil(1000 / 7) });
  expect(single.environment.stream).toMatchObject({ chunkImages: 1000, chunks: 1 });
  expect(single.comparison.flips.fixed.length).toBeGreaterThan(0);
  expect(single.models.candidate.quantized.metrics.top1).toBeGreaterThan(0.8);
  expect(timeless(chunked)).toEqual(timeless(single));
});

it('detection with static int8 and letterbox vs rect: 7 images per chunk gives the report of one chunk', async () => {
  const root = join(process.cwd(), 'examples', 'fmnist-det');
  const pair: [string, string] = [join(root, 'models', 'fmnist-det-small-v1.v8.onnx'), join(root, 'models', 'fmnist-det-wide-v2.v8.onnx')];
  // The first 42 scenes (6 chunks of 7) keep the six detector runs per report short.
  const folder = await firstScenes(join(dir, 'det-set'), 42, 'first-42.coco.json');
  const subset = (y: string) =>
    y
      .replace(/source: .*/, `source: ${folder}`)
      .replace(/sha256: .*/, '')
      .replace('annotations: annotations.coco.json', 'annotations: first-42.coco.json')
      .replace(/^gates: (.*)$/m, 'gates: $1\nquantization: { mode: static-int8, keep-float: { tail: true } }');
  // Gray 160×256 (rect) and 256×256 (letterbox) pixels per image, both decoded in every chunk.
  const budget = 7 * (160 * 256 + 256 * 256);
  const small = await example('fmnist-det', 'det-small.yml', (y) => subset(y).replace('threads: 0 }', `threads: 0, memory-budget: ${budget} }`));
  const whole = await example('fmnist-det', 'det-whole.yml', subset);
  const [chunked, single] = [await report(small, pair, 'det-small'), await report(whole, pair, 'det-whole')];
  expect(chunked.environment.stream).toMatchObject({ chunkImages: 7, chunks: 6 });
  expect(single.environment.stream).toMatchObject({ chunkImages: 42, chunks: 1 });
  expect(single.comparison.preprocessing.variants).toHaveLength(2);
  expect(single.models.candidate.metrics.map).toBeGreaterThan(0.3);
  expect(single.models.candidate.quantized.metrics.map).toBeGreaterThan(0.3);
  expect(timeless(chunked)).toEqual(timeless(single));
}, 180_000);
