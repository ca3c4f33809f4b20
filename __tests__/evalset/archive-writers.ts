/**
 * Test-only archive writers that can produce hostile archives on purpose: any name, any tar
 * type flag, GNU long names and pax headers; zips with any name, unix mode or declared size.
 * Written from the format specs, independently of the readers under test.
 */
import { deflateRawSync, gzipSync } from 'node:zlib';
import { crc32Portable } from '../../src/evalset/crc32.js';

export interface TarSpec {
  name: string;
  /** ustar type flag: '0' file, '1' hardlink, '2' symlink, '3' char dev, '5' dir, '6' fifo, 'L', 'x'... */
  type?: string;
  data?: Buffer | string;
  linkname?: string;
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'latin1');
}

export function tarEntry(spec: TarSpec): Buffer {
  const data = Buffer.from(spec.data ?? '');
  const type = spec.type ?? '0';
  const header = Buffer.alloc(512);
  header.write(spec.name, 0, 100, 'utf8');
  octal(header, 100, 8, type === '5' ? 0o755 : 0o644);
  octal(header, 108, 8, 0);
  octal(header, 116, 8, 0);
  octal(header, 124, 12, data.length);
  octal(header, 136, 12, 0);
  header.write(type, 156, 1, 'latin1');
  header.write(spec.linkname ?? '', 157, 100, 'utf8');
  header.write('ustar\u000000', 257, 8, 'latin1');
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A GNU 'L' record giving the next entry's full name. */
export function gnuLongName(name: string): Buffer {
  return tarEntry({ name: '././@LongLink', type: 'L', data: Buffer.concat([Buffer.from(name), Buffer.alloc(1)]) });
}

/** A pax 'x' header; each record is "<len> key=value\n" with len counting itself. */
export function paxHeader(records: Record<string, string>): Buffer {
  const body = Object.entries(records)
    .map(([key, value]) => {
      const rest = ` ${key}=${value}\n`;
      let length = Buffer.byteLength(rest) + 1;
      while (String(length).length + Buffer.byteLength(rest) !== length) length += 1;
      return `${length}${rest}`;
    })
    .join('');
  return tarEntry({ name: 'PaxHeader', type: 'x', data: body });
}

export function tar(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

export function tarGz(...parts: Buffer[]): Buffer {
  return gzipSync(tar(...parts));
}

export interface ZipSpec {
  name: string;
  data?: Buffer | string;
  /** 0 stored, 8 deflate (default). */
  method?: 0 | 8;
  /** Lie about the uncompressed size. */
  declaredSize?: number;
  /** Unix st_mode, stored in the external attributes with "made by Unix". */
  unixMode?: number;
}

export function zip(entries: ZipSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? '');
    const method = entry.method ?? 8;
    const stored = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32Portable(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(entry.declaredSize ?? data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(entry.declaredSize ?? data.length, 24);
    central.writeUInt16LE(name.length, 28);
    const mode = entry.unixMode ?? (entry.name.endsWith('/') ? 0o040755 : 0o100644);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += 30 + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
