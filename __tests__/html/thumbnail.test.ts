import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { decodePngFast } from '../../src/preprocess/png.js';
import { imageSize } from '../../src/preprocess/index.js';
import { thumbnailDataUrl } from '../../src/preprocess/thumbnail.js';
import { encodePng, randomBytes } from '../preprocess/png-encoder.js';
import { extractFmnistImages } from './fixtures.js';

const payload = (url: string, type: string) => {
  expect(url.startsWith(`data:image/${type};base64,`)).toBe(true);
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
};

describe('thumbnailDataUrl', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'model-gate-thumb-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('enlarges a 28×28 Fashion-MNIST image ×3 with nearest-neighbour: every source pixel becomes a 3×3 block', async () => {
    const root = extractFmnistImages(work, 1);
    const file = join(root, 'Coat', readdirSync(join(root, 'Coat'))[0]);
    // Decoded by the project's own PNG decoder, not by sharp, on both sides.
    const source = decodePngFast(readFileSync(file))!;
    expect([source.width, source.height, source.channels]).toEqual([28, 28, 1]);
    const thumb = decodePngFast(payload(await thumbnailDataUrl(file, 96), 'png'))!;
    expect([thumb.width, thumb.height]).toEqual([84, 84]);
    let mismatches = 0;
    for (let y = 0; y < 84; y++) {
      for (let x = 0; x < 84; x++) {
        const expected = source.data[Math.floor(y / 3) * 28 + Math.floor(x / 3)];
        for (let c = 0; c < thumb.channels; c++) if (thumb.data[(y * 84 + x) * thumb.channels + c] !== expected) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('keeps an image that already fits but cannot be enlarged by a whole factor', async () => {
    const file = join(work, 'sixty.png');
    writeFileSync(file, encodePng({ width: 60, height: 40, colorType: 2, bitDepth: 8, rows: randomBytes(60 * 40 * 3, 1), filters: 0 }));
    const thumb = decodePngFast(payload(await thumbnailDataUrl(file, 96), 'png'))!;
    expect([thumb.width, thumb.height]).toEqual([60, 40]);
  });

  it('shrinks a larger image to fit inside maxSide, as WebP', async () => {
    const file = join(work, 'photo.png');
    writeFileSync(file, encodePng({ width: 300, height: 200, colorType: 6, bitDepth: 8, rows: randomBytes(300 * 200 * 4, 2), filters: 0 }));
    const webp = join(work, 'photo-thumb.webp');
    writeFileSync(webp, payload(await thumbnailDataUrl(file, 96), 'webp'));
    // 300×200 inside 96×96 keeps the 3:2 aspect: 96×64.
    expect(await imageSize(webp)).toEqual({ width: 96, height: 64 });
  });

  it('names the file in a UserError when it cannot be read as an image', async () => {
    const text = join(work, 'not-an-image.png');
    writeFileSync(text, 'hello');
    await expect(thumbnailDataUrl(text, 96)).rejects.toThrow(UserError);
    await expect(thumbnailDataUrl(text, 96)).rejects.toThrow(`${text}: cannot make a thumbnail`);
    await expect(thumbnailDataUrl(join(work, 'missing.png'), 96)).rejects.toThrow(`${join(work, 'missing.png')}: cannot make a thumbnail`);
  });
});
