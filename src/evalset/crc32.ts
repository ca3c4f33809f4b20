/** CRC-32 (the zip/PNG polynomial). Node >= 20.15 has it in zlib; older 20.x gets the table version. */
import * as zlib from 'node:zlib';

let table: Uint32Array | null = null;

function crc32Table(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

export function crc32Portable(data: Uint8Array, previous = 0): number {
  const lookup = crc32Table();
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = lookup[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export const crc32: (data: Uint8Array, previous?: number) => number = typeof native === 'function' ? (data, previous = 0) => native(data, previous) >>> 0 : crc32Portable;
