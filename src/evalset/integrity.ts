/**
 * Keeping a cached eval set the set that was verified. The archive's sha256 is checked once, when
 * the cache entry is built; after that the entry is a folder anyone with access to the runner can
 * change. So the sha256 of every file is recorded as it is extracted (writer.ts), and checked:
 * - the list of files and their sizes, on every cache hit (a walk of the folder, no reads): a file
 *   moved to another class folder, added or deleted;
 * - the bytes of each image, by the decode as it reads them anyway (preprocess/decode-file.ts);
 * - every other file (labels, annotations), once its samples are read (engine/context.ts).
 * On a mismatch the entry is evicted and rebuilt from the archive, which is verified again (or
 * the run fails if the archive can no longer be had).
 */
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UserError } from '../errors.js';

/** A file of a cache entry whose bytes are not the ones extracted from the verified archive. */
export class CachedFileChangedError extends UserError {
  constructor(readonly file: string) {
    super(`${file} is not the file extracted from the verified eval-set archive (its sha256 changed).`);
    this.name = 'CachedFileChangedError';
  }
}

/** What the decode checks (expected sha256 by absolute path), and the way back to a verified entry when a file changed (engine/evaluate.ts). */
export interface FileIntegrity {
  readonly expected: ReadonlyMap<string, string>;
  /** Evicts the cache entry and builds it again from the archive (verified again); throws if it cannot. */
  rebuild(): Promise<void>;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws CachedFileChangedError when `bytes` (read from `file`) are not what `expected` records. */
export function checkFileBytes(file: string, bytes: Uint8Array, expected: string | null | undefined): void {
  if (expected && sha256Hex(bytes) !== expected) throw new CachedFileChangedError(file);
}

interface FileRecord {
  readonly sha256: string;
  readonly size: number;
}
const MANIFEST_VERSION = 1;

/** Beside the entry folder (not in it, where it would be one of the eval set's files). */
export function manifestPath(entryFolder: string): string {
  return `${entryFolder}.files.json`;
}

/** Written before the entry folder is renamed into place, so a committed entry always has one. */
export async function writeManifest(entryFolder: string, treeFolder: string, sha256: ReadonlyMap<string, string>): Promise<void> {
  const files: Record<string, FileRecord> = {};
  for (const [path, hash] of [...sha256].sort(([a], [b]) => (a < b ? -1 : 1))) {
    files[path] = { sha256: hash, size: (await stat(join(treeFolder, ...path.split('/')))).size };
  }
  const target = manifestPath(entryFolder);
  const temporary = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, JSON.stringify({ version: MANIFEST_VERSION, files }));
  await rename(temporary, target);
}

/** The manifest first: an entry folder without one is never trusted (findVerified). */
export async function evictEntry(entryFolder: string): Promise<void> {
  await rm(manifestPath(entryFolder), { force: true });
  await rm(entryFolder, { recursive: true, force: true });
}

async function readManifest(entryFolder: string): Promise<Map<string, FileRecord> | null> {
  try {
    const parsed = JSON.parse(await readFile(manifestPath(entryFolder), 'utf8')) as { version?: unknown; files?: Record<string, FileRecord> };
    if (parsed.version !== MANIFEST_VERSION || typeof parsed.files !== 'object' || parsed.files === null) return null;
    return new Map(Object.entries(parsed.files));
  } catch {
    return null;
  }
}

export type EntryCheck = { readonly ok: true; readonly expected: ReadonlyMap<string, string> } | { readonly ok: false; readonly problem: string };

/** Compares the entry's files (names, kinds and sizes) with its manifest; reads no file's content. */
export async function checkEntryListing(entryFolder: string): Promise<EntryCheck> {
  const manifest = await readManifest(entryFolder);
  if (manifest === null) return { ok: false, problem: 'it has no record of its files (built by an older model-gate, or interrupted)' };
  const entries = await readdir(entryFolder, { withFileTypes: true, recursive: true });
  const expected = new Map<string, string>();
  // path.relative once per folder, not per file: it resolves both paths against the cwd each call.
  const folderPaths = new Map<string, string>();
  const folderPath = (folder: string) => {
    let path = folderPaths.get(folder);
    if (path === undefined) folderPaths.set(folder, (path = relative(entryFolder, folder).split(sep).join('/')));
    return path;
  };
  let found = 0;
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const folder = entry.parentPath ?? (entry as unknown as { path: string }).path;
    const absolute = join(folder, entry.name);
    const prefix = folderPath(folder);
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const record = manifest.get(path);
    if (!record) return { ok: false, problem: `${path} was not in the archive` };
    if (!entry.isFile()) return { ok: false, problem: `${path} is no longer a regular file` };
    // Synchronous on purpose: nothing else runs yet, and 10,000 awaited stats take 0.6 s, these 50 ms.
    const size = statSync(absolute).size;
    if (size !== record.size) return { ok: false, problem: `${path} is ${size} bytes, not ${record.size}` };
    expected.set(absolute, record.sha256);
    found += 1;
  }
  if (found !== manifest.size) {
    const missing = [...manifest.keys()].find((path) => !expected.has(join(entryFolder, ...path.split('/'))));
    return { ok: false, problem: `${missing} is missing` };
  }
  return { ok: true, expected };
}

/** Hashes the files `expected` lists that are not in `decoded` (read by the decode, which checks them itself). */
export async function changedUndecodedFile(expected: ReadonlyMap<string, string>, decoded: ReadonlySet<string>): Promise<string | null> {
  for (const [file, sha256] of expected) {
    if (decoded.has(file)) continue;
    if (sha256Hex(await readFile(file)) !== sha256) return file;
  }
  return null;
}
