/**
 * The latency benchmark's schedule, on fake sessions that log every run: fresh sessions each
 * round (all released), warm-up on each, ABBA blocks rotated by one per round, the runs spread
 * over the rounds, the A/A-style extra subject only at its own batch sizes, fixed-batch models.
 */
import { latencyBatchSizes, loadModel, measureLatencyRounds, runsInRound, type LatencySubject } from '../../src/inference/index.js';
import type { Progress } from '../../src/progress.js';
import { fakeFactory, type FakeCall } from './fakes.js';

function recordingProgress() {
  const warnings: string[] = [];
  const ticks: number[] = [];
  let total = -1;
  const progress: Progress = {
    start: (_phase, count) => {
      total = count;
    },
    tick: (done) => ticks.push(done),
    end() {},
    info() {},
    warn: (message) => warnings.push(message),
  };
  return { progress, warnings, ticks, total: () => total };
}

/** A subject whose sessions are fakes logging into `calls`; counts sessions opened and released. */
function subject(label: string, calls: FakeCall[], sessions: { opened: number; released: number }, options: { inputDims?: (number | string)[]; batchSizes?: number[] } = {}): LatencySubject {
  const { factory } = fakeFactory([], calls, options.inputDims);
  return {
    label,
    batchSizes: options.batchSizes,
    async open() {
      sessions.opened++;
      const model = await loadModel(label, { provider: 'cpu', threads: 1, label }, factory);
      const release = model.release.bind(model);
      model.release = async () => {
        sessions.released++;
        await release();
      };
      return model;
    },
    input: (batch) => ({ data: new Float32Array(batch * 784), dims: [batch, 1, 28, 28] }),
  };
}

/** Run-length encoding of the call log: "A×2" for two consecutive runs of A. */
function runs(calls: readonly FakeCall[]): string[] {
  const out: string[] = [];
  let last = '';
  let count = 0;
  for (const call of calls) {
    if (call.model === last) count++;
    else {
      if (last) out.push(`${last}×${count}`);
      [last, count] = [call.model, 1];
    }
  }
  if (last) out.push(`${last}×${count}`);
  return out;
}

test('batch sizes: 1 always, ascending, no repeats; runs spread evenly over the rounds', () => {
  expect(latencyBatchSizes({ batchSizes: [8, 1, 8, 4] })).toEqual([1, 4, 8]);
  expect(Array.from({ length: 7 }, (_, r) => runsInRound({ runs: 200, rounds: 7 }, r))).toEqual([29, 29, 29, 29, 28, 28, 28]);
  expect(Array.from({ length: 7 }, (_, r) => runsInRound({ runs: 21, rounds: 7 }, r))).toEqual([3, 3, 3, 3, 3, 3, 3]);
});

test('each round: fresh sessions, warm-up, then ABBA blocks of 10 rotated by one per round', async () => {
  const calls: FakeCall[] = [];
  const sessions = { opened: 0, released: 0 };
  const { progress, ticks, total } = recordingProgress();
  const samples = await measureLatencyRounds([subject('A', calls, sessions), subject('B', calls, sessions)], { batchSizes: [], warmup: 2, runs: 75, rounds: 3, threads: 1 }, progress);
  expect(sessions).toEqual({ opened: 6, released: 6 });
  // 25 timed runs per model per round, blocks of 10 in ABBA order: round 0 starts with A, round 1 with B.
  const round = (r: number) => runs(calls.slice(r * 54, (r + 1) * 54));
  expect(round(0)).toEqual(['A×2', 'B×2', 'A×10', 'B×20', 'A×15', 'B×5']);
  expect(round(1)).toEqual(['A×2', 'B×12', 'A×20', 'B×15', 'A×5']);
  expect(round(2)).toEqual(round(0));
  for (const record of samples) {
    expect(Object.keys(record)).toEqual(['1']);
    expect(record[1].map((round) => round.length)).toEqual([25, 25, 25]);
  }
  expect(total()).toBe(3 * 2 * (2 + 25));
  expect(ticks.at(-1)).toBe(3 * 2 * (2 + 25));
});

test('a subject with its own batch sizes (the A/A control) is timed only there', async () => {
  const calls: FakeCall[] = [];
  const sessions = { opened: 0, released: 0 };
  const samples = await measureLatencyRounds(
    [subject('A', calls, sessions), subject('B', calls, sessions), subject('C', calls, sessions, { batchSizes: [1] })],
    { batchSizes: [4], warmup: 0, runs: 20, rounds: 2, threads: 1 },
    recordingProgress().progress,
  );
  expect(Object.keys(samples[2])).toEqual(['1']);
  expect(calls.filter((c) => c.model === 'C').every((c) => c.batch === 1)).toBe(true);
  expect(Object.keys(samples[0])).toEqual(['1', '4']);
  expect(sessions).toEqual({ opened: 6, released: 6 });
});

test('a fixed-batch model skips the batch sizes it cannot take, noted once', async () => {
  const calls: FakeCall[] = [];
  const sessions = { opened: 0, released: 0 };
  const { progress, warnings } = recordingProgress();
  const [dynamic, fixed] = await measureLatencyRounds(
    [subject('dyn', calls, sessions), subject('fixed4', calls, sessions, { inputDims: [4, 1, 28, 28] })],
    { batchSizes: [4, 8], warmup: 1, runs: 6, rounds: 3, threads: 1 },
    progress,
  );
  expect(Object.keys(dynamic)).toEqual(['1', '4', '8']);
  expect(Object.keys(fixed)).toEqual(['4']);
  expect(fixed[4].map((r) => r.length)).toEqual([2, 2, 2]);
  expect(warnings).toEqual(["fixed4: latency at batch 1 skipped; the model's input has a fixed batch of 4", "fixed4: latency at batch 8 skipped; the model's input has a fixed batch of 4"]);
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
  const slow: LatencySubject = {
    label: 'slow',
    open: () => loadModel('slow', { provider: 'cpu', threads: 1, label: 'slow' }, slowFactory),
    input: (batch) => ({ data: new Float32Array(batch * 784), dims: [batch, 1, 28, 28] }),
  };
  const [record] = await measureLatencyRounds([slow], { batchSizes: [], warmup: 0, runs: 6, rounds: 3, threads: 1 }, recordingProgress().progress);
  expect(record[1].flat()).toHaveLength(6);
  for (const ms of record[1].flat()) {
    expect(ms).toBeGreaterThanOrEqual(3);
    expect(ms).toBeLessThan(1000);
  }
});
