import { loadModel, measureLatency, latencyBatchSizes, type LoadedModel } from '../../src/inference/index.js';
import type { Progress } from '../../src/progress.js';
import { fakeFactory, type FakeCall } from './fakes.js';

async function fakeModel(label: string, calls: FakeCall[], inputDims?: (number | string)[]): Promise<LoadedModel> {
  const { factory } = fakeFactory([], calls, inputDims);
  return loadModel(label, { provider: 'cpu', threads: 1, label }, factory);
}

const inputRequests: Array<[number, number]> = [];
const makeInput = (modelIndex: number, batch: number) => {
  inputRequests.push([modelIndex, batch]);
  return { data: new Float32Array(batch * 784), dims: [batch, 1, 28, 28] };
};

function recordingProgress() {
  const warnings: string[] = [];
  const ticks: number[] = [];
  let total = -1;
  const progress: Progress = {
    start: (_phase, count) => { total = count; },
    tick: (done) => ticks.push(done),
    end() {},
    info() {},
    warn: (message) => warnings.push(message),
  };
  return { progress, warnings, ticks, total: () => total };
}

/** Run-length encoding of the call log: "A×2" for two consecutive runs of A. */
function runs(calls: FakeCall[], batch: number): string[] {
  const out: string[] = [];
  let last = '';
  let count = 0;
  for (const call of calls.filter((c) => c.batch === batch)) {
    if (call.model === last) count++;
    else {
      if (last) out.push(`${last}×${count}`);
      [last, count] = [call.model, 1];
    }
  }
  if (last) out.push(`${last}×${count}`);
  return out;
}

test('batch sizes: 1 always, ascending, no repeats', () => {
  expect(latencyBatchSizes({ batchSizes: [8, 1, 8, 4], warmup: 0, runs: 1 })).toEqual([1, 4, 8]);
});

test('warm-up, then blocks of 10 alternating which model goes first, until each has `runs` samples', async () => {
  const calls: FakeCall[] = [];
  const models = [await fakeModel('A', calls), await fakeModel('B', calls)];
  const { progress, ticks, total } = recordingProgress();
  inputRequests.length = 0;
  const samples = await measureLatency(models, makeInput, { batchSizes: [4], warmup: 2, runs: 25 }, progress);
  // One input per model per batch size: the models may preprocess differently.
  expect(inputRequests).toEqual([[0, 1], [1, 1], [0, 4], [1, 4]]);

  // Per batch size: A warms up 2, B warms up 2, then A10 B10 | B10 A10 | A5 B5.
  const expected = ['A×2', 'B×2', 'A×10', 'B×20', 'A×15', 'B×5'];
  expect(runs(calls, 1)).toEqual(expected);
  expect(runs(calls, 4)).toEqual(expected);
  expect(calls.filter((c) => c.batch === 1)).toHaveLength(2 * (2 + 25));
  for (const record of samples) {
    expect(Object.keys(record)).toEqual(['1', '4']);
    expect(record[1]).toHaveLength(25);
    expect(record[4]).toHaveLength(25);
    for (const ms of [...record[1], ...record[4]]) expect(ms).toBeGreaterThanOrEqual(0);
  }
  expect(total()).toBe(2 * 2 * 27);
  expect(ticks.at(-1)).toBe(2 * 2 * 27);
});

test('a fixed-batch model skips the batch sizes it cannot take, with a note', async () => {
  const calls: FakeCall[] = [];
  const models = [await fakeModel('dyn', calls), await fakeModel('fixed4', calls, [4, 1, 28, 28])];
  const { progress, warnings } = recordingProgress();
  const [dynamic, fixed] = await measureLatency(models, makeInput, { batchSizes: [4, 8], warmup: 1, runs: 3 }, progress);
  expect(Object.keys(dynamic)).toEqual(['1', '4', '8']);
  expect(Object.keys(fixed)).toEqual(['4']);
  expect(fixed[4]).toHaveLength(3);
  expect(warnings).toEqual([
    "fixed4: latency at batch 1 skipped; the model's input has a fixed batch of 4",
    "fixed4: latency at batch 8 skipped; the model's input has a fixed batch of 4",
  ]);
  expect(calls.filter((c) => c.model === 'fixed4').every((c) => c.batch === 4)).toBe(true);
});

test('timings are milliseconds around session.run', async () => {
  const calls: FakeCall[] = [];
  const { factory } = fakeFactory([], calls);
  const slowFactory = {
    async create(path: string, options: object) {
      const session = (await factory.create(path, options)) as { run: (feeds: never) => Promise<unknown> };
      const run = session.run.bind(session);
      session.run = async (feeds: never) => {
        const until = performance.now() + 3; // busy-wait 3 ms: a lower bound the timer must show
        while (performance.now() < until);
        return run(feeds);
      };
      return session;
    },
  };
  const slow = await loadModel('slow', { provider: 'cpu', threads: 1, label: 'slow' }, slowFactory);
  const [record] = await measureLatency([slow], makeInput, { batchSizes: [], warmup: 0, runs: 5 }, recordingProgress().progress);
  expect(record[1]).toHaveLength(5);
  for (const ms of record[1]) {
    expect(ms).toBeGreaterThanOrEqual(3);
    expect(ms).toBeLessThan(1000);
  }
});
