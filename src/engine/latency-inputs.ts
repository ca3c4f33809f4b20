/**
 * The latency benchmark of a group of model runs, fed with the first decoded images of each run's
 * preprocessing (kept by the stream, so nothing is decoded again). A batch larger than the eval
 * set repeats its images; timing doesn't care which images they are.
 */
import type { Config, LatencyConfig } from '../config/types.js';
import { measureLatency } from '../inference/latency.js';
import { decodeSpecKey, toTensor, type DecodedImages } from '../preprocess/index.js';
import type { Progress } from '../progress.js';
import type { ModelRun } from './evaluate.js';

function repeatToBatch(tensor: Float32Array, count: number, batch: number): Float32Array {
  if (count === batch) return tensor;
  const per = tensor.length / count;
  const out = new Float32Array(per * batch);
  for (let i = 0; i < batch; i++) out.set(tensor.subarray((i % count) * per, ((i % count) + 1) * per), i * per);
  return out;
}

export function measureGroupLatency(
  config: Config,
  runs: readonly ModelRun[],
  firstImages: ReadonlyMap<string, DecodedImages>,
  latency: LatencyConfig,
  progress: Progress,
): Promise<Array<Record<number, number[]>>> {
  return measureLatency(
    runs.map((r) => r.model),
    (i, batch) => {
      const images = firstImages.get(decodeSpecKey(runs[i].spec)) as DecodedImages;
      const count = Math.min(batch, images.count);
      return { data: repeatToBatch(toTensor(images, 0, count, config.preprocess), count, batch), dims: [batch, ...runs[i].sampleShape] };
    },
    latency,
    progress,
  );
}
