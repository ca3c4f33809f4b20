/**
 * The content-addressed cache of verified eval sets: <cacheDir>/evalsets/<sha256>/, with the
 * sha256 of each of its files in <sha256>.files.json beside it (integrity.ts).
 * A set is built in a private ".partial-*" folder next to it and committed by one rename, so a
 * folder named by a hash is always complete, and two concurrent runs cannot corrupt each other
 * (the second rename fails, and the loser uses the winner's identical copy).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeManifest } from './integrity.js';

const PARTIAL_PREFIX = '.partial-';
/** Leftovers of a crashed run on another machine (a shared cache); old enough that no live run can still be using them. */
const STALE_PARTIAL_MS = 24 * 60 * 60 * 1000;
/** .partial-<sha12>-<pid>-<random>@<host>: who is building it, so a SIGKILLed builder's leftovers go at once. */
const PARTIAL_NAME = /^\.partial-[0-9a-f]{12}-(\d+)-[0-9a-f]{8}@(.*)$/;

function thisHost(): string {
  return hostname().replace(/[^A-Za-z0-9.-]/g, '_');
}

export function partialName(sha256: string, pid: number): string {
  return `${PARTIAL_PREFIX}${sha256.slice(0, 12)}-${pid}-${randomBytes(4).toString('hex')}@${thisHost()}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

export function evalsetsDir(cacheDir: string): string {
  return join(cacheDir, 'evalsets');
}

export async function findCached(cacheDir: string, sha256: string): Promise<string | null> {
  const folder = join(evalsetsDir(cacheDir), sha256);
  try {
    return (await stat(folder)).isDirectory() ? folder : null;
  } catch {
    return null;
  }
}

/**
 * Where an archive's contents start: inside its single top-level folder if it has one
 * (a tarball of a folder), else the extraction folder itself. Hidden entries such as
 * .DS_Store beside that folder do not count.
 */
export async function evalSetRoot(folder: string): Promise<string> {
  const visible = (await readdir(folder, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
  return visible.length === 1 && visible[0].isDirectory() ? join(folder, visible[0].name) : folder;
}

/**
 * Removes what killed runs left half-built: at once when the builder was a process of this machine
 * that no longer runs, after 24 h otherwise (another machine's, or an older name). Called at the
 * start of every run that uses the cache, warm or cold.
 */
export async function removeStalePartials(cacheDir: string): Promise<string[]> {
  const parent = evalsetsDir(cacheDir);
  const names = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  await Promise.all(
    names
      .filter((name) => name.startsWith(PARTIAL_PREFIX))
      .map(async (name) => {
        const path = join(parent, name);
        const owner = PARTIAL_NAME.exec(name);
        const info = await stat(path).catch(() => null);
        if (!info) return;
        const abandoned = owner !== null && owner[2] === thisHost() && Number(owner[1]) !== process.pid && !isAlive(Number(owner[1]));
        if (abandoned || Date.now() - info.mtimeMs > STALE_PARTIAL_MS) {
          await rm(path, { recursive: true, force: true });
          removed.push(name);
        }
      }),
  );
  return removed.sort();
}

export interface Staging {
  /** Where the archive is downloaded or copied to. */
  readonly archive: string;
  /** The (empty, existing) folder to extract into; it becomes the cache entry. */
  readonly tree: string;
}

/**
 * Runs `build` in a private staging folder and commits its `tree` as the cache entry for
 * `sha256`. The staging folder is removed whatever happens, so a failure caches nothing.
 */
export async function buildIntoCache(cacheDir: string, sha256: string, build: (staging: Staging) => Promise<ReadonlyMap<string, string>>): Promise<string> {
  const parent = evalsetsDir(cacheDir);
  try {
    return await buildIn(parent, sha256, build);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST'].includes(code)) {
      throw new UserError(`Cannot write the eval-set cache in ${parent} (${code}: ${(error as Error).message}). Free space or point the cache directory elsewhere.`, { cause: error });
    }
    throw error;
  }
}

/** `build` returns the sha256 of every file it extracted, by its path in the tree. */
async function buildIn(parent: string, sha256: string, build: (staging: Staging) => Promise<ReadonlyMap<string, string>>): Promise<string> {
  await mkdir(parent, { recursive: true });
  const stagingDir = join(parent, partialName(sha256, process.pid));
  const staging: Staging = { archive: join(stagingDir, 'archive'), tree: join(stagingDir, 'tree') };
  const final = join(parent, sha256);
  try {
    await mkdir(staging.tree, { recursive: true });
    const hashes = await build(staging);
    await writeManifest(final, staging.tree, hashes);
    try {
      await rename(staging.tree, final);
    } catch (error) {
      // Another run committed the same hash first; its contents are the same verified bytes.
      if (
        !(await stat(final).then(
          (info) => info.isDirectory(),
          () => false,
        ))
      )
        throw error;
    }
    return final;
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}
