/**
 * The quantization arithmetic against values derived by hand from onnxruntime 1.30's formulas
 * (quant_utils.py compute_scale_zp / quantize_nparray, base_quantizer.py bias quantization,
 * qdq_quantizer.py _adjust_weight_scale_for_int32_bias). Inputs are chosen so the expected
 * numbers are exact (powers of two, ranges of 255 or 254) or follow from one float64/float32
 * step. The bit-for-bit comparison with onnxruntime itself is parity.test.ts.
 */
import { activationParams, channelLayout, channelMinMax, initializerParams, quantizeBias, quantizeValues, roundHalfEven, widenForInt32Bias } from '../../src/quantize/params.js';

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

  it('takes rmax − rmin in float32 before dividing in float64', () => {
    // 1 − (−2^−24) is 1 + 2^−24 in float64 but rounds to 1 in float32: scale fround(1/255).
    expect(activationParams(-(2 ** -24), 1).scale[0]).toBe(Math.fround(1 / 255));
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
    const w = Float32Array.of(127, -63.5, 0.5, 1.5, 2.5, -127);
    const params = initializerParams(w, [6], true, null);
    expect(Array.from(params.scale)).toEqual([1]);
    expect(Array.from(params.zeroPoint)).toEqual([0]);
    expect(params.type).toBe('int8');
    expect(Array.from(quantizeValues(w, [6], params))).toEqual([127, -64, 0, 2, 2, -127]);
  });

  it('per channel on axis 0, an all-zero channel gets scale 1', () => {
    // row 0 max|w| = 4 → scale 4/127: 1 → round(31.75) = 32, 2 → round(63.5) = 64, −4 → −127
    const w = Float32Array.of(1, 2, -4, 0, 0, 0);
    const params = initializerParams(w, [2, 3], true, 0);
    expect(Array.from(params.scale)).toEqual([Math.fround(8 / 254), 1]);
    expect(Array.from(quantizeValues(w, [2, 3], params))).toEqual([32, 64, -127, 0, 0, 0]);
    expect(params.axis).toBe(0);
  });

  it('channels follow the axis', () => {
    // [2, 3] on axis 1: channels are columns {0, 3}, {1, 4}, {2, 5}
    const layout = channelLayout([2, 3], 1);
    expect(layout).toEqual({ channels: 3, inner: 1 });
    const { min, max } = channelMinMax(Float32Array.of(1, 2, 3, -4, 5, 6), layout);
    expect(Array.from(min)).toEqual([-4, 2, 3]);
    expect(Array.from(max)).toEqual([1, 5, 6]);
  });
});

it('a float constant read by Add/Mul is uint8 over its own range', () => {
  // [0.5, 1, 2] → range [0, 2]: scale fround(2/255), zero point 0; 2 → round(255.00000x) = 255
  const values = Float32Array.of(0.5, 1, 2);
  const params = initializerParams(values, [3], false, null);
  expect(params).toEqual({ type: 'uint8', axis: null, scale: Float32Array.of(Math.fround(2 / 255)), zeroPoint: Int32Array.of(0) });
  const s = Math.fround(2 / 255);
  expect(Array.from(quantizeValues(values, [3], params))).toEqual([0.5, 1, 2].map((v) => roundHalfEven(Math.fround(v / s))));
});

describe('int32 bias', () => {
  it('scale = input_scale × weight_scale, values round(b/scale)', () => {
    // 0.25 × 0.5 = 0.125: 0.3125/0.125 = 2.5 → 2, −1 → −8, 0.1875/0.125 = 1.5 → 2
    const b = quantizeBias(Float32Array.of(0.3125, -1, 0.1875), 0.25, Float32Array.of(0.5));
    expect(Array.from(b.scale)).toEqual([0.125]);
    expect(Array.from(b.values)).toEqual([2, -8, 2]);
  });

  it('divides in float64, as numpy does after casting both to float64', () => {
    // scale fround(0.1)·fround(0.3) = 0.030000001192092896; bias 30.735002517700195 / scale =
    // 1024.50004 in float64 → 1025, where a float32 division would give 1024.5 → 1024.
    const b = quantizeBias(Float32Array.of(30.735002517700195), Math.fround(0.1), Float32Array.of(Math.fround(0.3)));
    expect(b.scale[0]).toBe(0.030000001192092896);
    expect(b.values[0]).toBe(1025);
  });

  it("per channel uses each channel's weight scale", () => {
    const b = quantizeBias(Float32Array.of(1, 1), 0.5, Float32Array.of(0.5, 0.25));
    expect(Array.from(b.scale)).toEqual([0.25, 0.125]);
    expect(Array.from(b.values)).toEqual([4, 8]);
  });

  it('a weight scale too small for an int32 bias is widened, as onnxruntime does', () => {
    const weightScale = Float32Array.of(Math.fround(0.001 / 127));
    const inputScale = 1e-4;
    const widened = widenForInt32Bias(weightScale, false, Float32Array.of(1e6), inputScale)!;
    // the product must reach 1.0001 · 2·1e6 / (2^32 − 2): new scale = w · (smallest / (input · w))
    const smallest = (1.0001 * 2e6) / (2 ** 32 - 2);
    expect(widened[0]).toBe(Math.fround(weightScale[0] * (smallest / (inputScale * weightScale[0]))));
    const bias = quantizeBias(Float32Array.of(1e6), inputScale, widened);
    expect(bias.values[0]).toBeLessThan(2 ** 31 - 1);
    expect(bias.values[0]).toBeGreaterThan(2 ** 31 * 0.99);
    // and an ordinary bias leaves the weight alone
    expect(widenForInt32Bias(weightScale, false, Float32Array.of(1), 0.01)).toBeNull();
  });

  it('per channel, numpy 2 keeps 1.0001 · 2|b| in float32 before the float64 division', () => {
    const weightScale = Float32Array.of(1e-9, 0.5);
    const widened = widenForInt32Bias(weightScale, true, Float32Array.of(3e5, 1), 1e-3)!;
    const smallest = Math.fround(Math.fround(1.0001) * 6e5) / (2 ** 32 - 2);
    expect(widened[0]).toBe(Math.fround(weightScale[0] * (smallest / (1e-3 * weightScale[0]))));
    expect(widened[1]).toBe(0.5);
  });
});
