/**
 * Images with alpha under color: rgb and gray, against Pillow's Image.open(f).convert('RGB') and
 * convert('L') (and convert('RGB').resize(..., BILINEAR), torchvision's order): alpha is dropped and
 * the colour stored under a fully transparent pixel is kept, never composited onto a background.
 * Reference bytes: scripts/reference/alpha-convert.py (Pillow 12.3.0), in __tests__/fixtures/alpha/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocateImages, slotOf } from '../../src/preprocess/decode-batch.js';
import { decodeFileInto } from '../../src/preprocess/decode-file.js';
import { decodePngFast } from '../../src/preprocess/png.js';
import type { ResolvedDecodeSpec } from '../../src/preprocess/types.js';

const DIR = join(process.cwd(), '__tests__', 'fixtures', 'alpha');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));

const spec = (color: 'rgb' | 'gray', [width, height]: [number, number]): ResolvedDecodeSpec => ({
  color,
  size: [height, width],
  resize: 'stretch',
  kernel: 'linear',
  cropRatio: 0.875,
  padValue: 114,
});

async function decode(file: string, specs: ResolvedDecodeSpec[]): Promise<Buffer[]> {
  const images = specs.map((s) => allocateImages(1, s));
  await decodeFileInto(
    join(DIR, file),
    specs.map((s, k) => ({ spec: s, slot: slotOf(images[k], 0) })),
  );
  return images.map((image) => Buffer.from(image.pixels));
}

describe.each(['rgba8.png', 'la8.png', 'p-trns.png', 'rgba16.png'])('%s', (file) => {
  const want = expected[file];

  it("decodes to Pillow's convert('RGB') and convert('L') bytes, and resizes after dropping alpha", async () => {
    const [rgb, gray, resized] = await decode(file, [spec('rgb', want.size), spec('gray', want.size), spec('rgb', want.resized.size)]);
    expect(rgb.toString('base64')).toBe(want.rgb);
    expect(gray.toString('base64')).toBe(want.gray);
    expect(resized.toString('base64')).toBe(want.resized.rgb);
  });
});

test('the fixtures hold what they are for: fully transparent pixels with colour under them', () => {
  expect(expected.pillow).toBe('12.3.0');
  expect(['rgba8.png', 'la8.png', 'p-trns.png', 'rgba16.png'].map((f) => expected[f].openedMode)).toEqual(['RGBA', 'LA', 'P', 'RGBA']);
  for (const file of ['rgba8.png', 'la8.png']) {
    const image = decodePngFast(readFileSync(join(DIR, file)));
    if (!image) throw new Error(`${file}: not decoded`);
    const colourUnderTransparent = Array.from({ length: image.width * image.height }, (_, i) => image.data.subarray(i * image.channels, (i + 1) * image.channels)).filter(
      (px) => px[image.channels - 1] === 0 && px.subarray(0, image.channels - 1).some((v) => v > 0),
    );
    expect(colourUnderTransparent.length).toBeGreaterThan(10);
  }
});

test('the 16-bit file takes the sharp path (the PNG fast path refuses it), the 8-bit ones the fast path', () => {
  expect(decodePngFast(readFileSync(join(DIR, 'rgba16.png')))).toBeNull();
  for (const file of ['rgba8.png', 'la8.png', 'p-trns.png']) expect(decodePngFast(readFileSync(join(DIR, file)))).not.toBeNull();
});
