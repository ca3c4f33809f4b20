/**
 * The PNG fast path must give bit-identical pixels to sharp (libpng) on everything it accepts, and
 * hand back (null) everything else so that sharp decides.
 */
import sharp from 'sharp';
import { convertColor } from '../../src/preprocess/color.js';
import { decodePngFast } from '../../src/preprocess/png.js';
import { decodeWithSharp } from '../../src/preprocess/sharp-path.js';
import { encodePng, randomBytes, strideOf, type PngSpec } from './png-encoder.js';

async function expectSameAsSharp(png: Buffer): Promise<void> {
  const fast = decodePngFast(png);
  expect(fast).not.toBeNull();
  const reference = await decodeWithSharp(png);
  expect([fast!.width, fast!.height]).toEqual([reference.width, reference.height]);
  for (const color of ['rgb', 'bgr', 'gray'] as const) {
    expect(Buffer.from(convertColor(fast!, color).data)).toEqual(Buffer.from(convertColor(reference, color).data));
  }
}

const WIDTH = 13; // odd, so sub-byte rows end in a partial byte
const HEIGHT = 9;

function packedRows(colorType: PngSpec['colorType'], bitDepth: PngSpec['bitDepth'], seed: number): Uint8Array {
  return randomBytes(HEIGHT * strideOf({ width: WIDTH, colorType, bitDepth }), seed);
}

describe('decodePngFast vs sharp, hand-encoded', () => {
  const layouts: Array<[string, PngSpec['colorType'], PngSpec['bitDepth']]> = [
    ['gray 8', 0, 8],
    ['gray+alpha 8', 4, 8],
    ['rgb 8', 2, 8],
    ['rgba 8', 6, 8],
    ['gray 1', 0, 1],
    ['gray 2', 0, 2],
    ['gray 4', 0, 4],
  ];
  for (const [name, colorType, bitDepth] of layouts) {
    for (const filter of [0, 1, 2, 3, 4]) {
      it(`${name}, filter ${filter}`, async () => {
        await expectSameAsSharp(encodePng({ width: WIDTH, height: HEIGHT, colorType, bitDepth, rows: packedRows(colorType, bitDepth, filter + 1), filters: filter }));
      });
    }
  }

  it('8-bit gray decodes to exactly the encoded samples, every filter mixed row by row', () => {
    const rows = packedRows(0, 8, 42);
    const png = encodePng({ width: WIDTH, height: HEIGHT, colorType: 0, bitDepth: 8, rows, filters: [0, 1, 2, 3, 4, 4, 3, 2, 1] });
    expect(Buffer.from(decodePngFast(png)!.data)).toEqual(Buffer.from(rows));
  });

  it('2-bit gray expands as v * 85 (PNG spec: scale to full range)', () => {
    // One row of four pixels 0,1,2,3 packed MSB first: 0b00011011.
    const png = encodePng({ width: 4, height: 1, colorType: 0, bitDepth: 2, rows: Uint8Array.from([0b00011011]), filters: 0 });
    expect([...decodePngFast(png)!.data]).toEqual([0, 85, 170, 255]);
  });

  for (const bitDepth of [1, 2, 4, 8] as const) {
    it(`palette ${bitDepth}-bit, mixed filters, with tRNS`, async () => {
      const entries = 1 << bitDepth;
      const palette = randomBytes(entries * 3, 7 + bitDepth);
      const rows = packedRows(3, bitDepth, 11 + bitDepth);
      const transparency = Uint8Array.from({ length: Math.min(entries, 5) }, (_, i) => i * 40);
      await expectSameAsSharp(encodePng({ width: WIDTH, height: HEIGHT, colorType: 3, bitDepth, rows, palette, transparency, filters: [4, 3, 2, 1, 0, 1, 2, 3, 4] }));
    });
  }

  it('gray and rgb with a tRNS colour key: the key is ignored (alpha dropped)', async () => {
    await expectSameAsSharp(encodePng({ width: WIDTH, height: HEIGHT, colorType: 0, bitDepth: 8, rows: packedRows(0, 8, 5), transparency: Uint8Array.from([0, 7]), filters: 1 }));
    await expectSameAsSharp(encodePng({ width: WIDTH, height: HEIGHT, colorType: 2, bitDepth: 8, rows: packedRows(2, 8, 6), transparency: Uint8Array.from([0, 1, 0, 2, 0, 3]), filters: 4 }));
  });
});

describe('decodePngFast vs sharp, PNGs written by sharp (adaptive filtering)', () => {
  for (const channels of [1, 2, 3, 4] as const) {
    it(`${channels}-channel image`, async () => {
      const raw = randomBytes(31 * 17 * channels, 100 + channels, 64); // low range so filters other than None win
      const png = await sharp(raw, { raw: { width: 31, height: 17, channels } })
        .png({ adaptiveFiltering: true })
        .toBuffer();
      await expectSameAsSharp(png);
    });
  }
  it('palette image', async () => {
    const raw = randomBytes(31 * 17 * 3, 200, 8);
    const png = await sharp(raw, { raw: { width: 31, height: 17, channels: 3 } })
      .png({ palette: true, colours: 16 })
      .toBuffer();
    expect(png[25]).toBe(3); // IHDR colour type byte: really a palette PNG
    await expectSameAsSharp(png);
  });
});

describe('decodePngFast leaves to sharp what it does not handle', () => {
  const simple = (): Buffer => encodePng({ width: WIDTH, height: HEIGHT, colorType: 2, bitDepth: 8, rows: packedRows(2, 8, 3), filters: 1 });

  it('16-bit and interlaced PNGs', async () => {
    const deep = encodePng({ width: 4, height: 2, colorType: 0, bitDepth: 16, rows: randomBytes(16, 1), filters: 0 });
    expect(decodePngFast(deep)).toBeNull();
    const interlaced = await sharp(randomBytes(20 * 20, 2), { raw: { width: 20, height: 20, channels: 1 } })
      .png({ progressive: true })
      .toBuffer();
    expect(interlaced[28]).toBe(1); // IHDR interlace byte
    expect(decodePngFast(interlaced)).toBeNull();
  });

  it('a truncated file, a corrupted chunk, a non-PNG', () => {
    const png = simple();
    expect(decodePngFast(png)).not.toBeNull();
    expect(decodePngFast(png.subarray(0, png.length - 20))).toBeNull();
    const corrupted = Buffer.from(png);
    corrupted[45] ^= 0xff; // inside the first IDAT: its CRC no longer matches
    expect(decodePngFast(corrupted)).toBeNull();
    expect(decodePngFast(Buffer.from('not a png at all'))).toBeNull();
  });
});
