/** decodeImages end to end on files written to a temp dir: both decode paths, geometry, progress, errors. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { UserError } from '../../src/errors.js';
import type { Progress } from '../../src/progress.js';
import { silentProgress } from '../../src/progress.js';
import { decodeImages, type ResolvedDecodeSpec } from '../../src/preprocess/index.js';
import { randomBytes } from './png-encoder.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-gate-preprocess-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asserts a UserError with exactly this message (toThrow(error) would also compare the cause). */
async function expectUserError(promise: Promise<unknown>, message: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toBe(message);
}

async function write(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const spec = (over: Partial<ResolvedDecodeSpec>): ResolvedDecodeSpec => ({
  color: 'rgb',
  size: [5, 6],
  resize: 'stretch',
  kernel: 'cubic',
  cropRatio: 1,
  padValue: 114,
  ...over,
});

describe('the PNG fast path and the sharp path give the same pixels', () => {
  // The same RGBA pixels as a plain PNG (fast path) and an interlaced PNG (fast path refuses it: sharp).
  let plain: string;
  let interlaced: string;
  beforeAll(async () => {
    const raw = randomBytes(7 * 5 * 4, 9);
    const image = () => sharp(raw, { raw: { width: 7, height: 5, channels: 4 } });
    plain = await write('plain.png', await image().png().toBuffer());
    interlaced = await write('interlaced.png', await image().png({ progressive: true }).toBuffer());
  });

  for (const color of ['rgb', 'bgr', 'gray'] as const) {
    for (const size of [
      [5, 7],
      [9, 4],
    ] as const) {
      it(`${color}, ${size[0]}x${size[1]}`, async () => {
        const decoded = await decodeImages([plain, interlaced], spec({ color, size }), silentProgress);
        const slot = decoded.height * decoded.width * decoded.channels;
        expect(decoded.channels).toBe(color === 'gray' ? 1 : 3);
        expect(Buffer.from(decoded.pixels.subarray(0, slot))).toEqual(Buffer.from(decoded.pixels.subarray(slot)));
      });
    }
  }
});

describe('decodeImages', () => {
  it('letterbox: nearest 2x upscale, padded with padValue, geometry filled in', async () => {
    // [10, 200] (2x1) into 4x4: r = 2 → 4x2, rows "10 10 200 200"; top = round(1 - 0.1) = 1.
    const file = await write(
      'pair.png',
      await sharp(Buffer.from([10, 200]), { raw: { width: 2, height: 1, channels: 1 } })
        .png()
        .toBuffer(),
    );
    const decoded = await decodeImages([file], spec({ color: 'gray', size: [4, 4], resize: 'letterbox', kernel: 'nearest', padValue: 114 }), silentProgress);
    expect([...decoded.pixels]).toEqual([114, 114, 114, 114, 10, 10, 200, 200, 10, 10, 200, 200, 114, 114, 114, 114]);
    expect(decoded.geometry[0]).toEqual({ width: 2, height: 1, scaleX: 2, scaleY: 2, padLeft: 0, padTop: 1, cropLeft: 0, cropTop: 0 });
  });

  it('drops alpha before resizing: a constant colour stays constant however alpha varies', async () => {
    const raw = Buffer.alloc(8 * 8 * 4);
    for (let i = 0; i < 64; i++) raw.set([200, 100, 50, (i * 37) % 256], i * 4);
    const file = await write(
      'alpha.png',
      await sharp(raw, { raw: { width: 8, height: 8, channels: 4 } })
        .png({ progressive: true })
        .toBuffer(),
    );
    const decoded = await decodeImages([file], spec({ size: [3, 3], kernel: 'lanczos3' }), silentProgress);
    expect([...decoded.pixels]).toEqual(Array.from({ length: 9 }, () => [200, 100, 50]).flat());
  });

  it('reports progress per file', async () => {
    const files = await Promise.all(
      Array.from({ length: 12 }, async (_, i) =>
        write(
          `img${i}.${i % 2 ? 'webp' : 'png'}`,
          await sharp(randomBytes(10 * 6 * 3, i), { raw: { width: 10, height: 6, channels: 3 } })
            .toFormat(i % 2 ? 'webp' : 'png', { lossless: true })
            .toBuffer(),
        ),
      ),
    );
    const calls: string[] = [];
    const progress: Progress = {
      ...silentProgress,
      start: (phase, total) => calls.push(`start ${phase} ${total}`),
      tick: (done) => calls.push(`tick ${done}`),
      end: () => calls.push('end'),
    };
    const decoded = await decodeImages(files, spec({ size: [4, 4], kernel: 'linear' }), progress);
    expect(decoded.count).toBe(12);
    expect(calls[0]).toBe('start decode 12');
    expect(calls.at(-2)).toBe('tick 12');
    expect(calls.at(-1)).toBe('end');
  });
});

describe('decodeImages errors name the file and the reason', () => {
  it('a text file is not an image', async () => {
    const file = await write('notes.txt', Buffer.from('these are not pixels'));
    await expectUserError(decodeImages([file], spec({}), silentProgress), `${file}: not an image (sharp: Input buffer contains unsupported image format)`);
  });

  it('a truncated PNG is refused by the fast path and reported through sharp', async () => {
    const png = await sharp(randomBytes(16 * 16 * 3, 4), { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toBuffer();
    const file = await write('cut.png', png.subarray(0, png.length - 40));
    const error = await decodeImages([file], spec({}), silentProgress).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt or unreadable image \\(sharp: .+\\)$`));
  });

  it('a missing file', async () => {
    const file = join(dir, 'nowhere.png');
    await expectUserError(decodeImages([file], spec({}), silentProgress), `${file}: cannot read file (ENOENT: no such file or directory)`);
  });
});

describe('an image too large to decode', () => {
  /** A PNG whose header says 20000×20000 (400 megapixels); the pixels never need to exist. */
  function hugePngHeader(): Buffer {
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const out = Buffer.alloc(12 + data.length);
      out.writeUInt32BE(data.length, 0);
      body.copy(out, 4);
      out.writeUInt32BE(crc32(body), 8 + data.length);
      return out;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(20000, 0);
    ihdr.writeUInt32BE(20000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(0))), chunk('IEND', Buffer.alloc(0))]);
  }

  it('is refused naming the file and the limit, before any pixel memory is taken', async () => {
    const file = await write('huge.png', hugePngHeader());
    await expectUserError(decodeImages([file], spec({}), silentProgress), `${file}: the image is too large to decode (sharp: Input image exceeds pixel limit)`);
  });
});
