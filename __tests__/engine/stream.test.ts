/**
 * The streaming loop with fake sessions and a pool that records what it decodes: every file is
 * decoded once per distinct preprocessing, each chunk goes to every run before the next one is
 * decoded (on CPU), chunks hold whole batches, and every run gets one prediction per sample.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, type LoadedModel } from '../../src/inference/index.js';
import { chunkImages, streamEvalSet, type StreamRun } from '../../src/engine/stream.js';
import { decodeSpecKey, openDecodePool, planUltralyticsVal, ultralyticsRectBatches, type DecodePool, type ResolvedDecodeSpec } from '../../src/preprocess/index.js';
import { silentProgress } from '../../src/progress.js';
import { fakeFactory, type FakeCall } from '../inference/fakes.js';
import { encodePng, randomBytes } from '../preprocess/png-encoder.js';

let dir: string;
let files: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-stream-'));
  files = [];
  for (let i = 0; i < 23; i++) {
    const file = join(dir, `${String(i).padStart(2, '0')}.png`);
    await writeFile(file, encodePng({ width: 9, height: 7, colorType: 0, bitDepth: 8, rows: randomBytes(63, i + 1), filters: 0 }));
    files.push(file);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const spec = (size: [number, number]): ResolvedDecodeSpec => ({ color: 'gray', size, resize: 'stretch', kernel: 'linear', cropRatio: 0.875, padValue: 114 });
const NORM = { scale: 1 / 255, mean: [0], std: [1], layout: 'nchw' as const };

/** A pool that decodes on this thread and logs each decode call. */
function recordingPool(events: string[]): DecodePool & { decoded: Map<string, string[]> } {
  const inner = openDecodePool({ workers: 0 });
  const decoded = new Map<string, string[]>();
  return {
    workers: 0,
    decoded,
    async decode(list, specs, onProgress) {
      events.push(`decode ${list.length}`);
      for (const s of specs) decoded.set(decodeSpecKey(s), [...(decoded.get(decodeSpecKey(s)) ?? []), ...list]);
      return inner.decode(list, specs, onProgress);
    },
    close: () => inner.close(),
  };
}

async function fakeModel(name: string, calls: FakeCall[], events: string[]): Promise<LoadedModel> {
  const { factory } = fakeFactory([], calls, ['batch', 1, 'h', 'w']);
  const recording = {
    create: async (path: string, options: object) => {
      const session = (await factory.create(path, options)) as { run: (feeds: Record<string, { dims: readonly number[] }>) => Promise<unknown> };
      const run = session.run.bind(session);
      session.run = async (feeds) => {
        events.push(`run ${name} ${feeds.input.dims[0]}`);
        return run(feeds);
      };
      return session;
    },
  };
  return loadModel(name, { provider: 'cpu', threads: 1, label: name }, recording);
}

it('sizes chunks from the budget in whole batches', () => {
  expect(chunkImages(1000, 10, 32, 5000, false)).toBe(96); // 100 fit → 3 batches of 32
  expect(chunkImages(1000, 10, 32, 5000, true)).toBe(32); // two chunks in memory: 50 fit → one batch
  expect(chunkImages(1000, 10, 64, 5000, true)).toBe(50); // under one batch: the chunk is what fits
  expect(chunkImages(1000, 10, 32, 40, false)).toBe(40); // the whole set fits
  expect(chunkImages(5, 10, 32, 40, false)).toBe(1); // not even one image fits: one at a time
});

it('decodes every file once per preprocessing and feeds each chunk to every run before the next', async () => {
  const events: string[] = [];
  const calls: FakeCall[] = [];
  const pool = recordingPool(events);
  const [a, b] = [await fakeModel('a', calls, events), await fakeModel('b', calls, events)];
  const small = spec([4, 4]);
  const large = spec([6, 8]);
  const runs: StreamRun[] = [
    { model: a, spec: small, predictions: [] },
    { model: b, spec: small, predictions: [] },
    { model: a, spec: large, predictions: [] },
  ];
  // 16 + 48 bytes an image, 5 fit in 320 bytes → chunks of 4 (two batches of 2): 6 chunks for 23 images.
  const facts = await streamEvalSet(
    files.map((file, i) => ({ id: String(i), file, label: i })),
    runs,
    {
      pool,
      memoryBudget: 320,
      batchSize: 2,
      overlap: false,
      normalize: NORM,
      keepFirst: 3,
      decode: (_outputs, count, batch) => Array.from({ length: count }, (_, i) => `${batch.start + i}@${batch.inputSize.join('x')}`),
    },
    silentProgress,
  );
  expect(facts).toMatchObject({ chunkImages: 4, chunks: 6 });
  expect(pool.decoded.get(decodeSpecKey(small))).toEqual(files);
  expect(pool.decoded.get(decodeSpecKey(large))).toEqual(files);
  expect(events.slice(0, 8)).toEqual(['decode 4', 'run a 2', 'run a 2', 'run b 2', 'run b 2', 'run a 2', 'run a 2', 'decode 4']);
  expect(events.filter((e) => e.startsWith('decode'))).toEqual([...Array(5).fill('decode 4'), 'decode 3']);
  expect(runs[0].predictions).toEqual(files.map((_, i) => `${i}@4x4`));
  expect(runs[1].predictions).toEqual(files.map((_, i) => `${i}@4x4`));
  expect(runs[2].predictions).toEqual(files.map((_, i) => `${i}@6x8`));
  expect(facts.firstImages.get(decodeSpecKey(small))?.count).toBe(3);
  expect(facts.firstImages.get(decodeSpecKey(large))?.count).toBe(3);
  await Promise.all([a.release(), b.release()]);
});

it('with a GPU, decodes the next chunk before the models run on this one', async () => {
  const events: string[] = [];
  const pool = recordingPool(events);
  const a = await fakeModel('a', [], events);
  const runs: StreamRun[] = [{ model: a, spec: spec([4, 4]), predictions: [] }];
  await streamEvalSet(
    files.slice(0, 8).map((file, i) => ({ id: String(i), file, label: i })),
    runs,
    {
      pool,
      memoryBudget: 2 * 4 * 16,
      batchSize: 4,
      overlap: true,
      normalize: NORM,
      keepFirst: 1,
      decode: (_o, count) => Array.from({ length: count }, () => null),
    },
    silentProgress,
  );
  expect(events).toEqual(['decode 4', 'decode 4', 'run a 4', 'run a 4']);
  await a.release();
});

it('rect batches (yolo val): the stream goes by aspect ratio, each batch decoded and run at its own shape', async () => {
  const sizes = [
    [30, 20],
    [20, 30],
    [25, 25],
    [40, 10],
    [10, 40],
    [33, 31],
    [18, 36],
    [36, 18],
    [28, 21],
  ] as const;
  const varied: string[] = [];
  for (const [i, [w, h]] of sizes.entries()) {
    const file = join(dir, `v${i}.png`);
    await writeFile(file, encodePng({ width: w, height: h, colorType: 0, bitDepth: 8, rows: randomBytes(w * h, 50 + i), filters: 0 }));
    varied.push(file);
  }
  const rectBatches = ultralyticsRectBatches(
    sizes.map(([width, height]) => ({ width, height })),
    4,
    32,
    8,
  );
  const spec: ResolvedDecodeSpec = {
    color: 'gray',
    size: [48, 48],
    fitWithin: [32, 32],
    resize: 'ultralytics-val',
    kernel: 'linear',
    cropRatio: 0.875,
    padValue: 114,
    stride: 8,
    rect: true,
    rectBatches,
  };
  const events: string[] = [];
  const calls: FakeCall[] = [];
  const a = await fakeModel('a', calls, events);
  const runs: StreamRun[] = [{ model: a, spec, predictions: [] }];
  await streamEvalSet(
    varied.map((file, i) => ({ id: String(i), file, label: i })),
    runs,
    {
      pool: recordingPool([]),
      memoryBudget: 4 * 48 * 48,
      batchSize: 4,
      overlap: false,
      normalize: NORM,
      keepFirst: 2,
      decode: (_o, count, batch) => batch.samples!.map((s, i) => `${s.id}@${batch.inputSize.join('x')}#${batch.geometry[i].padTop}`).slice(0, count),
    },
    silentProgress,
  );
  const shapeOf = (i: number) => rectBatches.shapes[Math.floor(rectBatches.order.indexOf(i) / 4)];
  expect(runs[0].predictions).toEqual(
    sizes.map(([w, h], i) => {
      const plan = planUltralyticsVal(w, h, 32, shapeOf(i));
      return `${i}@${shapeOf(i).join('x')}#${plan.geometry.padTop}`;
    }),
  );
  expect(new Set(rectBatches.shapes.map((s) => s.join('x'))).size).toBeGreaterThan(1);
  await a.release();
});
