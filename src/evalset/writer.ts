/**
 * The write pass of an extraction: creates the planned folders and files, checking each
 * entry against the plan again. Small files are written several at a time, because an eval
 * set is typically tens of thousands of small images and one-at-a-time writes spend most of
 * their time waiting on open/close round trips.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Progress } from '../progress.js';
import { checkEntry, type ArchiveEntry, type PlannedEntry } from './plan.js';

const MAX_PARALLEL_WRITES = 16;
/** Files up to this size are buffered and written in parallel; larger ones are streamed. */
const BUFFERED_FILE_BYTES = 1024 * 1024;

/**
 * 'now': the content is a stream position that must be consumed before the next entry (tar).
 * 'deferrable': the content can be produced at any time (zip), so the whole job can run in parallel.
 */
export type ContentTiming = 'now' | 'deferrable';

export class Writer {
  private readonly createdFolders = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<void>>();
  private firstError: unknown = null;
  private filesWritten = 0;
  private index = 0;
  /** The sha256 of every file written, by its path in the archive: the cache re-checks them as they are read (cache.ts). */
  readonly sha256 = new Map<string, string>();

  constructor(
    private readonly destination: string,
    private readonly plan: readonly PlannedEntry[],
    private readonly archiveLabel: string,
    private readonly progress: Progress,
  ) {}

  /** The entry must be the next one the plan validated, unchanged. */
  private expect(entry: ArchiveEntry): PlannedEntry | null {
    const checked = checkEntry(entry, this.archiveLabel);
    if (checked === null) return null;
    const planned = this.plan[this.index++];
    if (!planned || planned.path !== checked.path || planned.kind !== checked.kind || planned.size !== checked.size) {
      throw new UserError(`Refusing to extract ${this.archiveLabel}: it changed while being extracted (at entry "${entry.name}").`);
    }
    return planned;
  }

  private ensureFolder(path: string): Promise<unknown> {
    let created = this.createdFolders.get(path);
    if (!created) {
      created = mkdir(path, { recursive: true, mode: 0o755 });
      this.createdFolders.set(path, created);
    }
    return created;
  }

  private fileDone(): void {
    this.filesWritten += 1;
    if (this.filesWritten % 200 === 0) this.progress.tick(this.filesWritten);
  }

  private async run(job: () => Promise<void>): Promise<void> {
    const tracked: Promise<void> = job()
      .then(
        () => this.fileDone(),
        (error: unknown) => void (this.firstError ??= error),
      )
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    if (this.inFlight.size >= MAX_PARALLEL_WRITES) await Promise.race(this.inFlight);
    if (this.firstError !== null) throw this.firstError;
  }

  async write(entry: ArchiveEntry, content: () => AsyncIterable<Buffer>, timing: ContentTiming): Promise<void> {
    if (this.firstError !== null) throw this.firstError;
    const planned = this.expect(entry);
    if (planned === null) return;
    const target = join(this.destination, ...planned.path.split('/'));
    if (planned.kind === 'directory') {
      await this.ensureFolder(target);
      return;
    }
    await this.ensureFolder(dirname(target));
    const path = planned.path;
    if (timing === 'deferrable') return this.run(async () => void this.sha256.set(path, await streamToNewFile(target, content())));
    if (planned.size <= BUFFERED_FILE_BYTES) {
      const chunks: Buffer[] = [];
      for await (const chunk of content()) chunks.push(chunk);
      const data = Buffer.concat(chunks);
      this.sha256.set(path, createHash('sha256').update(data).digest('hex'));
      // 'wx': never follow or overwrite anything that is already there.
      return this.run(() => writeFile(target, data, { flag: 'wx', mode: 0o644 }));
    }
    this.sha256.set(path, await streamToNewFile(target, content()));
    this.fileDone();
  }

  /** Waits for every write in flight; call before touching the destination after an error. */
  async settle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  /** After settle(): the number of files written, or the first write error. */
  finish(): number {
    if (this.firstError !== null) throw this.firstError;
    if (this.index !== this.plan.length) {
      throw new UserError(`Refusing to extract ${this.archiveLabel}: it changed while being extracted (entries missing).`);
    }
    return this.filesWritten;
  }
}

/** Writes the content to a new file and returns its sha256. */
async function streamToNewFile(target: string, content: AsyncIterable<Buffer>): Promise<string> {
  const file = await open(target, 'wx', 0o644);
  const hash = createHash('sha256');
  try {
    for await (const chunk of content) {
      hash.update(chunk);
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}
