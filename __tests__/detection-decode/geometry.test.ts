/** Detection geometry (rect.ts via planResize): Ultralytics LetterBox sizes and offsets, worked out by hand. */
import { planResize, type GeometrySpec } from '../../src/preprocess/geometry.js';
import { autoLetterboxSize, letterboxRatio, rectInputSize } from '../../src/preprocess/index.js';

const base: GeometrySpec = { color: 'rgb', size: [256, 256], resize: 'letterbox', kernel: 'linear', cropRatio: 1, padValue: 114 };
const stride32 = { stride: 32, scaleup: true };

describe('letterbox scaleup', () => {
  it('scaleup: false never enlarges: a 100x50 image stays 100x50, centred in 256x256', () => {
    // r = min(256/50, 256/100) = 2.56 → capped at 1. left = round(156/2 - 0.1) = 78, top = round(206/2 - 0.1) = 103.
    const plan = planResize(100, 50, { ...base, scaleup: false });
    expect([plan.resizedWidth, plan.resizedHeight, plan.fill]).toEqual([100, 50, 114]);
    expect(plan.geometry).toMatchObject({ scaleX: 1, scaleY: 1, padLeft: 78, padTop: 103 });
  });

  it('scaleup: true (the default) enlarges the same image to 256x128, 64 rows on top', () => {
    const plan = planResize(100, 50, base);
    expect([plan.resizedWidth, plan.resizedHeight]).toEqual([256, 128]);
    expect(plan.geometry).toMatchObject({ scaleX: 2.56, scaleY: 2.56, padLeft: 0, padTop: 64 });
  });

  it('scaleup: false still shrinks', () => {
    expect(letterboxRatio(1280, 720, [640, 640], false)).toBe(0.5);
    expect(letterboxRatio(320, 200, [640, 640], false)).toBe(1);
  });
});

describe('auto (stride-multiple) sizes', () => {
  it('1280x720 at imgsz 640, stride 32 → 384x640 (the size Ultralytics predict reports)', () => {
    // r = 0.5 → 640x360; dh = (640 - 360) mod 32 = 24 → 384.
    expect(autoLetterboxSize(1280, 720, [640, 640], stride32)).toEqual([384, 640]);
  });

  it('the fixture scene 256x160 at imgsz 256 goes in as is, for stride 16 or 32', () => {
    expect(autoLetterboxSize(256, 160, [256, 256], stride32)).toEqual([160, 256]);
    expect(autoLetterboxSize(256, 160, [256, 256], { stride: 16, scaleup: true })).toEqual([160, 256]);
  });

  it('a bound that is not a stride multiple keeps Ultralytics’ (bound - size) mod stride', () => {
    // 300x200 into 250x250: r = 250/300 → 250x167 (166.67 rounds up); dh = 83 mod 32 = 19 → 186; dw = 0.
    expect(autoLetterboxSize(300, 200, [250, 250], stride32)).toEqual([186, 250]);
  });

  it('rejects a stride that is not a positive integer', () => {
    expect(() => autoLetterboxSize(10, 10, [32, 32], { stride: 0, scaleup: true })).toThrow(/stride/);
  });
});

describe('rect', () => {
  it('the input size is the largest auto size over the set', () => {
    // landscape 1280x720 → [384, 640]; portrait 720x1280 → r = 0.5 → 360x640 → width 360 + 280 mod 32 = 384 → [640, 384].
    expect(rectInputSize([{ width: 1280, height: 720 }], [640, 640], stride32)).toEqual([384, 640]);
    expect(
      rectInputSize(
        [
          { width: 1280, height: 720 },
          { width: 720, height: 1280 },
        ],
        [640, 640],
        stride32,
      ),
    ).toEqual([640, 640]);
    expect(() => rectInputSize([], [640, 640], stride32)).toThrow(/no images/);
  });

  it('one-size sets: each image is LetterBox(auto=True) exactly, 12 rows on top for 1280x720', () => {
    // dh = 24 → top = round(12 - 0.1) = 12 (bottom 12).
    const plan = planResize(1280, 720, { ...base, resize: 'rect', size: [384, 640], fitWithin: [640, 640] });
    expect([plan.resizedWidth, plan.resizedHeight]).toEqual([640, 360]);
    expect(plan.geometry).toMatchObject({ scaleX: 0.5, scaleY: 0.5, padLeft: 0, padTop: 12 });
  });

  it('mixed sets: a portrait image is centred in the common 640x640 input', () => {
    // 720x1280 → 360x640, left = round(280/2 - 0.1) = 140.
    const plan = planResize(720, 1280, { ...base, resize: 'rect', size: [640, 640], fitWithin: [640, 640] });
    expect(plan.geometry).toMatchObject({ scaleX: 0.5, scaleY: 0.5, padLeft: 140, padTop: 0 });
  });

  it('the ratio comes from the bound, not the input size (they differ by a pixel when the short side rounds down)', () => {
    // 2000x1001 at 640: r = 0.32 → 640 x round(320.32) = 320, already a multiple of 32 → input [320, 640].
    expect(autoLetterboxSize(2000, 1001, [640, 640], stride32)).toEqual([320, 640]);
    const rect = planResize(2000, 1001, { ...base, resize: 'rect', size: [320, 640], fitWithin: [640, 640] });
    expect([rect.resizedWidth, rect.resizedHeight, rect.geometry.padLeft]).toEqual([640, 320, 0]);
    // A plain letterbox into [320, 640] would use r = 320/1001 and give round(639.36) = 639 columns.
    expect(planResize(2000, 1001, { ...base, size: [320, 640] }).resizedWidth).toBe(639);
  });

  it('an input size too small for the image is a bug, not a silent crop', () => {
    expect(() => planResize(1280, 720, { ...base, resize: 'rect', size: [320, 640], fitWithin: [640, 640] })).toThrow(/does not fit/);
  });
});
