/**
 * The eval set of a run, read once and decoded once per distinct preprocessing: every model a run
 * evaluates (several in one PR, their int8 variants, every model of a nightly run) scores the
 * same decoded pixels.
 */
import type { Config } from '../config/types.js';
import type { EvalSample } from '../contracts/task.js';
import type { EvalSetCache } from '../evalset/actions-cache.js';
import { resolveEvalSet, type ResolvedEvalSet } from '../evalset/index.js';
import type { DecodedImages } from '../preprocess/index.js';
import type { Progress } from '../progress.js';
import { taskFor } from '../tasks/index.js';

export interface EvalContext {
  readonly evalSet: ResolvedEvalSet;
  readonly samples: readonly EvalSample<unknown>[];
  /** Decoded pixels by decodeSpecKey; filled on first use. */
  readonly decoded: Map<string, Promise<DecodedImages>>;
}

export async function prepareEval(config: Config, progress: Progress, options: { remoteCache?: EvalSetCache } = {}): Promise<EvalContext> {
  const evalSet = await resolveEvalSet(config.eval, { cacheDir: config.cacheDir, progress, ...options });
  const samples = await taskFor(config.task).readSamples(evalSet.root, config, progress);
  progress.info(`eval set: ${samples.length.toLocaleString('en-US')} images from ${evalSet.source}${evalSet.fromCache ? ' (cached)' : ''}`);
  return { evalSet, samples, decoded: new Map() };
}

/** Facts about the machine a run measured on, for reports and history. */
export { runEnvironment } from './environment.js';
