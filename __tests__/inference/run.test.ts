/**
 * @jest-environment ./__tests__/inference/ort-environment.js
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputTensor } from '../../src/contracts/tensors.js';
import { UserError } from '../../src/errors.js';
import { checkInputFits, inputSizeFromModel, loadModel, measureLatencyRounds, runAll, runBatch, type LoadedModel } from '../../src/inference/index.js';
import type { Progress } from '../../src/progress.js';
import { silentProgress } from '../../src/progress.js';
import { identityModel } from '../models/onnx-writer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const modelsDir = path.resolve(here, '../../examples/fashion-mnist/models');
const SAMPLE = 28 * 28;

/** Hand-built 28x28 "images", already normalised: flat, gradients, a checkerboard, a bright square. */
function handBuiltImages(): Float32Array {
  const images = new Float32Array(5 * SAMPLE);
  for (let p = 0; p < SAMPLE; p++) {
    const [row, col] = [Math.floor(p / 28), p % 28];
    images[p] = -0.81; // (0/255 - 0.286) / 0.353: an all-black image
    images[SAMPLE + p] = row / 27;
    images[2 * SAMPLE + p] = col / 27 - 0.5;
    images[3 * SAMPLE + p] = (row + col) % 2 === 0 ? 2 : -0.81;
    images[4 * SAMPLE + p] = row > 7 && row < 20 && col > 9 && col < 18 ? 2.02 : -0.81;
  }
  return images;
}

describe.each(['fmnist-lenet-v1', 'fmnist-dwnet-v3'])('%s on CPU', (name) => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(path.join(modelsDir, `${name}.onnx`), { provider: 'cpu', threads: 1, label: name });
  });
  afterAll(async () => {
    await model.release();
  });

  test('a batch of 5 gives the same logits as 5 single runs, within 1e-5', async () => {
    const images = handBuiltImages();
    const batched = await runBatch(model, images, [5, 1, 28, 28]);
    expect(Object.keys(batched)).toEqual(['logits']);
    expect(batched.logits.dims).toEqual([5, 10]);
    expect(batched.logits.data).toBeInstanceOf(Float32Array);
    for (let i = 0; i < 5; i++) {
      const single = await runBatch(model, images.slice(i * SAMPLE, (i + 1) * SAMPLE), [1, 1, 28, 28]);
      expect(single.logits.dims).toEqual([1, 10]);
      for (let k = 0; k < 10; k++) {
        expect(Math.abs(single.logits.data[k] - batched.logits.data[i * 10 + k])).toBeLessThan(1e-5);
      }
    }
    // Different images must not collapse to the same logits (would hide a feeding bug).
    expect(batched.logits.data.slice(0, 10)).not.toEqual(batched.logits.data.slice(30, 40));
  });

  test('runAll in batches of 2 matches one batch of 5', async () => {
    const images = handBuiltImages();
    const whole = await runBatch(model, images, [5, 1, 28, 28]);
    const seen: Array<[number, number, number]> = [];
    const collected = new Float32Array(50);
    await runAll(model, {
      total: 5,
      batchSize: 2,
      sampleShape: [1, 28, 28],
      makeInput: (start, end) => images.slice(start * SAMPLE, end * SAMPLE),
      onOutputs: (start, end, outputs, count) => {
        seen.push([start, end, count]);
        collected.set(outputs.logits.data, start * 10);
      },
      progress: silentProgress,
    });
    expect(seen).toEqual([
      [0, 2, 2],
      [2, 4, 2],
      [4, 5, 1],
    ]);
    for (let i = 0; i < 50; i++) expect(Math.abs(collected[i] - whole.logits.data[i])).toBeLessThan(1e-5);
  });

  test('input signature fits 1x28x28 nchw, not 3x224x224', () => {
    expect(() => checkInputFits(model, { channels: 1, height: 28, width: 28, layout: 'nchw' })).not.toThrow();
    expect(() => checkInputFits(model, { channels: 3, height: 224, width: 224, layout: 'nchw' })).toThrow(
      new UserError(
        `${name}: input 'input' wants [1, 28, 28] (channels, height, width) per image, but preprocessing gives [3, 224, 224] (channels, height, width): set preprocess.color: gray and preprocess.size: [28, 28]`,
      ),
    );
    expect(inputSizeFromModel(model.inputs[0], 'nchw')).toEqual([28, 28]);
  });
});

describe('fixed batch size (generated identity model, real onnxruntime)', () => {
  let tmp: string;
  let model: LoadedModel;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'model-gate-inference-'));
    const file = path.join(tmp, 'identity-b4.onnx');
    await writeFile(file, identityModel([4, 1, 2, 2]));
    model = await loadModel(file, { provider: 'cpu', threads: 1, label: 'identity-b4.onnx' });
  });
  afterAll(async () => {
    await model.release();
    await rm(tmp, { recursive: true, force: true });
  });

  test('runs in batches of 4 whatever the configured size, padding the last and dropping the padding', async () => {
    expect(model.batchDim).toBe(4);
    const value = (sample: number, j: number) => sample * 10 + j + 1;
    const calls: Array<{ start: number; end: number; output: OutputTensor }> = [];
    const events: string[] = [];
    const progress: Progress = {
      start: (phase, total) => events.push(`start ${phase} ${total}`),
      tick: (done) => events.push(`tick ${done}`),
      end: () => events.push('end'),
      info() {},
      warn() {},
    };
    await runAll(model, {
      total: 10,
      batchSize: 32,
      sampleShape: [1, 2, 2],
      makeInput: (start, end) => Float32Array.from({ length: (end - start) * 4 }, (_, i) => value(start + Math.floor(i / 4), i % 4)),
      onOutputs: (start, end, outputs) => calls.push({ start, end, output: outputs.output }),
      progress,
    });
    expect(calls.map(({ start, end }) => [start, end])).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(calls[2].output.dims).toEqual([2, 1, 2, 2]);
    // Identity: each output row must be exactly its input sample.
    for (const { start, end, output } of calls) {
      expect(Array.from(output.data)).toEqual(Array.from({ length: (end - start) * 4 }, (_, i) => value(start + Math.floor(i / 4), i % 4)));
    }
    expect(events).toEqual(['start run identity-b4.onnx 10', 'tick 4', 'tick 8', 'tick 10', 'end']);
  });
});

describe('checkInputFits', () => {
  const sig = (dims: (number | string)[], type = 'float32') => ({ label: 'models/a.onnx', inputs: [{ name: 'input', dims, type }] });
  const rgb224 = { channels: 3, height: 224, width: 224, layout: 'nchw' as const };

  test('symbolic and unknown dims fit anything', () => {
    expect(() => checkInputFits(sig(['batch', 3, '?', 'w']), rgb224)).not.toThrow();
    expect(() => checkInputFits(sig([1, 224, 224, 3]), { ...rgb224, layout: 'nhwc' })).not.toThrow();
  });

  test('mismatches name the model, the input, both shapes in their own layout, and the preprocess keys to set', () => {
    const gray28 = { channels: 1, height: 28, width: 28, layout: 'nchw' as const };
    expect(() => checkInputFits(sig(['batch', 3, 224, 224]), gray28)).toThrow(
      new UserError(
        "models/a.onnx: input 'input' wants [3, 224, 224] (channels, height, width) per image, but preprocessing gives [1, 28, 28] (channels, height, width): " +
          'set preprocess.color: rgb and preprocess.size: [224, 224]',
      ),
    );
    // layout: nhwc on an NCHW model: the model's own shape is read as NCHW, not labelled "nhwc".
    expect(() => checkInputFits(sig(['batch', 1, 28, 28]), { ...gray28, layout: 'nhwc' })).toThrow(
      new UserError(
        "models/a.onnx: input 'input' wants [1, 28, 28] (channels, height, width) per image, but preprocessing gives [28, 28, 1] (height, width, channels: preprocess.layout is nhwc): " +
          'set preprocess.layout: nchw',
      ),
    );
    expect(() => checkInputFits(sig(['batch', 224, 224, 3]), rgb224)).toThrow(
      new UserError(
        "models/a.onnx: input 'input' wants [224, 224, 3] (height, width, channels) per image, but preprocessing gives [3, 224, 224] (channels, height, width: preprocess.layout is nchw): " +
          'set preprocess.layout: nhwc',
      ),
    );
    expect(() => checkInputFits(sig(['batch', 3, 'h', 256]), rgb224)).toThrow(
      new UserError(
        "models/a.onnx: input 'input' wants [3, h, 256] (channels, height, width) per image, but preprocessing gives [3, 224, 224] (channels, height, width): set preprocess.size: [224, 256] (width 256)",
      ),
    );
  });

  test('dtype and rank', () => {
    expect(() => checkInputFits(sig(['batch', 3, 224, 224], 'uint8'), rgb224)).toThrow("models/a.onnx: input 'input' has dtype uint8; model-gate feeds float32 tensors");
    expect(() => checkInputFits(sig(['batch', 784]), rgb224)).toThrow(
      "models/a.onnx: input 'input' has shape [batch,784] (rank 2); model-gate feeds a rank-4 image batch [batch,channels,height,width] (nchw)",
    );
  });

  test('inputSizeFromModel', () => {
    expect(inputSizeFromModel({ name: 'x', dims: [1, 224, 192, 3], type: 'float32' }, 'nhwc')).toEqual([224, 192]);
    expect(inputSizeFromModel({ name: 'x', dims: ['b', 3, 'h', 'w'], type: 'float32' }, 'nchw')).toBeNull();
    expect(inputSizeFromModel({ name: 'x', dims: ['b', 784], type: 'float32' }, 'nchw')).toBeNull();
  });
});

test('measureLatencyRounds on the two real models returns positive millisecond samples per round', async () => {
  const subject = (name: string) => ({
    label: name,
    open: () => loadModel(path.join(modelsDir, `${name}.onnx`), { provider: 'cpu', threads: 1, label: name }),
    input: (batch: number) => ({ data: new Float32Array(batch * SAMPLE), dims: [batch, 1, 28, 28] }),
  });
  const samples = await measureLatencyRounds([subject('fmnist-lenet-v1'), subject('fmnist-dwnet-v3')], { batchSizes: [8], warmup: 2, runs: 12, rounds: 3, threads: 1 }, silentProgress);
  for (const record of samples) {
    expect(Object.keys(record)).toEqual(['1', '8']);
    expect(record[1].map((round) => round.length)).toEqual([4, 4, 4]);
    for (const ms of [...record[1].flat(), ...record[8].flat()]) {
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThan(1000);
    }
  }
});
