/**
 * Unpacks a .tar, .tar.gz/.tgz or .zip archive in two passes: the first reads every entry
 * header into an ExtractionPlan (which refuses anything unsafe) and writes nothing; the
 * second writes regular files and folders only, each checked again against the plan.
 */
import { createReadStream } from 'node:fs';
import { open, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors.js';
import { silentProgress, type Progress } from '../progress.js';
import { DEFAULT_LIMITS, ExtractionPlan, formatBytes, type ArchiveEntry, type ExtractionLimits } from './plan.js';
import { walkTar } from './tar.js';
import { Writer } from './writer.js';
import { readZipDirectory, zipEntryContent, zipEntryProblem, type ZipEntry } from './zip.js';

export type ArchiveFormat = 'tar' | 'tar.gz' | 'zip';

export interface ExtractOptions {
  readonly limits?: Partial<ExtractionLimits>;
  readonly progress?: Progress;
  /** What the destination's file system has free; default statfs. A test hands in a small disk. */
  readonly freeSpace?: (dir: string) => Promise<FreeSpace>;
}

export interface FreeSpace {
  readonly bytes: number;
  /** Free inodes (files that can still be created); Infinity where the file system does not say. */
  readonly files: number;
}

/** Of the file system `dir` will be on: its nearest folder that exists (the writer creates the rest). */
async function statfsFree(dir: string): Promise<FreeSpace> {
  for (let at = dir; ; at = dirname(at)) {
    try {
      const info = await statfs(at);
      return { bytes: info.bavail * info.bsize, files: info.ffree > 0 ? info.ffree : Infinity };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw error;
    }
  }
}

/** A file takes at least one block on disk: an eval set of small images needs more than its byte count. */
const BLOCK_BYTES = 4096;

/**
 * The plan's limits (20 GiB, a million entries) are more than a hosted runner's free disk, so an
 * archive is also refused when it would not fit where it is extracted: before writing anything,
 * instead of filling the disk the runner (and the rest of the job) needs.
 */
async function checkFreeSpace(destination: string, plan: ExtractionPlan, archiveLabel: string, freeSpace: (dir: string) => Promise<FreeSpace>): Promise<void> {
  const files = plan.planned.length;
  const needed = plan.plannedBytes + files * BLOCK_BYTES;
  const free = await freeSpace(destination);
  const shortOf =
    needed > free.bytes
      ? `it needs about ${formatBytes(needed)} for ${files} entries, and ${destination} has ${formatBytes(free.bytes)} free`
      : files > free.files
        ? `it has ${files} entries, and the file system of ${destination} has room for ${free.files} more files`
        : null;
  if (shortOf) throw new UserError(`Not enough free disk space to extract ${archiveLabel}: ${shortOf}. Free space, or point the cache directory (MODEL_GATE_CACHE_DIR) at a larger disk.`);
}

export interface ExtractSummary {
  readonly files: number;
  readonly bytes: number;
  /** The sha256 of each file written, by its path relative to the destination ('/'-separated). */
  readonly sha256: ReadonlyMap<string, string>;
}

/** By content, not by name: a URL often has no extension and a file may be misnamed. */
export async function sniffArchiveFormat(path: string): Promise<ArchiveFormat> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
    if (bytesRead === 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
    if (bytesRead === 4 && head.readUInt32LE(0) === 0x06054b50) return 'zip'; // an empty zip
    return 'tar'; // the tar reader validates the first header's checksum and says so if not
  } finally {
    await file.close();
  }
}

function tarChunks(path: string, format: ArchiveFormat, archiveLabel: string): AsyncIterable<Buffer> {
  const raw = createReadStream(path);
  if (format === 'tar') return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  gunzip.on('close', () => raw.destroy());
  return (async function* () {
    try {
      for await (const chunk of raw.pipe(gunzip)) yield chunk as Buffer;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
        throw new UserError(`Cannot read ${archiveLabel}: its gzip data is damaged (${(error as Error).message}).`);
      }
      throw error;
    } finally {
      gunzip.destroy();
    }
  })();
}

/** macOS Finder adds AppleDouble metadata under __MACOSX/ to zips; it is never eval data. */
function isMacMetadata(entry: ArchiveEntry): boolean {
  return /^(\.\/)?__MACOSX(\/|$)/.test(entry.name);
}

/**
 * Extracts into `destination` (an existing, empty folder). On a UserError some files may have
 * been written by the second pass; the caller extracts into a private folder and removes it.
 */
export async function extractArchive(archivePath: string, archiveLabel: string, destination: string, options: ExtractOptions = {}): Promise<ExtractSummary> {
  const limits: ExtractionLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const progress = options.progress ?? silentProgress;
  const format = await sniffArchiveFormat(archivePath);
  const plan = new ExtractionPlan(archiveLabel, limits);

  if (format === 'zip') {
    const file = await open(archivePath, 'r');
    try {
      const entries = (await readZipDirectory(file, archiveLabel, limits.maxEntries)).filter((e) => !isMacMetadata(e));
      for (const entry of entries) {
        const problem = zipEntryProblem(entry);
        if (problem) throw new UserError(`Refusing to extract ${archiveLabel}: entry "${entry.name}" ${problem}.`);
        plan.add(entry);
      }
      await checkFreeSpace(destination, plan, archiveLabel, options.freeSpace ?? statfsFree);
      const writer = new Writer(destination, plan.planned, archiveLabel, progress);
      progress.start('extract', plan.planned.filter((p) => p.kind === 'file').length);
      try {
        for (const entry of entries) {
          await writer.write(entry, () => zipEntryContent(file, archivePath, entry as ZipEntry, archiveLabel), 'deferrable');
        }
      } finally {
        await writer.settle();
      }
      const files = writer.finish();
      progress.end();
      return { files, bytes: plan.plannedBytes, sha256: writer.sha256 };
    } finally {
      await file.close();
    }
  }

  await walkTar(tarChunks(archivePath, format, archiveLabel), archiveLabel, async (entry) => {
    if (!isMacMetadata(entry)) plan.add(entry);
  });
  await checkFreeSpace(destination, plan, archiveLabel, options.freeSpace ?? statfsFree);
  const writer = new Writer(destination, plan.planned, archiveLabel, progress);
  progress.start('extract', plan.planned.filter((p) => p.kind === 'file').length);
  try {
    await walkTar(tarChunks(archivePath, format, archiveLabel), archiveLabel, async (entry, content) => {
      if (!isMacMetadata(entry)) await writer.write(entry, () => content, 'now');
    });
  } finally {
    await writer.settle();
  }
  const files = writer.finish();
  progress.end();
  return { files, bytes: plan.plannedBytes, sha256: writer.sha256 };
}
