/**
 * Quantization parameters and weight packing, following onnxruntime's quantize_static
 * (onnxruntime/python/tools/quantization/quant_utils.py: compute_scale_zp, quantize_data,
 * quantize_nparray; base_quantizer.py: bias quantization) down to its float32/float64 steps, so a
 * model quantized here gets the scales, zero points and int8 values onnxruntime's tool would give.
 *
 * - The range always includes 0: rmin = min(rmin, 0), rmax = max(rmax, 0).
 * - Activations, uint8 asymmetric, q in [0, 255]: scale = (rmax − rmin) / 255 (the difference taken
 *   in float32, the division in float64, the result stored as float32); zero point =
 *   round(0 − rmin / scale) with numpy's round (half to even).
 * - Weights, int8 symmetric: onnxruntime's symmetric int8 range is [−127, 127] (not −128), so
 *   scale = 2·max|w| / 254 and zero point 0; values are round(w / scale) clipped to [−127, 127].
 * - A scale below float32's smallest normal (2^−126: all-zero data) becomes 1 with zero point 0.
 * - Bias (Conv/Gemm), int32: scale = input_scale × weight_scale (float32), q = round(b / scale).
 */

export interface QuantParams {
  /** float32-representable scale per channel (length 1 for per-tensor). */
  scale: Float32Array;
  /** Zero point per channel. */
  zeroPoint: Int32Array;
}

/** numpy's float32 `tiny`: the smallest positive normal float32. */
const FLOAT32_TINY = 2 ** -126;

export const UINT8_RANGE = { qmin: 0, qmax: 255 } as const;
export const INT8_SYMMETRIC_RANGE = { qmin: -127, qmax: 127 } as const;

/** numpy.round: ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** compute_scale_zp for one range; rmin/rmax are float32 values. */
export function scaleZeroPoint(rmin: number, rmax: number, qmin: number, qmax: number, symmetric: boolean): [number, number] {
  let low = Math.min(Math.fround(rmin), 0);
  let high = Math.max(Math.fround(rmax), 0);
  if (symmetric) {
    const absmax = Math.max(Math.abs(low), Math.abs(high));
    low = -absmax;
    high = absmax;
  }
  const scale64 = Math.fround(high - low) / (qmax - qmin);
  if (!(scale64 >= FLOAT32_TINY)) return [1, 0];
  // Symmetric: (qmin + qmax) / 2 without depending on the scale, as onnxruntime does.
  const zeroPoint = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - low / scale64);
  return [Math.fround(scale64), zeroPoint];
}

/** uint8 asymmetric parameters for an activation range. */
export function activationParams(rmin: number, rmax: number): QuantParams {
  const [scale, zeroPoint] = scaleZeroPoint(rmin, rmax, UINT8_RANGE.qmin, UINT8_RANGE.qmax, false);
  return { scale: Float32Array.of(scale), zeroPoint: Int32Array.of(zeroPoint) };
}

/** Min and max of a slice of values (both 0 for an empty slice, as onnxruntime does). */
function minMax(values: ArrayLike<number>, indices: Iterable<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const i of indices) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === Infinity ? [0, 0] : [min, max];
}

/** Flat indices of each channel along `axis` of a tensor with `dims`. */
export function channelIndices(dims: readonly number[], axis: number): number[][] {
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((n, d) => n * d, 1);
  const outer = dims.slice(0, axis).reduce((n, d) => n * d, 1);
  const out: number[][] = Array.from({ length: channels }, () => []);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) out[c].push(base + i);
    }
  }
  return out;
}

export interface QuantizedWeight extends QuantParams {
  values: Int8Array;
  /** The channel axis, or null for per-tensor. */
  axis: number | null;
}

/** Symmetric int8 per-tensor (axis null) or per-channel quantization of a float weight. */
export function quantizeWeight(weights: Float32Array, dims: readonly number[], axis: number | null): QuantizedWeight {
  const groups = axis === null ? [Array.from(weights.keys())] : channelIndices(dims, axis);
  const scale = new Float32Array(groups.length);
  groups.forEach((indices, c) => {
    const [low, high] = minMax(weights, indices);
    scale[c] = scaleZeroPoint(low, high, INT8_SYMMETRIC_RANGE.qmin, INT8_SYMMETRIC_RANGE.qmax, true)[0];
  });
  return { ...packWeight(weights, groups, scale), axis };
}

/** quantize_nparray: round(w / scale) (float32 division) clipped to [−127, 127], zero point 0. */
function packWeight(weights: Float32Array, groups: number[][], scale: Float32Array): { values: Int8Array; scale: Float32Array; zeroPoint: Int32Array } {
  const values = new Int8Array(weights.length);
  groups.forEach((indices, c) => {
    for (const i of indices) {
      const q = roundHalfEven(Math.fround(weights[i] / scale[c]));
      values[i] = Math.max(INT8_SYMMETRIC_RANGE.qmin, Math.min(INT8_SYMMETRIC_RANGE.qmax, q));
    }
  });
  return { values, scale, zeroPoint: new Int32Array(groups.length) };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * onnxruntime (QDQ, since 1.19) widens a weight scale when input_scale × weight_scale is so small
 * that the int32 bias would clip: the product must be at least 1.0001 · 2·max|b| / (2^32 − 2).
 * Returns the weight requantized with the widened scales, or the weight unchanged.
 */
export function widenForInt32Bias(
  weight: QuantizedWeight,
  weights: Float32Array,
  dims: readonly number[],
  bias: Float32Array,
  inputScale: number,
): QuantizedWeight {
  const qrange = INT32_MAX - (INT32_MIN + 1);
  const smallest = (absmax: number) => (1.0001 * 2 * absmax) / qrange;
  const scale = Float32Array.from(weight.scale);
  let changed = false;
  if (weight.axis === null) {
    const [low, high] = minMax(bias, bias.keys());
    const need = smallest(Math.max(Math.abs(Math.min(low, 0)), Math.abs(Math.max(high, 0))));
    if (inputScale * scale[0] < need) {
      scale[0] = need / inputScale;
      changed = true;
    }
  } else {
    for (let c = 0; c < scale.length; c++) {
      const need = smallest(Math.abs(bias[c]));
      if (inputScale * scale[c] < need) {
        scale[c] = need / inputScale;
        changed = true;
      }
    }
  }
  if (!changed) return weight;
  const groups = weight.axis === null ? [Array.from(weights.keys())] : channelIndices(dims, weight.axis);
  return { ...packWeight(weights, groups, scale), axis: weight.axis };
}

/** int32 bias with scale input_scale × weight_scale (× Gemm's beta), per weight channel. */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScale: Float32Array, beta = 1): { values: Int32Array; scale: Float32Array } {
  const scale = weightScale.map((w) => Math.fround(Math.fround(inputScale * w) * beta));
  const values = new Int32Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const s = scale.length === 1 ? scale[0] : scale[i];
    const q = roundHalfEven(Math.fround(bias[i] / s));
    values[i] = Math.max(INT32_MIN, Math.min(INT32_MAX, q));
  }
  return { values, scale };
}
