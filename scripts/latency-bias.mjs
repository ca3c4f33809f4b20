/**
 * What separates two sessions of the same model (docs/latency.md, "What we found"): times
 * fmnist-lenet-v1 at batch 1 as an A/A pair, interleaved ABBA in blocks of 10 like the engine, in
 * four arrangements, each repeated `PAIRS` times with new sessions:
 *   same-session   one session timed as both A and B (what the noise of the window alone gives)
 *   two-sessions   two sessions of the same file (what the engine compared before rounds)
 *   two-no-spin    the same without spin-waiting pool threads
 *   two-one-input  two sessions fed the very same input tensor object
 *   one-ran-set    two sessions, only A first ran 40 batches of 64 (as a model that scored the eval set)
 *   both-ran-set   two sessions, both first ran those batches
 * and prints the spread of the p50 ratios B/A. `node scripts/latency-bias.mjs` (needs npm ci).
 */
import * as ort from 'onnxruntime-node';

const MODEL = 'examples/fashion-mnist/models/fmnist-lenet-v1.onnx';
const PAIRS = Number(process.env.PAIRS ?? 12);
const RUNS = 200;
const BLOCK = 10;

const input = () =>
  new ort.Tensor(
    'float32',
    Float32Array.from({ length: 784 }, (_, i) => ((i * 7919) % 255) / 255),
    [1, 1, 28, 28],
  );
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function session(spin) {
  return ort.InferenceSession.create(MODEL, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 0,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } },
  });
}

async function timeOnce(s, feeds) {
  const t = process.hrtime.bigint();
  await s.run(feeds);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function pairRatio(a, b, feedsA, feedsB) {
  for (let i = 0; i < 10; i++) (await a.run(feedsA), await b.run(feedsB));
  const times = [[], []];
  const order = [
    [a, feedsA, 0],
    [b, feedsB, 1],
  ];
  for (let block = 0; times[0].length < RUNS; block++) {
    const sequence = block % 2 ? [order[1], order[0]] : order;
    for (const [s, feeds, k] of sequence) for (let r = 0; r < BLOCK; r++) times[k].push(await timeOnce(s, feeds));
  }
  return median(times[1]) / median(times[0]);
}

const big = () => new ort.Tensor('float32', new Float32Array(64 * 784).fill(0.5), [64, 1, 28, 28]);
async function ranTheSet(s) {
  for (let i = 0; i < 40; i++) await s.run({ [s.inputNames[0]]: big() });
  return s;
}

const arrangements = {
  'same-session': async () => {
    const s = await session(true);
    const f = { [s.inputNames[0]]: input() };
    return [s, s, f, { [s.inputNames[0]]: input() }];
  },
  'two-sessions': async () => {
    const [a, b] = [await session(true), await session(true)];
    return [a, b, { [a.inputNames[0]]: input() }, { [b.inputNames[0]]: input() }];
  },
  'two-no-spin': async () => {
    const [a, b] = [await session(false), await session(false)];
    return [a, b, { [a.inputNames[0]]: input() }, { [b.inputNames[0]]: input() }];
  },
  'two-one-input': async () => {
    const [a, b] = [await session(true), await session(true)];
    const f = { [a.inputNames[0]]: input() };
    return [a, b, f, f];
  },
  'one-ran-set': async () => {
    const [a, b] = [await ranTheSet(await session(true)), await session(true)];
    return [a, b, { [a.inputNames[0]]: input() }, { [b.inputNames[0]]: input() }];
  },
  'both-ran-set': async () => {
    const [a, b] = [await ranTheSet(await session(true)), await ranTheSet(await session(true))];
    return [a, b, { [a.inputNames[0]]: input() }, { [b.inputNames[0]]: input() }];
  },
};

for (const [name, make] of Object.entries(arrangements)) {
  const ratios = [];
  // The arrangements take turns pair by pair would be better still; one after another keeps it simple.
  for (let p = 0; p < PAIRS; p++) {
    const [a, b, fa, fb] = await make();
    ratios.push(await pairRatio(a, b, fa, fb));
    await a.release();
    if (b !== a) await b.release();
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  const logs = ratios.map(Math.log);
  const mean = logs.reduce((s, x) => s + x, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (logs.length - 1));
  console.log(
    `${name.padEnd(14)} p50 ratio B/A over ${PAIRS} pairs: min ${sorted[0].toFixed(3)}, median ${median(ratios).toFixed(3)}, max ${sorted.at(-1).toFixed(3)}, sd(log) ${(sd * 100).toFixed(1)}%`,
  );
}
