/**
 * A small streaming tar reader: ustar, GNU long names ('L'/'K') and pax extended headers
 * ('x' path/linkpath/size; 'g' is read and ignored). It only parses: deciding what is safe
 * to write is the ExtractionPlan's job, so the same walk serves the validate and write passes.
 */
import { UserError } from '../errors.js';
import { ByteSource, TruncatedError } from './byte-source.js';
import type { ArchiveEntry, EntryKind } from './plan.js';

const BLOCK = 512;
/** Long names and pax records are metadata; anything bigger is hostile, not a file name. */
const MAX_METADATA_BYTES = 1024 * 1024;

export type TarVisitor = (entry: ArchiveEntry, content: AsyncIterable<Buffer>) => Promise<void>;

const KIND_BY_TYPEFLAG: Record<string, EntryKind> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // "contiguous file": a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

/** Octal (NUL/space padded) or GNU base-256 (high bit set) numeric field. */
function parseNumeric(field: Buffer): number {
  if (field[0] & 0x80) {
    if (field[0] === 0xff) return NaN; // negative: never valid for a size
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = cString(field).trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

function checksumMatches(header: Buffer): boolean {
  const stored = parseNumeric(header.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte; // some old writers summed signed chars
  }
  return stored === unsigned || stored === signed;
}

/** pax records: "<length> <key>=<value>\n", length counting the whole record in bytes. */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(data.subarray(offset, space).toString('ascii'), 10);
    if (!(length > 0) || offset + length > data.length) throw new Error('malformed pax record');
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals === -1) throw new Error('malformed pax record');
    records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}

export async function walkTar(chunks: AsyncIterable<Buffer>, archiveLabel: string, visit: TarVisitor): Promise<void> {
  const source = new ByteSource(chunks);
  const invalid = (reason: string) => new UserError(`Cannot read ${archiveLabel}: ${reason}.`);
  let offset = 0;
  let longName: string | null = null;
  let paxRecords = new Map<string, string>();
  try {
    for (;;) {
      const header = await source.readExactly(BLOCK);
      // A missing end-of-archive marker is tolerated (several writers omit it).
      if (header === null || header.every((byte) => byte === 0)) return;
      if (!checksumMatches(header)) {
        throw invalid(offset === 0 ? 'it is not a tar, tar.gz or zip archive' : `it is not a valid tar archive (bad header checksum at byte ${offset})`);
      }
      offset += BLOCK;
      const typeflag = String.fromCharCode(header[156]);
      let size = parseNumeric(header.subarray(124, 136));
      if (paxRecords.has('size')) size = Number(paxRecords.get('size'));
      if (!Number.isSafeInteger(size) || size < 0) throw invalid(`bad size field in the header at byte ${offset - BLOCK}`);
      const padded = Math.ceil(size / BLOCK) * BLOCK;

      if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x' || typeflag === 'g') {
        if (size > MAX_METADATA_BYTES) throw invalid(`a '${typeflag}' metadata header of ${size} bytes`);
        const data = (await source.readExactly(padded)) ?? Buffer.alloc(0);
        if (data.length < padded) throw new TruncatedError('ended inside a metadata header');
        const body = data.subarray(0, size);
        if (typeflag === 'L') longName = cString(body);
        if (typeflag === 'x') paxRecords = parsePaxRecords(body);
        offset += padded;
        continue; // 'K' (long link target) and 'g' (global pax) do not affect what we extract
      }

      const isUstar = header.subarray(257, 263).toString('latin1') === 'ustar\0';
      const prefix = isUstar ? cString(header.subarray(345, 500)) : '';
      const headerName = cString(header.subarray(0, 100));
      const name = paxRecords.get('path') ?? longName ?? (prefix ? `${prefix}/${headerName}` : headerName);
      let kind: EntryKind = KIND_BY_TYPEFLAG[typeflag] ?? 'unsupported';
      // Pre-POSIX writers marked folders only by a trailing slash on a regular entry.
      if (kind === 'file' && name.endsWith('/') && size === 0) kind = 'directory';
      longName = null;
      paxRecords = new Map();

      let consumed = 0;
      async function* content(): AsyncGenerator<Buffer> {
        for await (const chunk of source.take(size - consumed)) {
          consumed += chunk.length;
          yield chunk;
        }
      }
      await visit({ name, kind, size }, content());
      await source.skip(padded - consumed);
      offset += padded;
    }
  } catch (error) {
    if (error instanceof TruncatedError) throw invalid(`the archive is truncated (it ${error.message})`);
    if (error instanceof Error && error.message === 'malformed pax record') throw invalid('a malformed pax header');
    throw error;
  } finally {
    await source.close();
  }
}
