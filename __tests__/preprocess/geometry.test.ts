/** Resize plans: torchvision / Ultralytics sizes and offsets, worked out by hand below. */
import { planResize, placeInto, roundHalfEven } from '../../src/preprocess/geometry.js';
import type { ResolvedDecodeSpec } from '../../src/preprocess/index.js';

const base: ResolvedDecodeSpec = { color: 'rgb', size: [224, 224], resize: 'stretch', kernel: 'linear', cropRatio: 0.875, padValue: 114 };

describe('roundHalfEven (Python round)', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [58.5, 58],
    [2.4999, 2],
    [-0.5, 0],
    [-1.5, -2],
  ])('%d → %d', (value, expected) => expect(roundHalfEven(value)).toBe(expected));
});

describe('planResize', () => {
  it('stretch goes straight to the target size', () => {
    const plan = planResize(640, 480, base);
    expect([plan.resizedWidth, plan.resizedHeight]).toEqual([224, 224]);
    expect(plan.geometry).toEqual({ width: 640, height: 480, scaleX: 224 / 640, scaleY: 224 / 480, padLeft: 0, padTop: 0, cropLeft: 0, cropTop: 0 });
  });

  it('center-crop: torchvision Resize(256) + CenterCrop(224) on a 500x375 image', () => {
    // N = 224 / 0.875 = 256 for the shorter side (height 375); width = int(256 * 500 / 375) = int(341.33) = 341.
    // Crop: left = round((341 - 224) / 2) = round(58.5) = 58 (half to even), top = (256 - 224) / 2 = 16.
    const plan = planResize(500, 375, { ...base, resize: 'center-crop' });
    expect([plan.resizedWidth, plan.resizedHeight]).toEqual([341, 256]);
    expect(plan.geometry).toMatchObject({ cropLeft: 58, cropTop: 16, padLeft: 0, padTop: 0, scaleX: 341 / 500, scaleY: 256 / 375 });
  });

  it('center-crop pads with 0 where a non-square target is wider than the resized image', () => {
    // Target [100, 300], cropRatio 1: shorter side → 100; a 200x200 image becomes 100x100.
    // Width: 100 < 300, pad left = (300 - 100) // 2 = 100; height: crop 0.
    const plan = planResize(200, 200, { ...base, size: [100, 300], resize: 'center-crop', cropRatio: 1 });
    expect(plan).toMatchObject({ resizedWidth: 100, resizedHeight: 100, fill: 0 });
    expect(plan.geometry).toMatchObject({ padLeft: 100, padTop: 0, cropLeft: 0, cropTop: 0 });
  });

  it('letterbox: Ultralytics rounding, extra padding row goes to the bottom', () => {
    // 100x51 into 64x64: r = min(64/51, 64/100) = 0.64 → 64 x round(32.64) = 33.
    // dh = (64 - 33) / 2 = 15.5 → top = round(15.4) = 15 (bottom gets 16).
    const plan = planResize(100, 51, { ...base, size: [64, 64], resize: 'letterbox' });
    expect(plan).toMatchObject({ resizedWidth: 64, resizedHeight: 33, fill: 114 });
    expect(plan.geometry).toMatchObject({ padLeft: 0, padTop: 15, scaleX: 0.64, scaleY: 33 / 51 });
  });

  it('letterbox: 1280x720 into 640x640 halves and pads 140 rows on top', () => {
    // r = 0.5 → 640x360, dh = 140 → top = round(139.9) = 140.
    expect(planResize(1280, 720, { ...base, size: [640, 640], resize: 'letterbox' }).geometry).toMatchObject({ padTop: 140, padLeft: 0, scaleX: 0.5, scaleY: 0.5 });
  });

  it('geometry maps a model-space point back to the original image', () => {
    // Letterbox above: model (320, 320) → x = (320 - 0 + 0) / 0.5 = 640, y = (320 - 140) / 0.5 = 360: the centre.
    const g = planResize(1280, 720, { ...base, size: [640, 640], resize: 'letterbox' }).geometry;
    expect([(320 - g.padLeft + g.cropLeft) / g.scaleX, (320 - g.padTop + g.cropTop) / g.scaleY]).toEqual([640, 360]);
  });
});

describe('placeInto', () => {
  it('crops and pads into the slot', () => {
    // A 3x2 one-channel image [1 2 3 / 4 5 6] in a 2x4 slot, cropLeft 1, padTop 1, fill 9.
    const out = new Uint8Array(2 + 8); // 2 bytes belonging to a previous slot
    const plan = {
      resizedWidth: 3,
      resizedHeight: 2,
      fill: 9,
      geometry: { width: 3, height: 2, scaleX: 1, scaleY: 1, padLeft: 0, padTop: 1, cropLeft: 1, cropTop: 0 },
    };
    placeInto(Uint8Array.from([1, 2, 3, 4, 5, 6]), plan, { out, offset: 2, width: 2, height: 4, channels: 1 });
    expect([...out]).toEqual([0, 0, 9, 9, 2, 3, 5, 6, 9, 9]);
  });
});
