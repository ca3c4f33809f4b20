/**
 * The latency benchmark of a group of model runs: each run becomes a subject that opens a fresh
 * session of its model every round and is fed the first decoded images of its preprocessing (kept
 * by the stream, so nothing is decoded again). A batch larger than the eval set repeats its
 * images; timing doesn't care which images they are. With `control`, the group's first model is
 * timed a second time as its own A/A control arm, at batch 1: two sessions of one model, whose
 * ratio shows what this runner can resolve right now.
 */
import type { Config, LatencyConfig } from '../config/types.js';
import { loadModel, measureLatencyRounds, type LatencySubject, type RoundSamples } from '../inference/index.js';
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

function subjectOf(config: Config, run: ModelRun, threads: number, firstImages: ReadonlyMap<string, DecodedImages>, label: string, batchSizes?: readonly number[]): LatencySubject {
  return {
    label,
    batchSizes,
    // The provider the evaluation settled on, so `auto` doesn't retry CUDA every round.
    open: () => loadModel(run.file.path, { provider: run.model.provider, threads, interOpThreads: config.inference.interOpThreads, spinWait: config.inference.spinWait, label }),
    input(batch) {
      // The kept images' own size: for rect batches, the most common batch shape.
      const images = firstImages.get(decodeSpecKey(run.spec)) as DecodedImages;
      const count = Math.min(batch, images.count);
      const shape = config.preprocess.layout === 'nchw' ? [images.channels, images.height, images.width] : [images.height, images.width, images.channels];
      return { data: repeatToBatch(toTensor(images, 0, count, config.preprocess), count, batch), dims: [batch, ...shape] };
    },
  };
}

export interface GroupLatency {
  /** Per run, in order. */
  readonly runs: RoundSamples[];
  /** The first run timed again on other sessions (batch 1), or null without a control arm. */
  readonly control: RoundSamples | null;
}

export async function measureGroupLatency(
  config: Config,
  runs: readonly ModelRun[],
  firstImages: ReadonlyMap<string, DecodedImages>,
  latency: LatencyConfig,
  progress: Progress,
  options: { readonly threads: number; readonly control: boolean },
): Promise<GroupLatency> {
  const subjects = runs.map((run) => subjectOf(config, run, options.threads, firstImages, run.file.label));
  if (options.control && runs.length > 0) subjects.push(subjectOf(config, runs[0], options.threads, firstImages, `${runs[0].file.label} (A/A control)`, [1]));
  const samples = await measureLatencyRounds(subjects, latency, progress);
  return { runs: samples.slice(0, runs.length), control: options.control && runs.length > 0 ? samples[runs.length] : null };
}

/** All rounds' runs of one batch size in one list, for percentiles over the whole benchmark. */
export function pooled(samples: RoundSamples): Record<number, number[]> {
  const out: Record<number, number[]> = {};
  for (const [batch, rounds] of Object.entries(samples)) out[Number(batch)] = rounds.flat();
  return out;
}
