/**
 * resolveEvalSet's use of a remote archive cache (the Actions cache in the Action): restore
 * before downloading, re-hash what was restored, and offer a freshly verified archive back.
 * Nothing here can fail a run: every cache problem is a warning and a download.
 */
import { copyFile, constants, link, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256File } from '../download/sha256.js';
import type { Progress } from '../progress.js';
import type { EvalSetCache } from './actions-cache.js';

/**
 * Where archives pass through on their way to and from the remote cache. The Actions cache
 * keys entries by their path strings, so this must not change between runs: it is named only
 * by the cache folder and the hash.
 */
export function remoteArchivePath(cacheDir: string, sha256: string): string {
  return join(cacheDir, 'evalset-archives', `${sha256}.archive`);
}

/**
 * Restores the archive into `archivePath` and checks its sha256. A mismatch (a poisoned or
 * damaged entry) is discarded with a warning. true only for verified bytes.
 */
export async function restoreVerified(remote: EvalSetCache, cacheDir: string, sha256: string, archivePath: string, progress: Progress): Promise<boolean> {
  const transit = remoteArchivePath(cacheDir, sha256);
  try {
    await rm(transit, { force: true });
    if (!(await remote.restore(sha256, transit))) return false;
    // A move, not a copy: the bytes checked are the bytes extracted, and nothing is left behind.
    await rename(transit, archivePath);
  } catch (error) {
    progress.warn(`The eval-set cache could not be used (${(error as Error).message}); downloading instead.`);
    await rm(transit, { force: true }).catch(() => {});
    return false;
  }
  const actual = await sha256File(archivePath);
  if (actual === sha256) return true;
  await rm(archivePath, { force: true });
  progress.warn(`The eval set restored from the cache has sha256 ${actual}, not the pinned ${sha256}; discarded it and downloading again.`);
  return false;
}

/** Offers a verified, successfully extracted archive to the remote cache (which decides whether to keep it). */
export async function saveVerified(remote: EvalSetCache, cacheDir: string, sha256: string, archivePath: string, progress: Progress): Promise<void> {
  const transit = remoteArchivePath(cacheDir, sha256);
  try {
    await mkdir(dirname(transit), { recursive: true });
    try {
      // A hard link costs no space or time; both paths are under the cache folder.
      await link(archivePath, transit);
    } catch (error) {
      // Another run is saving the same archive right now: let it.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
      await copyFile(archivePath, transit, constants.COPYFILE_EXCL);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      progress.warn(`Could not prepare the eval set for the cache (${(error as Error).message}); not saved.`);
    }
    return;
  }
  try {
    await remote.save(sha256, transit);
  } catch (error) {
    progress.warn(`Could not save the eval set to the cache (${(error as Error).message}).`);
  } finally {
    await rm(transit, { force: true });
  }
}
