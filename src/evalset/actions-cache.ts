/**
 * The eval set's archive in the GitHub Actions cache, so ephemeral runners do not download it
 * on every run. The cache is only a hint: resolveEvalSet re-hashes whatever it restores, saving
 * is allowed only where the caller allows it (default-branch pushes and scheduled runs, never PRs,
 * whose caches could be poisoned), and a cache service that is missing or failing is a warning.
 */
import * as actionsCache from '@actions/cache';
import type { Progress } from '../progress.js';

/** A store of verified eval-set archives, keyed by their sha256. */
export interface EvalSetCache {
  /** true when the archive was restored to `archivePath` (its bytes still to be verified). */
  restore(sha256: string, archivePath: string): Promise<boolean>;
  /** Stores the verified archive at `archivePath`; never throws. */
  save(sha256: string, archivePath: string): Promise<void>;
}

/** The part of @actions/cache used here. */
export interface ActionsCacheApi {
  restoreCache(paths: string[], primaryKey: string): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
  isFeatureAvailable(): boolean;
}

export function evalSetCacheKey(sha256: string): string {
  return `model-gate-evalset-${sha256}`;
}

/**
 * Note for callers: @actions/cache versions an entry by the exact path strings it was saved
 * with and stores them relative to GITHUB_WORKSPACE, so `archivePath` must be the same string
 * on every run (e.g. under RUNNER_TEMP, named by the sha256) for a restore to hit.
 */
export function actionsEvalSetCache(opts: { allowSave: boolean; log: Pick<Progress, 'info' | 'warn'> }, cacheApi: ActionsCacheApi = actionsCache): EvalSetCache {
  const { log } = opts;
  let warnedUnavailable = false;
  const available = (): boolean => {
    let ok: boolean;
    try {
      ok = cacheApi.isFeatureAvailable();
    } catch {
      ok = false;
    }
    if (!ok && !warnedUnavailable) {
      warnedUnavailable = true;
      log.warn('The GitHub Actions cache service is not available on this runner; the eval set is downloaded without it.');
    }
    return ok;
  };

  return {
    async restore(sha256, archivePath) {
      if (!available()) return false;
      const key = evalSetCacheKey(sha256);
      try {
        // Exact key only: a restore key would match another eval set's archive.
        const hit = await cacheApi.restoreCache([archivePath], key);
        if (hit === key) log.info(`Eval set ${sha256.slice(0, 12)} restored from the Actions cache; verifying it.`);
        return hit === key;
      } catch (error) {
        log.warn(`Could not restore the eval set from the Actions cache (${(error as Error).message}); downloading it instead.`);
        return false;
      }
    },
    async save(sha256, archivePath) {
      if (!opts.allowSave) return;
      if (!available()) return;
      try {
        const id = await cacheApi.saveCache([archivePath], evalSetCacheKey(sha256));
        if (id !== -1) log.info(`Eval set ${sha256.slice(0, 12)} saved to the Actions cache.`);
      } catch (error) {
        log.warn(`Could not save the eval set to the Actions cache (${(error as Error).message}); later runs will download it again.`);
      }
    },
  };
}
