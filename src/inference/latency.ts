/**
 * Collects raw latency samples for the baseline and candidate side by side. Runs are interleaved
 * in blocks, alternating which model goes first, so slow drift of the machine (thermal throttling,
 * a noisy neighbour on a CI runner) lands on both models alike instead of on whichever ran second.
 * Statistics over the samples live in src/metrics.
 */
import * as ort from 'onnxruntime-node';
import type { LatencyConfig } from '../config/types.js';
import type { Progress } from '../progress.js';
import { sessionOf, type LoadedModel } from './session.js';

/** Runs per model per block: long enough to amortise switching, short enough to track drift. */
export const LATENCY_BLOCK = 10;

/** Batch 1 always, then the configured sizes, ascending and without repeats. */
export function latencyBatchSizes(cfg: LatencyConfig): number[] {
  return [...new Set([1, ...cfg.batchSizes])].sort((a, b) => a - b);
}

function canTake(model: LoadedModel, batch: number): boolean {
  return model.batchDim === 'dynamic' || model.batchDim === batch;
}

async function timedRun(model: LoadedModel, feeds: Record<string, ort.Tensor>): Promise<number> {
  const { session } = sessionOf(model);
  const startedAt = process.hrtime.bigint();
  await session.run(feeds);
  return Number(process.hrtime.bigint() - startedAt) / 1e6;
}

/**
 * For each batch size: every model that can take it gets `warmup` untimed runs, then `runs`
 * timed runs (ms, around session.run only) interleaved in blocks of LATENCY_BLOCK. Returns one
 * record per model (same order as `models`) mapping batch size → samples in run order; a batch
 * size a fixed-batch model cannot take is absent from its record and noted on progress.
 */
export async function measureLatency(
  models: LoadedModel[],
  makeInput: (modelIndex: number, batch: number) => { data: Float32Array; dims: number[] },
  cfg: LatencyConfig,
  progress: Progress,
): Promise<Array<Record<number, number[]>>> {
  const samples: Array<Record<number, number[]>> = models.map(() => ({}));
  const batchSizes = latencyBatchSizes(cfg);
  const plannedRuns = batchSizes.reduce(
    (sum, batch) => sum + models.filter((model) => canTake(model, batch)).length * (cfg.warmup + cfg.runs), 0);

  let done = 0;
  progress.start('latency', plannedRuns);
  for (const batch of batchSizes) {
    const takers = models.map((_, index) => index).filter((index) => canTake(models[index], batch));
    for (const [index, model] of models.entries()) {
      if (!takers.includes(index)) {
        progress.warn(`${model.label}: latency at batch ${batch} skipped; the model's input has a fixed batch of ${model.batchDim}`);
      }
    }
    if (takers.length === 0) continue;

    // Each model gets its own input: the two may preprocess to different sizes or layouts.
    const feedsFor = (index: number) => {
      const { data, dims } = makeInput(index, batch);
      return { [sessionOf(models[index]).inputName]: new ort.Tensor('float32', data, dims) };
    };
    const feeds = new Map(takers.map((index) => [index, feedsFor(index)]));

    for (const index of takers) {
      for (let i = 0; i < cfg.warmup; i++) {
        await timedRun(models[index], feeds.get(index)!);
        progress.tick(++done);
      }
      samples[index][batch] = [];
    }
    for (let block = 0; samples[takers[0]][batch].length < cfg.runs; block++) {
      const order = block % 2 === 0 ? takers : [...takers].reverse();
      for (const index of order) {
        const runsInBlock = Math.min(LATENCY_BLOCK, cfg.runs - samples[index][batch].length);
        for (let i = 0; i < runsInBlock; i++) {
          samples[index][batch].push(await timedRun(models[index], feeds.get(index)!));
          progress.tick(++done);
        }
      }
    }
  }
  progress.end();
  return samples;
}
