/**
 * The eval set of a run: verified, extracted and its samples read once. Every model the run
 * evaluates (several in one PR, their int8 variants, every model of a nightly run) is fed from one
 * stream of it (evaluate.ts), so each image is decoded once per distinct preprocessing.
 */
import type { Config } from '../config/types.js';
import type { EvalSample } from '../contracts/task.js';
import type { EvalSetCache } from '../evalset/actions-cache.js';
import { resolveEvalSet, type ResolvedEvalSet } from '../evalset/index.js';
import { changedUndecodedFile, evictEntry, type FileIntegrity } from '../evalset/integrity.js';
import type { Progress } from '../progress.js';
import { taskFor } from '../tasks/index.js';

export interface EvalContext {
  readonly evalSet: ResolvedEvalSet;
  readonly samples: readonly EvalSample<unknown>[];
  /** Wall time spent getting here (verify, extract, read the samples), for the report's timing. */
  readonly preparedMs: number;
  /** What reading the samples warned about (an empty class folder, files it ignored): the report repeats it. */
  readonly notes: readonly string[];
  /** For the decode pool: the cached files' sha256, checked as they are read, and how to rebuild the entry. */
  readonly integrity: FileIntegrity | null;
}

export async function prepareEval(config: Config, progress: Progress, options: { remoteCache?: EvalSetCache } = {}): Promise<EvalContext> {
  const started = performance.now();
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
  const resolveOptions = { cacheDir: config.cacheDir, progress: noting, fetch: { allowedHosts: config.allowedHosts ?? [] }, ...options };
  let evalSet = await resolveEvalSet(config.eval, resolveOptions);
  let samples = await taskFor(config.task).readSamples(evalSet.root, config, noting);
  // Labels and annotations are read here, not by the decode: their bytes are checked now.
  const changed = evalSet.fromCache && evalSet.expectedSha256 ? await changedUndecodedFile(evalSet.expectedSha256, new Set(samples.map((s) => s.file))) : null;
  if (changed !== null && evalSet.cacheEntry !== null) {
    await evictEntry(evalSet.cacheEntry);
    notes.length = 0; // the samples are read again, and say again what they say
    evalSet = await resolveEvalSet(config.eval, resolveOptions);
    noting.warn(`${changed} is not the file extracted from the verified eval-set archive: the cached eval set was removed and extracted again.`);
    samples = await taskFor(config.task).readSamples(evalSet.root, config, noting);
  }
  progress.info(`eval set: ${samples.length.toLocaleString('en-US')} images from ${evalSet.source}${evalSet.fromCache ? ' (cached)' : ''}`);
  const resolved = evalSet;
  const integrity: FileIntegrity | null =
    resolved.expectedSha256 && resolved.cacheEntry
      ? {
          expected: resolved.expectedSha256,
          // The rebuilt entry holds the verified archive's files at the same paths, so the samples stay as read.
          rebuild: async () => {
            noting.warn(
              'An image of the cached eval set was not the file extracted from the verified archive: the cache entry was removed and extracted again, and the evaluation started again.',
            );
            await evictEntry(resolved.cacheEntry as string);
            const again = await resolveEvalSet(config.eval, resolveOptions);
            if (again.root !== resolved.root) throw new Error(`the rebuilt eval set is at ${again.root}, not ${resolved.root}`);
          },
        }
      : null;
  return { evalSet, samples, preparedMs: performance.now() - started, notes, integrity };
}

/** Facts about the machine a run measured on, for reports and history. */
export { runEnvironment } from './environment.js';
