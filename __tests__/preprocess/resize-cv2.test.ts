/**
 * The cv2-* kernels against opencv-python: every case of __tests__/fixtures/cv2-resize must come
 * out byte for byte as cv2.resize produced it. The fixture and the OpenCV version it came from are
 * written by scripts/reference/opencv-resize.py (opencv-python-headless 5.0.0.93).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { resizePixels } from '../../src/preprocess/resize.js';
import { resizeCv2 } from '../../src/preprocess/resize-cv2.js';
import type { Cv2ResizeKernel } from '../../src/config/types.js';

interface Entry {
  offset: number;
  length: number;
}
interface Image extends Entry {
  width: number;
  height: number;
  channels: number;
}
interface Case extends Entry {
  image: string;
  kernel: Cv2ResizeKernel;
  interpolation: string;
  width: number;
  height: number;
}

const dir = new URL('../fixtures/cv2-resize/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as { opencv: string; package: string; images: Record<string, Image>; cases: Case[] };
const blob = gunzipSync(readFileSync(new URL('pixels.bin.gz', dir)));
const bytes = (entry: Entry) => new Uint8Array(blob.buffer, blob.byteOffset + entry.offset, entry.length);

/** What the case exercises, from its sizes: each kind must be in the fixture for every kernel. */
function kindsOf(c: Case): string[] {
  const image = index.images[c.image];
  const scaleX = image.width / c.width;
  const scaleY = image.height / c.height;
  const kinds = [image.channels === 1 ? 'gray' : 'rgb'];
  if (scaleX >= 1 && scaleY >= 1) kinds.push(Number.isInteger(scaleX) && Number.isInteger(scaleY) ? 'integer shrink' : 'fractional shrink');
  else kinds.push(scaleX <= 1 && scaleY <= 1 ? 'enlarge' : 'one axis up, one down');
  if (scaleX === 2 && scaleY === 2) kinds.push('exact halving');
  if (Math.max(image.width, image.height) / Math.min(image.width, image.height) >= 100) kinds.push('extreme ratio');
  if (image.width % 2 === 1 && image.height % 2 === 1) kinds.push('odd size');
  return kinds;
}

describe(`cv2 kernels match ${index.package} (OpenCV ${index.opencv}) byte for byte`, () => {
  it('the fixture covers every kind of resize for every kernel', () => {
    const expected = ['gray', 'rgb', 'integer shrink', 'fractional shrink', 'enlarge', 'one axis up, one down', 'exact halving', 'extreme ratio', 'odd size'];
    for (const kernel of ['cv2-linear', 'cv2-area', 'cv2-nearest']) {
      const seen = new Set(index.cases.filter((c) => c.kernel === kernel).flatMap(kindsOf));
      expect([...expected].filter((kind) => !seen.has(kind))).toEqual([]);
    }
    expect(index.cases).toHaveLength(294);
  });

  it.each(index.cases.map((c) => [`${c.interpolation} ${c.image} → ${c.width}x${c.height}`, c] as const))('%s', (_name, c) => {
    const image = index.images[c.image];
    const got = resizePixels(bytes(image), image.width, image.height, image.channels, c.width, c.height, c.kernel);
    const want = bytes(c);
    expect(got.length).toBe(want.length);
    const first = got.findIndex((value, i) => value !== want[i]);
    // On a mismatch, say where: index, pixel and both values (a plain array diff is unreadable).
    const at = first < 0 ? null : { index: first, x: Math.floor(first / image.channels) % c.width, y: Math.floor(first / image.channels / c.width), got: got[first], want: want[first] };
    expect(at).toBeNull();
  });
});

describe('resizeCv2', () => {
  it('returns the input untouched when the size does not change, as cv::resize copies it', () => {
    const src = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    expect(resizeCv2(src, 2, 3, 1, 2, 3, 'cv2-area')).toBe(src);
  });

  it('rejects what it was not ported for', () => {
    expect(() => resizeCv2(new Uint8Array(8), 2, 2, 2, 1, 1, 'cv2-linear')).toThrow(/1 or 3 channels/);
    expect(() => resizeCv2(new Uint8Array(3), 2, 2, 1, 1, 1, 'cv2-linear')).toThrow(/3 bytes for 2x2x1/);
    expect(() => resizeCv2(new Uint8Array(4), 2, 2, 1, 0, 1, 'cv2-linear')).toThrow(/positive integers/);
  });
});
