/**
 * The eval set of a run: verified, extracted and its samples read once. Every model the run
 * evaluates (several in one PR, their int8 variants, every model of a nightly run) is fed from one
 * stream of it (evaluate.ts), so each image is decoded once per distinct preprocessing.
 */
import type { Config } from '../config/types.js';
import type { EvalSample } from '../contracts/task.js';
import type { EvalSetCache } from '../evalset/actions-cache.js';
import { resolveEvalSet, type ResolvedEvalSet } from '../evalset/index.js';
import type { Progress } from '../progress.js';
import { taskFor } from '../tasks/index.js';

export interface EvalContext {
  readonly evalSet: ResolvedEvalSet;
  readonly samples: readonly EvalSample<unknown>[];
  /** Wall time spent getting here (verify, extract, read the samples), for the report's timing. */
  readonly preparedMs: number;
  /** What reading the samples warned about (an empty class folder, files it ignored): the report repeats it. */
  readonly notes: readonly string[];
}

export async function prepareEval(config: Config, progress: Progress, options: { remoteCache?: EvalSetCache } = {}): Promise<EvalContext> {
  const started = performance.now();
  const evalSet = await resolveEvalSet(config.eval, { cacheDir: config.cacheDir, progress, fetch: { allowedHosts: config.allowedHosts ?? [] }, ...options });
  const notes: string[] = [];
  const noting: Progress = {
    start: (phase, total) => progress.start(phase, total),
    tick: (done) => progress.tick(done),
    end: () => progress.end(),
    info: (message) => progress.info(message),
    warn: (message) => {
      notes.push(message);
      progress.warn(message);
    },
  };
  const samples = await taskFor(config.task).readSamples(evalSet.root, config, noting);
  progress.info(`eval set: ${samples.length.toLocaleString('en-US')} images from ${evalSet.source}${evalSet.fromCache ? ' (cached)' : ''}`);
  return { evalSet, samples, preparedMs: performance.now() - started, notes };
}

/** Facts about the machine a run measured on, for reports and history. */
export { runEnvironment } from './environment.js';
