/**
 * A model whose outputs are not numbers on some inputs: log(mean pixel) is −Infinity on an
 * all-black image. Seven images of the 2,000-image set are blackened; the run must fail naming the
 * model and exactly those seven, not score them as predictions.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countNonFinite, noNonFinite } from '../../src/engine/finite.js';
import { decodePngFast } from '../../src/preprocess/png.js';
import { runCli } from '../helpers/run-cli.js';
import { modelProto } from '../models/onnx-writer.js';
import { encodePng } from '../preprocess/png-encoder.js';
import { CLASSES, LENET, unpackSmallSet } from './evalset-fixture.js';

let dir: string;
let root: string;
const blackened: string[] = [];

/** scores[n, k] = log(mean pixel of image n) · (k + 1): finite unless the image is all black. */
const LOG_MEAN_MODEL = modelProto({
  nodes: [
    { op: 'GlobalAveragePool', inputs: ['image'], outputs: ['mean'] },
    { op: 'Log', inputs: ['mean'], outputs: ['log'] },
    { op: 'Flatten', inputs: ['log'], outputs: ['flat'] },
    { op: 'Mul', inputs: ['flat', 'weights'], outputs: ['scores'] },
  ],
  initializers: [{ name: 'weights', dims: [1, 10], values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }],
  inputs: [{ name: 'image', dims: ['N', 1, 28, 28] }],
  outputs: [{ name: 'scores', dims: ['N', 10] }],
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-nan-'));
  root = await unpackSmallSet(join(dir, 'set'));
  // The set has no all-black image of its own (its PNGs are 8-bit gray, which the fast path decodes)...
  for (const name of CLASSES) {
    for (const file of await readdir(join(root, name))) {
      const pixels = decodePngFast(await readFile(join(root, name, file)))?.data;
      expect(pixels?.some((p) => p > 0)).toBe(true);
    }
  }
  // ...so after this, exactly these seven are.
  const black = encodePng({ width: 28, height: 28, colorType: 0, bitDepth: 8, rows: new Uint8Array(28 * 28), filters: 0 });
  for (const [name, k] of [
    ['Bag', 0],
    ['Bag', 3],
    ['Coat', 1],
    ['Dress', 5],
    ['Sandal', 2],
    ['Shirt', 7],
    ['Trouser', 4],
  ] as const) {
    const file = (await readdir(join(root, name))).sort()[k];
    await writeFile(join(root, name, file), black);
    blackened.push(`${name}/${file}`);
  }
  blackened.sort();
  await writeFile(join(dir, 'log-mean.onnx'), LOG_MEAN_MODEL);
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

test('countNonFinite counts samples, not values, and finds NaN, +Infinity and −Infinity', () => {
  const found = noNonFinite();
  const scores = Float32Array.from([0, 1, NaN, 2, Infinity, -Infinity, 3, 4]);
  countNonFinite({ scores: { data: scores, dims: [4, 2] } }, 4, ['a', 'b', 'c', 'd'], found);
  expect(found.samples).toBe(2);
  expect(found.examples).toEqual(['b', 'c']);
  expect([...found.outputs]).toEqual(['scores']);
});

test('the CLI fails with exit 2, naming the model and the seven samples; no report is written', async () => {
  const config = join(dir, 'model-gate.yml');
  await writeFile(
    config,
    `task: classification
eval: { source: ${root} }
classes: [${CLASSES.join(', ')}]
preprocess: { color: gray, size: [28, 28], scale: 0.00392156862745098, mean: [0], std: [1] }
inference: { execution-provider: cpu, batch-size: 64, threads: 1 }
latency: { batch-sizes: [1], warmup: 2, runs: 20, rounds: 3 }
`,
  );
  const json = join(dir, 'report.json');
  const candidate = join(dir, 'log-mean.onnx');
  const result = await runCli(['compare', '--config', config, '--baseline', LENET, '--candidate', candidate, '--json', json], { cacheDir: join(dir, 'cache') });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const message = result.stderr.slice(result.stderr.indexOf('model-gate: '));
  expect(message).toBe(
    `model-gate: ${candidate}: 7 of 2,000 samples have NaN or infinite outputs (output 'scores'; ${blackened.slice(0, 3).join(', ')}, …)\n` +
      'model-gate does not score outputs that are not numbers: check the export (an fp16 overflow, a division by zero, an uninitialised weight) on these samples.\n',
  );
  expect(existsSync(json)).toBe(false);
});
