/**
 * Collects raw latency samples for models measured side by side, in rounds. Each round opens a
 * fresh session of every model, warms each up, then times the models interleaved in blocks whose
 * order alternates (ABBA…), so slow drift of the machine lands on all of them alike. Between
 * rounds everything that belongs to one session (its thread pool and where the OS placed it, its
 * memory arena, its input buffer) is drawn anew, so a bias that a session carries shows up as
 * spread between rounds instead of as a confident difference (docs/latency.md). Statistics over
 * the samples live in src/metrics.
 */
import * as ort from 'onnxruntime-node';
import type { LatencyConfig } from '../config/types.js';
import type { Progress } from '../progress.js';
import { sessionOf, type LoadedModel } from './session.js';

/** Runs per model per block: long enough to amortise switching, short enough to track drift. */
export const LATENCY_BLOCK = 10;

/** Batch 1 always, then the configured sizes, ascending and without repeats. */
export function latencyBatchSizes(cfg: Pick<LatencyConfig, 'batchSizes'>): number[] {
  return [...new Set([1, ...cfg.batchSizes])].sort((a, b) => a - b);
}

/** One model the benchmark times. */
export interface LatencySubject {
  readonly label: string;
  /** A fresh session of the model; the benchmark releases it at the end of the round. */
  open(): Promise<LoadedModel>;
  /** The input for one timed run of `batch` samples. */
  input(batch: number): { data: Float32Array; dims: number[] };
  /** Batch sizes to time it at (default: all of the benchmark's). */
  readonly batchSizes?: readonly number[];
}

/** Per subject, per batch size: the timed runs (ms) of each round, in round order. */
export type RoundSamples = Record<number, number[][]>;

function canTake(model: LoadedModel, batch: number): boolean {
  return model.batchDim === 'dynamic' || model.batchDim === batch;
}

async function timedRun(model: LoadedModel, feeds: Record<string, ort.Tensor>): Promise<number> {
  const { session } = sessionOf(model);
  const startedAt = process.hrtime.bigint();
  await session.run(feeds);
  return Number(process.hrtime.bigint() - startedAt) / 1e6;
}

/** Timed runs per model in round `round`: the configured total spread over the rounds, the first ones taking the remainder. */
export function runsInRound(cfg: Pick<LatencyConfig, 'runs' | 'rounds'>, round: number): number {
  return Math.floor(cfg.runs / cfg.rounds) + (round < cfg.runs % cfg.rounds ? 1 : 0);
}

/**
 * For each round: open every subject, then for each batch size warm up every subject that takes
 * it (`warmup` untimed runs on this session) and time them interleaved in blocks of LATENCY_BLOCK,
 * the block order reversed every other block and rotated by one each round. A batch size a
 * fixed-batch model cannot take is absent from its record and noted once on progress.
 */
export async function measureLatencyRounds(subjects: readonly LatencySubject[], cfg: LatencyConfig, progress: Progress): Promise<RoundSamples[]> {
  const samples: RoundSamples[] = subjects.map(() => ({}));
  const batchSizes = latencyBatchSizes(cfg);
  const wanted = (i: number, batch: number) => subjects[i].batchSizes?.includes(batch) ?? true;
  const planned = batchSizes.reduce((sum, batch) => sum + subjects.filter((_, i) => wanted(i, batch)).length * (cfg.rounds * cfg.warmup + cfg.runs), 0);
  const skipped = new Set<string>();
  let done = 0;
  progress.start('latency', planned);
  try {
    for (let round = 0; round < cfg.rounds; round++) {
      const perRound = runsInRound(cfg, round);
      const models: LoadedModel[] = [];
      try {
        for (const subject of subjects) models.push(await subject.open());
        for (const batch of batchSizes) {
          const takers: number[] = [];
          for (const [i, model] of models.entries()) {
            if (!wanted(i, batch)) continue;
            if (canTake(model, batch)) takers.push(i);
            else if (!skipped.has(`${i}:${batch}`)) {
              skipped.add(`${i}:${batch}`);
              progress.warn(`${model.label}: latency at batch ${batch} skipped; the model's input has a fixed batch of ${model.batchDim}`);
            }
          }
          if (takers.length === 0) continue;
          // Each model gets its own input: they may preprocess to different sizes or layouts.
          const feeds = new Map(
            takers.map((i) => {
              const { data, dims } = subjects[i].input(batch);
              return [i, { [sessionOf(models[i]).inputName]: new ort.Tensor('float32', data, dims) }];
            }),
          );
          for (const i of takers) {
            for (let w = 0; w < cfg.warmup; w++) {
              await timedRun(models[i], feeds.get(i)!);
              progress.tick(++done);
            }
          }
          const rotated = takers.map((_, k) => takers[(k + round) % takers.length]);
          const timed = new Map(takers.map((i) => [i, [] as number[]]));
          for (let block = 0; timed.get(takers[0])!.length < perRound; block++) {
            for (const i of block % 2 === 0 ? rotated : [...rotated].reverse()) {
              const runs = timed.get(i)!;
              for (let k = Math.min(LATENCY_BLOCK, perRound - runs.length); k > 0; k--) {
                runs.push(await timedRun(models[i], feeds.get(i)!));
                progress.tick(++done);
              }
            }
          }
          for (const [i, runs] of timed) (samples[i][batch] ??= []).push(runs);
        }
      } finally {
        await Promise.all(models.map((model) => model.release()));
      }
    }
  } finally {
    progress.end();
  }
  return samples;
}
