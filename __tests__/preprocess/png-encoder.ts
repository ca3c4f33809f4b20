/**
 * A tiny PNG encoder for the tests, written from the PNG spec independently of src/preprocess/png.ts,
 * so every filter type (0–4), bit depth and colour type can be exercised on purpose.
 */
import { crc32, deflateSync } from 'node:zlib';

export interface PngSpec {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Packed scanlines without filter bytes, stride = ceil(width * samples * bitDepth / 8). */
  rows: Uint8Array;
  /** One filter type for every row, or one per row. */
  filters: number | number[];
  palette?: Uint8Array;
  transparency?: Uint8Array;
  interlace?: 0 | 1;
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function strideOf(spec: Pick<PngSpec, 'width' | 'colorType' | 'bitDepth'>): number {
  return Math.ceil((spec.width * SAMPLES[spec.colorType] * spec.bitDepth) / 8);
}

function paethPredictor(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

function filterRows(spec: PngSpec): Uint8Array {
  const stride = strideOf(spec);
  const bpp = Math.max(1, (SAMPLES[spec.colorType] * spec.bitDepth) / 8);
  const out = new Uint8Array(spec.height * (stride + 1));
  for (let y = 0; y < spec.height; y++) {
    const type = Array.isArray(spec.filters) ? spec.filters[y] : spec.filters;
    out[y * (stride + 1)] = type;
    for (let i = 0; i < stride; i++) {
      const raw = spec.rows[y * stride + i];
      const a = i >= bpp ? spec.rows[y * stride + i - bpp] : 0;
      const b = y > 0 ? spec.rows[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y > 0 ? spec.rows[(y - 1) * stride + i - bpp] : 0;
      const predictor = [0, a, b, Math.floor((a + b) / 2), paethPredictor(a, b, c)][type];
      out[y * (stride + 1) + 1 + i] = (raw - predictor + 256) & 255;
    }
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(spec: PngSpec): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(spec.width, 0);
  header.writeUInt32BE(spec.height, 4);
  header[8] = spec.bitDepth;
  header[9] = spec.colorType;
  header[12] = spec.interlace ?? 0;
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header)];
  if (spec.palette) parts.push(chunk('PLTE', spec.palette));
  if (spec.transparency) parts.push(chunk('tRNS', spec.transparency));
  const compressed = deflateSync(filterRows(spec));
  // Split the data over two IDAT chunks, as encoders may.
  const half = Math.floor(compressed.length / 2);
  parts.push(chunk('IDAT', compressed.subarray(0, half)), chunk('IDAT', compressed.subarray(half)));
  parts.push(chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

/** Deterministic pseudo-random bytes (mulberry32). */
export function randomBytes(count: number, seed: number, max = 256): Uint8Array {
  const out = new Uint8Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) % max) & 255;
  }
  return out;
}
