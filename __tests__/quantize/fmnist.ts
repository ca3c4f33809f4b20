/**
 * The Fashion-MNIST example eval set, decoded once per test file with the example config's
 * preprocessing (gray, 28×28, x = (pixel/255 − 0.2860)/0.3530, nchw), in idx order: the archive's
 * files are named <class>/<idx>.png, so sorting by the number gives the original test-set order.
 * The archive is extracted into the run's shared eval-set cache (once for all test files).
 */
import { basename } from 'node:path';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { loadModel, runBatch } from '../../src/inference/index.js';
import { decodeImages, toTensor, type DecodedImages } from '../../src/preprocess/index.js';
import { silentProgress } from '../../src/progress.js';
import { rankScores } from '../../src/tasks/classification/index.js';
import { readClassFolders } from '../../src/tasks/classification/samples.js';
import { sharedEvalSetCache } from '../helpers/shared.js';
import { arraySource, type CalibrationSource } from '../../src/quantize/index.js';

export const EXAMPLE = 'examples/fashion-mnist';
export const CLASSES = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle-boot'];
const NORMALIZE = { scale: 1 / 255, mean: [0.286], std: [0.353], layout: 'nchw' as const };
const DECODE = { color: 'gray' as const, size: [28, 28] as const, resize: 'stretch' as const, kernel: 'linear' as const, cropRatio: 0.875, padValue: 0 };

export interface FashionMnist {
  images: DecodedImages;
  labels: number[];
}

export async function loadFashionMnist(): Promise<FashionMnist> {
  const cacheDir = sharedEvalSetCache();
  const set = await resolveEvalSet(
    { source: `${EXAMPLE}/fmnist-test.tar.gz`, sha256: '6d9c562ee4fec925e6f8003a95b40e894e4e65790bb7abb3d2d351d0c82cf57b', format: 'class-folders', manifest: null },
    { cacheDir, progress: silentProgress },
  );
  const samples = await readClassFolders(set.root, CLASSES);
  const idx = (file: string) => Number(basename(file, '.png'));
  samples.sort((a, b) => idx(a.file) - idx(b.file));
  const images = await decodeImages(
    samples.map((s) => s.file),
    DECODE,
    silentProgress,
  );
  return { images, labels: samples.map((s) => s.label) };
}

/** The first `count` images as a calibration source, preprocessed as the example config says. */
export function calibrationSource(images: DecodedImages, count: number): CalibrationSource {
  return arraySource(toTensor(images, 0, count, NORMALIZE), [1, 28, 28]);
}

/** Top-1 of the model at `path` over the whole set, through onnxruntime-node. */
export async function top1(path: string, data: FashionMnist): Promise<number> {
  const model = await loadModel(path, { provider: 'cpu', threads: 0, label: basename(path) });
  try {
    let correct = 0;
    const batch = 1000;
    for (let start = 0; start < data.images.count; start += batch) {
      const end = Math.min(data.images.count, start + batch);
      const outputs = await runBatch(model, toTensor(data.images, start, end, NORMALIZE), [end - start, 1, 28, 28]);
      const logits = Object.values(outputs)[0].data;
      for (let i = 0; i < end - start; i++) if (rankScores(logits, i * 10, 10, 1)[0] === data.labels[start + i]) correct++;
    }
    return correct / data.images.count;
  } finally {
    await model.release();
  }
}
