/**
 * A small zip reader: the central directory (with zip64) lists the entries, and each entry's
 * data is inflated from its local header with its declared size enforced while inflating and
 * its CRC-32 checked, so an entry that lies about its size cannot fill the disk.
 */
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { UserError } from '../errors.js';
import { crc32 } from './crc32.js';
import type { ArchiveEntry, EntryKind } from './plan.js';

export interface ZipEntry extends ArchiveEntry {
  readonly method: number;
  readonly compressedSize: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  readonly encrypted: boolean;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const MAX_CENTRAL_DIRECTORY_BYTES = 1024 ** 3;
/** Entries this small (both sizes) are read and inflated in one go; larger ones stream. */
const SMALL_ENTRY_BYTES = 1024 * 1024;

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function kindOf(name: string, versionMadeBy: number, externalAttributes: number): EntryKind {
  const host = versionMadeBy >> 8;
  const unixMode = (externalAttributes >>> 16) & 0o170000;
  if ((host === 3 || host === 19) && unixMode !== 0) {
    const byMode: Record<number, EntryKind> = {
      0o100000: 'file',
      0o040000: 'directory',
      0o120000: 'symlink',
      0o020000: 'character-device',
      0o060000: 'block-device',
      0o010000: 'fifo',
      0o140000: 'socket',
    };
    return byMode[unixMode] ?? 'unsupported';
  }
  return name.endsWith('/') || (externalAttributes & 0x10) !== 0 ? 'directory' : 'file';
}

/** Reads the central directory; refuses more than maxEntries before allocating anything for them. */
export async function readZipDirectory(file: FileHandle, archiveLabel: string, maxEntries: number): Promise<ZipEntry[]> {
  const invalid = (reason: string) => new UserError(`Cannot read ${archiveLabel}: ${reason}.`);
  const { size: fileSize } = await file.stat();
  const tailLength = Math.min(fileSize, 22 + 0xffff);
  const tail = await readAt(file, fileSize - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw invalid('it is not a zip archive (no end-of-central-directory record)');
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) throw invalid('multi-part zip archives are not supported');
  let entryCount = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  const eocdPosition = fileSize - tailLength + eocd;
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = await readAt(file, eocdPosition - 20, 20);
    if (locator.length < 20 || locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) throw invalid('a zip64 archive without its locator');
    const record = await readAt(file, Number(locator.readBigUInt64LE(8)), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw invalid('a damaged zip64 end record');
    entryCount = Number(record.readBigUInt64LE(32));
    directorySize = Number(record.readBigUInt64LE(40));
    directoryOffset = Number(record.readBigUInt64LE(48));
  }
  if (entryCount > maxEntries) {
    throw new UserError(`Refusing to extract ${archiveLabel}: it has more than ${maxEntries} entries (the limit).`);
  }
  if (directorySize > MAX_CENTRAL_DIRECTORY_BYTES || directoryOffset + directorySize > fileSize) {
    throw invalid('its central directory is damaged');
  }
  const directory = await readAt(file, directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < entryCount; index++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw invalid(`its central directory is damaged at entry ${index}`);
    }
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const name = directory.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    let compressedSize = directory.readUInt32LE(at + 20);
    let size = directory.readUInt32LE(at + 24);
    let localHeaderOffset = directory.readUInt32LE(at + 42);
    // zip64 extra field: only the fields that overflowed are present, in this order.
    const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length; e += 4 + extra.readUInt16LE(e + 2)) {
      if (extra.readUInt16LE(e) !== 0x0001) continue;
      let field = e + 4;
      const next = () => {
        const value = field + 8 <= extra.length ? Number(extra.readBigUInt64LE(field)) : NaN;
        field += 8;
        return value;
      };
      if (size === 0xffffffff) size = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
    }
    entries.push({
      name,
      kind: kindOf(name, directory.readUInt16LE(at + 4), directory.readUInt32LE(at + 38)),
      size,
      method: directory.readUInt16LE(at + 10),
      compressedSize,
      crc32: directory.readUInt32LE(at + 16),
      localHeaderOffset,
      encrypted: (flags & 0x1) !== 0,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Why an entry cannot be extracted regardless of its path, or null. */
export function zipEntryProblem(entry: ZipEntry): string | null {
  if (entry.encrypted) return 'is encrypted';
  if (entry.kind === 'file' && entry.method !== 0 && entry.method !== 8) {
    return `uses compression method ${entry.method} (only stored and deflate are supported)`;
  }
  return null;
}

/** The entry's bytes, inflated, with the declared size and CRC-32 enforced. */
export async function* zipEntryContent(file: FileHandle, path: string, entry: ZipEntry, archiveLabel: string): AsyncGenerator<Buffer> {
  const corrupt = (reason: string) => new UserError(`Refusing to extract ${archiveLabel}: entry "${entry.name}" ${reason}.`);
  const local = await readAt(file, entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw corrupt('has a damaged local header');
  const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (entry.compressedSize === 0 && entry.size === 0) return;
  let produced = 0;
  let crc = 0;
  const check = (chunk: Buffer) => {
    produced += chunk.length;
    if (produced > entry.size) throw corrupt(`declares ${entry.size} bytes but unpacks to more`);
    crc = crc32(chunk, crc);
  };
  if (entry.compressedSize <= SMALL_ENTRY_BYTES && entry.size <= SMALL_ENTRY_BYTES) {
    // One read and one synchronous inflate: most eval-set files are small images.
    const stored = await readAt(file, dataStart, entry.compressedSize);
    if (stored.length < entry.compressedSize) throw corrupt('is truncated');
    let data = stored;
    try {
      if (entry.method === 8) data = inflateRawSync(stored, { maxOutputLength: entry.size + 1 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw corrupt(`declares ${entry.size} bytes but unpacks to more`);
      throw corrupt(`cannot be inflated (${(error as Error).message})`);
    }
    check(data);
    yield data;
  } else {
    const raw = createReadStream(path, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
    const stream = entry.method === 0 ? raw : raw.pipe(createInflateRaw());
    raw.on('error', (error) => stream.destroy(error));
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        check(chunk);
        yield chunk;
      }
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw corrupt(`cannot be inflated (${(error as Error).message})`);
    } finally {
      raw.destroy();
      stream.destroy();
    }
  }
  if (produced !== entry.size) throw corrupt(`declares ${entry.size} bytes but unpacks to ${produced}`);
  if (crc >>> 0 !== entry.crc32) throw corrupt('fails its CRC-32 check (the archive is damaged)');
}
