/**
 * The eval-set stage: turns eval.source (a folder, a local archive or a URL) into a folder of
 * files on disk. Archives and URLs are pinned by eval.sha256: a mismatch is a hard error, and
 * only verified sets are extracted (safely) into the content-addressed cache.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { EvalConfig } from '../config/types.js';
import { checkUrl, DEFAULT_FETCH_OPTIONS, displayUrl, downloadWithRetry, type FetchOptions } from '../download/http.js';
import { sha256File } from '../download/sha256.js';
import { UserError } from '../errors.js';
import type { Progress } from '../progress.js';
import type { EvalSetCache } from './actions-cache.js';
import { buildIntoCache, evalSetRoot, findCached, removeStalePartials } from './cache.js';
import { extractArchive, type FreeSpace } from './extract.js';
import { checkEntryListing, evictEntry } from './integrity.js';
import { restoreVerified, saveVerified } from './remote.js';

export interface ResolvedEvalSet {
  /** The folder the eval set's files are in. */
  root: string;
  /** What was resolved, for the report (URLs without their query string). */
  source: string;
  /** The verified sha256 of the archive; null for a folder used in place. */
  sha256: string | null;
  fromCache: boolean;
  /**
   * The sha256 of every file of the cache entry, by absolute path, as extracted from the verified
   * archive (integrity.ts); null for a folder used in place.
   */
  expectedSha256: ReadonlyMap<string, string> | null;
  /** The cache entry the files are in (to evict it when one of them changed); null for a folder used in place. */
  cacheEntry: string | null;
}

function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}

function requiredSha256(evalCfg: EvalConfig, what: string): string {
  if (evalCfg.sha256 === null || evalCfg.sha256.trim() === '') {
    throw new UserError(`eval.sha256 is required when eval.source is ${what}, so every run scores the same bytes. Run \`sha256sum\` on the archive and put the hash in eval.sha256.`);
  }
  const sha256 = evalCfg.sha256.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new UserError(`eval.sha256 must be 64 hexadecimal characters; got "${evalCfg.sha256}".`);
  }
  return sha256;
}

/** `actual` only for a local file: what a URL answered is not shown (it may be a page of a private network). */
function mismatch(label: string, expected: string, actual: string | null): UserError {
  return new UserError(
    `eval.sha256 does not match ${label}: expected ${expected}${actual ? `, got ${actual}` : ''}. Nothing was extracted or cached. ` +
      `If the eval set was updated on purpose, put the new hash in eval.sha256; otherwise ${actual ? 'the file' : 'the download'} is damaged or not the one you pinned.`,
  );
}

async function fromCacheOrBuild(
  cacheDir: string,
  sha256: string,
  source: string,
  progress: Progress,
  fetchArchive: (archivePath: string) => Promise<void>,
  label: string,
  /** Runs once the archive is verified and extracted, before its staging copy is removed. */
  afterExtract?: (archivePath: string) => Promise<void>,
  freeSpace?: (dir: string) => Promise<FreeSpace>,
): Promise<ResolvedEvalSet> {
  const cached = await findCached(cacheDir, sha256);
  if (cached !== null) {
    const check = await checkEntryListing(cached);
    if (check.ok) {
      progress.info(`Eval set ${sha256.slice(0, 12)} found in the cache.`);
      return { root: await evalSetRoot(cached), source, sha256, fromCache: true, expectedSha256: check.expected, cacheEntry: cached };
    }
    progress.warn(`The cached eval set ${cached} is not the one extracted from the verified archive (${check.problem}): it was removed and extracted again from ${label}.`);
    await evictEntry(cached);
  }
  let extracted: ReadonlyMap<string, string> = new Map();
  const folder = await buildIntoCache(cacheDir, sha256, async (staging) => {
    await fetchArchive(staging.archive);
    const summary = await extractArchive(staging.archive, label, staging.tree, { progress, ...(freeSpace ? { freeSpace } : {}) });
    progress.info(`Extracted ${summary.files} files from ${label}.`);
    await afterExtract?.(staging.archive);
    return (extracted = summary.sha256);
  });
  const expected = new Map([...extracted].map(([path, hash]) => [join(folder, ...path.split('/')), hash]));
  return { root: await evalSetRoot(folder), source, sha256, fromCache: false, expectedSha256: expected, cacheEntry: folder };
}

export async function resolveEvalSet(
  evalCfg: EvalConfig,
  opts: {
    cacheDir: string;
    progress: Progress;
    fetch?: Partial<FetchOptions>;
    /** Tried before downloading a URL source (its bytes re-hashed), and offered each freshly downloaded archive. */
    remoteCache?: EvalSetCache;
    /** The free space of the cache's disk; default statfs (a test hands in a small disk). */
    freeSpace?: (dir: string) => Promise<FreeSpace>;
  },
): Promise<ResolvedEvalSet> {
  const { progress } = opts;
  const cacheDir = resolve(opts.cacheDir);
  const source = evalCfg.source;
  const removed = await removeStalePartials(cacheDir);
  if (removed.length > 0) progress.info(`Removed ${removed.length} half-built eval set${removed.length === 1 ? '' : 's'} left by a stopped run: ${removed.join(', ')}.`);

  if (isUrl(source)) {
    const label = displayUrl(source);
    const sha256 = requiredSha256(evalCfg, 'a URL');
    const fetchOptions: FetchOptions = { ...DEFAULT_FETCH_OPTIONS, ...opts.fetch };
    // Before the cache: a URL the policy refuses (plain http to an unlisted host) is refused even
    // when its bytes are cached, so a config is judged the same on a warm and a cold runner.
    checkUrl(source, 'eval.source', fetchOptions);
    const remote = opts.remoteCache;
    let downloaded = false;
    return fromCacheOrBuild(
      cacheDir,
      sha256,
      label,
      progress,
      async (archivePath) => {
        if (remote && (await restoreVerified(remote, cacheDir, sha256, archivePath, progress))) return;
        progress.info(`Downloading ${label}`);
        const actual = await downloadWithRetry(source, archivePath, 'eval.source', fetchOptions, progress);
        if (actual !== sha256) throw mismatch(label, sha256, null);
        downloaded = true;
      },
      label,
      async (archivePath) => {
        if (remote && downloaded) await saveVerified(remote, cacheDir, sha256, archivePath, progress);
      },
      opts.freeSpace,
    );
  }

  const path = resolve(source);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    const written = evalCfg.written;
    if (error.code === 'ENOENT' && written) {
      const how = isAbsolute(written.text) ? '' : ` (a relative path is resolved against ${written.base}, which gives ${path})`;
      throw new UserError(`${written.key}: '${written.text}' not found${how}.`);
    }
    throw new UserError(`eval.source: cannot read ${path} (${error.code === 'ENOENT' ? 'no such file or folder' : error.message}).`);
  });
  if (info.isDirectory()) {
    if (evalCfg.sha256 !== null) {
      progress.warn(`eval.sha256 is ignored: eval.source ${path} is a folder, which is used as it is. Pin an archive to have it verified.`);
    }
    return { root: path, source: path, sha256: null, fromCache: false, expectedSha256: null, cacheEntry: null };
  }
  if (!info.isFile()) throw new UserError(`eval.source: ${path} is neither a folder nor an archive file.`);

  const sha256 = requiredSha256(evalCfg, 'an archive');
  progress.start('verify', info.size);
  const actual = await sha256File(path, { progress });
  progress.end();
  if (actual !== sha256) throw mismatch(path, sha256, actual);
  return fromCacheOrBuild(
    cacheDir,
    sha256,
    path,
    progress,
    async (archivePath) => {
      // Extract from a private copy (hashed again as it is copied) so the file cannot change
      // between the check and the extraction.
      const copied = await sha256File(path, { copyTo: archivePath });
      if (copied !== sha256) throw mismatch(path, sha256, copied);
    },
    path,
    undefined,
    opts.freeSpace,
  );
}
