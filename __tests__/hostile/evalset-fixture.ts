/**
 * What the hostile eval-set tests share: the Action tests' small Fashion-MNIST set (2,000 images:
 * the files numbered 00000-01999, so not the same number in every class) unpacked into a folder a test may damage, and a config for the example models.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { smallEvalSet } from '../helpers/shared.js';

const run = promisify(execFile);
export const EXAMPLE = join(process.cwd(), 'examples', 'fashion-mnist');
export const LENET = join(EXAMPLE, 'models', 'fmnist-lenet-v1.onnx');
export const DWNET = join(EXAMPLE, 'models', 'fmnist-dwnet-v3.onnx');
export const CLASSES = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle-boot'];

/** The 2,000-image set as a folder of class folders: <dir>/fmnist-test/<class>/<nnnnn>.png. */
export async function unpackSmallSet(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await run('tar', ['xzf', smallEvalSet().archive, '-C', dir]);
  return join(dir, 'fmnist-test');
}

/** A model-gate.yml for the example models; `source` and `sha256` as eval.source/eval.sha256. */
export function smallConfig(source: string, sha256: string | null, extra = ''): string {
  return `task: classification
eval: { source: ${source}${sha256 ? `, sha256: ${sha256}` : ''} }
classes: [${CLASSES.join(', ')}]
preprocess: { color: gray, size: [28, 28], scale: 0.00392156862745098, mean: [0.2860], std: [0.3530] }
inference: { execution-provider: cpu, batch-size: 64, threads: 1 }
latency: { batch-sizes: [1], warmup: 2, runs: 20, rounds: 3 }
gates: { max-top1-drop: 100, max-latency-regression: 10000 }
${extra}`;
}
