/** Colour conversion follows PIL's convert(): ITU-R 601-2 luma for gray, alpha dropped, gray replicated. */
import sharp from 'sharp';
import { convertColor, pilLuma } from '../../src/preprocess/color.js';

describe('pilLuma (Pillow L = R*299/1000 + G*587/1000 + B*114/1000, rounded)', () => {
  it.each([
    // [r, g, b, expected] with the sum worked by hand:
    [255, 0, 0, 76], //   76.245
    [0, 255, 0, 150], //  149.685 → 150 (Pillow rounds; the truncating formula in its docs would say 149)
    [0, 0, 255, 29], //   29.07
    [128, 64, 32, 79], // 38.272 + 37.568 + 3.648 = 79.488
    [10, 200, 90, 131], // 2.99 + 117.4 + 10.26 = 130.65
    [255, 255, 255, 255],
    [0, 0, 0, 0],
  ])('(%i, %i, %i) → %i', (r, g, b, expected) => {
    expect(pilLuma(r, g, b)).toBe(expected);
  });

  it('keeps every gray level exactly (R = G = B = v → v)', () => {
    for (let v = 0; v < 256; v++) expect(pilLuma(v, v, v)).toBe(v);
  });

  it('differs from sharp greyscale(), which is linear-light Rec.709 (pure red → 127)', async () => {
    const red = await sharp(Buffer.from([255, 0, 0]), { raw: { width: 1, height: 1, channels: 3 } })
      .greyscale()
      .raw()
      .toBuffer();
    expect(red[0]).toBe(127);
    expect(pilLuma(255, 0, 0)).toBe(76);
  });
});

describe('convertColor', () => {
  const rgba = { width: 2, height: 1, channels: 4 as const, data: Uint8Array.from([10, 20, 30, 0, 200, 100, 50, 128]) };

  it('drops alpha without compositing, even where alpha is 0', () => {
    expect([...convertColor(rgba, 'rgb').data]).toEqual([10, 20, 30, 200, 100, 50]);
  });
  it('swaps R and B for bgr', () => {
    expect([...convertColor(rgba, 'bgr').data]).toEqual([30, 20, 10, 50, 100, 200]);
  });
  it('converts rgba to gray with PIL luma, ignoring alpha', () => {
    // 10*.299 + 20*.587 + 30*.114 = 18.15 → 18; 200*.299 + 100*.587 + 50*.114 = 124.2 → 124
    expect([...convertColor(rgba, 'gray').data]).toEqual([18, 124]);
  });
  it('replicates gray (and gray+alpha) to rgb and keeps gray as is', () => {
    const grayAlpha = { width: 2, height: 1, channels: 2 as const, data: Uint8Array.from([7, 0, 250, 255]) };
    expect([...convertColor(grayAlpha, 'rgb').data]).toEqual([7, 7, 7, 250, 250, 250]);
    expect([...convertColor(grayAlpha, 'gray').data]).toEqual([7, 250]);
  });
});
