/**
 * The quantization arithmetic against values derived by hand from onnxruntime's formulas
 * (quant_utils.py compute_scale_zp / quantize_nparray, base_quantizer.py bias quantization).
 * Inputs are chosen so the expected numbers are exact (powers of two, ranges of 255 or 254).
 */
import { activationParams, channelIndices, quantizeBias, quantizeWeight, roundHalfEven, widenForInt32Bias } from '../../src/quantize/params.js';

it('rounds half to even, as numpy.round does', () => {
  expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, -2, 2, 3]);
});

describe('uint8 activation parameters', () => {
  it('scale = (rmax − rmin)/255, zero point = round(−rmin/scale)', () => {
    // range 255 → scale 1; −rmin/scale = 2.5 → half to even gives 2 (half-up would give 3)
    const p = activationParams(-2.5, 252.5);
    expect(p.scale[0]).toBe(1);
    expect(p.zeroPoint[0]).toBe(2);
    // [−1, 3]: scale 4/255 stored as float32; zero point round(63.75) = 64
    const q = activationParams(-1, 3);
    expect(q.scale[0]).toBe(Math.fround(4 / 255));
    expect(q.zeroPoint[0]).toBe(64);
  });

  it('widens the range to include 0', () => {
    expect(activationParams(0.5, 2)).toEqual({ scale: Float32Array.of(Math.fround(2 / 255)), zeroPoint: Int32Array.of(0) });
    expect(activationParams(-2, -1)).toEqual({ scale: Float32Array.of(Math.fround(2 / 255)), zeroPoint: Int32Array.of(255) });
  });

  it('a zero range gets scale 1 and zero point 0', () => {
    expect(activationParams(0, 0)).toEqual({ scale: Float32Array.of(1), zeroPoint: Int32Array.of(0) });
  });
});

describe('int8 symmetric weights', () => {
  it('per tensor: scale = 2·max|w|/254, values round(w/scale) in [−127, 127]', () => {
    // max|w| = 127 → scale 1; −63.5 → −64 and 2.5 → 2 (half to even)
    const w = quantizeWeight(Float32Array.of(127, -63.5, 0.5, 1.5, 2.5, -127), [6], null);
    expect(Array.from(w.scale)).toEqual([1]);
    expect(Array.from(w.zeroPoint)).toEqual([0]);
    expect(Array.from(w.values)).toEqual([127, -64, 0, 2, 2, -127]);
  });

  it('per channel on axis 0, an all-zero channel gets scale 1', () => {
    // row 0 max|w| = 4 → scale 4/127: 1 → round(31.75) = 32, 2 → round(63.5) = 64, −4 → −127
    const w = quantizeWeight(Float32Array.of(1, 2, -4, 0, 0, 0), [2, 3], 0);
    expect(Array.from(w.scale)).toEqual([Math.fround(8 / 254), 1]);
    expect(Array.from(w.values)).toEqual([32, 64, -127, 0, 0, 0]);
    expect(w.axis).toBe(0);
  });

  it('channel indices follow the axis', () => {
    expect(channelIndices([2, 3], 1)).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(channelIndices([2, 2, 2], 1)).toEqual([[0, 1, 4, 5], [2, 3, 6, 7]]);
  });
});

describe('int32 bias', () => {
  it('scale = input_scale × weight_scale, values round(b/scale)', () => {
    // 0.25 × 0.5 = 0.125: 0.3125/0.125 = 2.5 → 2, −1 → −8, 0.1875/0.125 = 1.5 → 2
    const b = quantizeBias(Float32Array.of(0.3125, -1, 0.1875), 0.25, Float32Array.of(0.5));
    expect(Array.from(b.scale)).toEqual([0.125]);
    expect(Array.from(b.values)).toEqual([2, -8, 2]);
  });

  it('per channel uses each channel\'s weight scale', () => {
    const b = quantizeBias(Float32Array.of(1, 1), 0.5, Float32Array.of(0.5, 0.25));
    expect(Array.from(b.scale)).toEqual([0.25, 0.125]);
    expect(Array.from(b.values)).toEqual([4, 8]);
  });

  it('a weight scale too small for an int32 bias is widened, as onnxruntime does', () => {
    const weights = Float32Array.of(0.001);
    const weight = quantizeWeight(weights, [1], null);
    const inputScale = 1e-4;
    const widened = widenForInt32Bias(weight, weights, [1], Float32Array.of(1e6), inputScale);
    // the product must reach 1.0001 · 2·1e6 / (2^32 − 2)
    const need = (1.0001 * 2e6) / (2 ** 32 - 2);
    expect(widened.scale[0]).toBeCloseTo(need / inputScale, 6);
    const bias = quantizeBias(Float32Array.of(1e6), inputScale, widened.scale);
    expect(bias.values[0]).toBeLessThan(2 ** 31 - 1);
    expect(bias.values[0]).toBeGreaterThan(2 ** 31 * 0.99);
    // and an ordinary bias leaves the weight alone
    expect(widenForInt32Bias(weight, weights, [1], Float32Array.of(1), 0.01)).toBe(weight);
  });
});
