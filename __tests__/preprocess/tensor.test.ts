/** toTensor: x = (pixel * scale - mean[c]) / std[c], in nchw or nhwc, values worked by hand. */
import { decodeSpecKey, toTensor, type DecodedImages } from '../../src/preprocess/index.js';
import { UserError } from '../../src/errors.js';

// Two 1x2 RGB images: image 0 pixels (0, 51, 255), (255, 102, 0); image 1 all 255.
const images: DecodedImages = {
  count: 2,
  height: 1,
  width: 2,
  channels: 3,
  pixels: Uint8Array.from([0, 51, 255, 255, 102, 0, 255, 255, 255, 255, 255, 255]),
  geometry: [],
};
const norm = { scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 0.5], layout: 'nhwc' as const };

describe('toTensor', () => {
  it('nhwc keeps the pixel order', () => {
    // (0/255 - .5)/.5 = -1; (51/255 - .5)/.25 = (0.2 - 0.5)/0.25 = -1.2; (1 - .5)/.5 = 1;
    // (1 - .5)/.5 = 1; (0.4 - .5)/.25 = -0.4; (0 - .5)/.5 = -1
    const x = toTensor(images, 0, 1, norm);
    [-1, -1.2, 1, 1, -0.4, -1].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 6));
    expect(x.length).toBe(6);
  });

  it('nchw puts each channel in its own plane', () => {
    const x = toTensor(images, 0, 1, { ...norm, layout: 'nchw' });
    [-1, 1, -1.2, -0.4, 1, -1].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 6));
  });

  it('slices [start, end) and broadcasts a single mean/std', () => {
    // Image 1 only, all pixels 255: (255 * 1 - 127.5) / 127.5 = 1
    const x = toTensor(images, 1, 2, { scale: 1, mean: [127.5], std: [127.5], layout: 'nchw' });
    expect([...x]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('rejects a mean with the wrong number of channels, and a zero std', () => {
    expect(() => toTensor(images, 0, 1, { ...norm, mean: [0.1, 0.2] })).toThrow(UserError);
    expect(() => toTensor(images, 0, 1, { ...norm, std: [0] })).toThrow(/std/);
    expect(() => toTensor(images, 1, 3, norm)).toThrow(RangeError);
  });
});

describe('decodeSpecKey', () => {
  const spec = { color: 'rgb' as const, size: [224, 224] as const, resize: 'stretch' as const, kernel: 'linear' as const, cropRatio: 0.875, padValue: 114 };
  it('ignores settings that do not change the pixels, and sees those that do', () => {
    expect(decodeSpecKey(spec)).toBe(decodeSpecKey({ ...spec, cropRatio: 1, padValue: 0 }));
    expect(decodeSpecKey({ ...spec, resize: 'center-crop' })).not.toBe(decodeSpecKey({ ...spec, resize: 'center-crop', cropRatio: 1 }));
    expect(decodeSpecKey({ ...spec, resize: 'letterbox' })).not.toBe(decodeSpecKey({ ...spec, resize: 'letterbox', padValue: 0 }));
    expect(decodeSpecKey(spec)).not.toBe(decodeSpecKey({ ...spec, color: 'bgr' }));
    expect(decodeSpecKey(spec)).not.toBe(decodeSpecKey({ ...spec, size: [224, 225] }));
    expect(decodeSpecKey(spec)).not.toBe(decodeSpecKey({ ...spec, kernel: 'cubic' }));
  });
});
