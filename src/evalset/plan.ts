/**
 * The safety gate between an archive and the disk. Every entry of an archive is added to an
 * ExtractionPlan *before* anything is written; the plan rejects paths that could escape the
 * destination, entry kinds that are not plain files or folders, and archives over the caps.
 * The write pass then re-checks each entry against the plan, so a file that changes between
 * the two passes cannot smuggle in something that was not validated.
 */
import { UserError } from '../errors.js';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'character-device' | 'block-device' | 'fifo' | 'socket' | 'unsupported';

/** One archive member as the readers report it, before any validation. */
export interface ArchiveEntry {
  readonly name: string;
  readonly kind: EntryKind;
  /** Uncompressed size in bytes (0 for folders). */
  readonly size: number;
}

export interface ExtractionLimits {
  readonly maxEntries: number;
  readonly maxTotalBytes: number;
}

export const DEFAULT_LIMITS: ExtractionLimits = {
  maxEntries: 1_000_000,
  maxTotalBytes: 20 * 1024 ** 3,
};

export interface PlannedEntry {
  /** Safe, normalised, '/'-joined path relative to the destination; '' is the destination itself. */
  readonly path: string;
  readonly kind: 'file' | 'directory';
  readonly size: number;
}

const KIND_REFUSAL: Record<Exclude<EntryKind, 'file' | 'directory'>, string> = {
  symlink: 'is a symbolic link',
  hardlink: 'is a hard link',
  'character-device': 'is a character device',
  'block-device': 'is a block device',
  fifo: 'is a FIFO',
  socket: 'is a socket',
  unsupported: 'has an entry type model-gate does not extract',
};

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * Turns an archive member name into safe path segments, or explains why it is unsafe.
 * Empty and '.' segments are dropped ("./a//b" is "a/b"); '' means the archive root itself.
 */
export function normaliseEntryPath(name: string): { segments: string[] } | { problem: string } {
  if (name.length === 0) return { problem: 'has an empty name' };
  // A backslash is a separator on Windows: "a\..\..\x" would escape there, so refuse it anywhere.
  if (name.includes('\\')) return { problem: 'contains a backslash' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { problem: 'contains a control character' };
  if (name.startsWith('/')) return { problem: 'is an absolute path' };
  if (/^[A-Za-z]:/.test(name)) return { problem: 'starts with a Windows drive letter' };
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return { problem: "contains a '..' segment" };
  return { segments };
}

export class ExtractionPlan {
  private readonly entries: PlannedEntry[] = [];
  /** Lower-cased, NFC paths: two names that collide on macOS/Windows must not both be kept. */
  private readonly kindByFoldedPath = new Map<string, { path: string; kind: 'file' | 'directory' }>();
  private seen = 0;
  private totalBytes = 0;

  constructor(
    private readonly archiveLabel: string,
    private readonly limits: ExtractionLimits,
  ) {}

  get planned(): readonly PlannedEntry[] {
    return this.entries;
  }

  get plannedBytes(): number {
    return this.totalBytes;
  }

  /** Validates one entry; returns the planned entry, or null for the root folder itself. */
  add(entry: ArchiveEntry): PlannedEntry | null {
    this.seen += 1;
    if (this.seen > this.limits.maxEntries) {
      throw this.refuse(`has more than ${this.limits.maxEntries} entries (the limit)`);
    }
    const checked = checkEntry(entry, this.archiveLabel);
    if (checked === null) return null;
    this.totalBytes += checked.size;
    if (this.totalBytes > this.limits.maxTotalBytes) {
      throw this.refuse(`unpacks to more than ${formatBytes(this.limits.maxTotalBytes)} (the limit), passed at entry "${entry.name}"`);
    }
    const segments = checked.path.split('/');
    for (let depth = 1; depth < segments.length; depth++) {
      this.claim(segments.slice(0, depth).join('/'), 'directory', entry.name);
    }
    this.claim(checked.path, checked.kind, entry.name);
    this.entries.push(checked);
    return checked;
  }

  private claim(path: string, kind: 'file' | 'directory', entryName: string): void {
    const folded = path.normalize('NFC').toLowerCase();
    const previous = this.kindByFoldedPath.get(folded);
    if (previous === undefined) {
      this.kindByFoldedPath.set(folded, { path, kind });
      return;
    }
    if (previous.kind === 'directory' && kind === 'directory' && previous.path === path) return;
    if (previous.path !== path) {
      throw this.refuse(`has entry "${entryName}" whose path "${path}" differs from "${previous.path}" only in letter case or Unicode form; they would collide on macOS and Windows`);
    }
    const what = previous.kind === 'file' && kind === 'file' ? 'appears twice' : 'is both a file and a folder';
    throw this.refuse(`has entry "${entryName}": the path "${path}" ${what}`);
  }

  private refuse(reason: string): UserError {
    return new UserError(`Refusing to extract ${this.archiveLabel}: it ${reason}.`);
  }
}

/** The stateless part of the checks, shared by the plan and the write pass. */
export function checkEntry(entry: ArchiveEntry, archiveLabel: string): PlannedEntry | null {
  const refuse = (reason: string) => new UserError(`Refusing to extract ${archiveLabel}: entry "${entry.name}" ${reason}.`);
  if (entry.kind !== 'file' && entry.kind !== 'directory') throw refuse(KIND_REFUSAL[entry.kind]);
  const normalised = normaliseEntryPath(entry.name);
  if ('problem' in normalised) throw refuse(normalised.problem);
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw refuse(`has an invalid size (${entry.size})`);
  const path = normalised.segments.join('/');
  if (path === '') {
    if (entry.kind === 'file') throw refuse('is a file with no name');
    return null;
  }
  return { path, kind: entry.kind, size: entry.kind === 'directory' ? 0 : entry.size };
}
