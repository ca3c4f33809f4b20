/**
 * Quantization parameters and value packing, step for step as onnxruntime 1.30's quantize_static
 * computes them with numpy 2 (quant_utils.py: compute_scale_zp, compute_data_quant_params,
 * quantize_nparray; base_quantizer.py: quantize_bias_static_impl; qdq_quantizer.py:
 * _adjust_weight_scale_for_int32_bias). Each value is rounded to float32 exactly where numpy holds
 * a float32 (Math.fround), and kept in float64 where numpy promotes to float64:
 *
 * - compute_scale_zp: the range is widened to include 0 (in float32); symmetric ranges become
 *   [−absmax, absmax]; rmax − rmin is a float32 subtraction; scale = (rmax − rmin) / (qmax − qmin)
 *   in float64, stored as float32; zero point = round(qmin − rmin / scale) with the float64 scale
 *   (numpy.round: half to even), or round((qmin + qmax) / 2) when symmetric. A scale below
 *   float32's smallest normal (2^−126) becomes 1 with zero point 0.
 * - Activations: uint8 [0, 255] asymmetric. Weights: int8 symmetric over [−127, 127]; per channel
 *   they are always symmetric. Float initializers feeding ops without a weight input (Add, Mul,
 *   Concat...) are quantized like activations: uint8 asymmetric over their own min and max.
 * - quantize_nparray: q = round(x / scale) in float32, + zero point, clipped to the type's full
 *   range ([−128, 127] for int8 even though the scale uses ±127).
 * - Bias, int32: scale = input_scale × weight_scale (× Gemm's beta), in float32; q =
 *   round(bias / scale) in float64, clipped to int32.
 * - A weight scale so small that input_scale × weight_scale would clip the int32 bias is widened
 *   first (see widenForInt32Bias).
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
export const INT8_RANGE = { qmin: -128, qmax: 127 } as const;
export const INT8_SYMMETRIC_RANGE = { qmin: -127, qmax: 127 } as const;

/** numpy.round: ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** compute_scale_zp for one range; rmin/rmax are float32 values. Returns [scale, zero point]. */
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
  const zeroPoint = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - low / scale64);
  return [Math.fround(scale64), zeroPoint];
}

/** uint8 asymmetric parameters for an activation range. */
export function activationParams(rmin: number, rmax: number): QuantParams {
  const [scale, zeroPoint] = scaleZeroPoint(rmin, rmax, UINT8_RANGE.qmin, UINT8_RANGE.qmax, false);
  return { scale: Float32Array.of(scale), zeroPoint: Int32Array.of(zeroPoint) };
}

/** How a tensor with `dims` splits into channels along `axis`: element i is in channel ⌊i / inner⌋ mod channels. */
export interface ChannelLayout {
  channels: number;
  inner: number;
}

export function channelLayout(dims: readonly number[], axis: number | null): ChannelLayout {
  if (axis === null) return { channels: 1, inner: dims.reduce((n, d) => n * d, 1) };
  return { channels: dims[axis], inner: dims.slice(axis + 1).reduce((n, d) => n * d, 1) };
}

const channelOf = (i: number, { channels, inner }: ChannelLayout) => (channels === 1 ? 0 : Math.floor(i / inner) % channels);

/** Min and max of each channel (both 0 for an empty channel, as onnxruntime does). */
export function channelMinMax(values: Float32Array, layout: ChannelLayout): { min: Float64Array; max: Float64Array } {
  const min = new Float64Array(layout.channels).fill(Infinity);
  const max = new Float64Array(layout.channels).fill(-Infinity);
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i, layout);
    const v = values[i];
    if (v < min[c]) min[c] = v;
    if (v > max[c]) max[c] = v;
  }
  for (let c = 0; c < layout.channels; c++) if (min[c] === Infinity) [min[c], max[c]] = [0, 0];
  return { min, max };
}

export interface InitializerParams extends QuantParams {
  /** 'int8' for weights, 'uint8' for float initializers quantized like activations. */
  type: 'int8' | 'uint8';
  /** The channel axis, or null for per-tensor. */
  axis: number | null;
}

/**
 * _calc_initializer_quant_params for one float initializer: a weight is int8 symmetric, per
 * tensor or per channel on `axis`; anything else is uint8 asymmetric per tensor.
 */
export function initializerParams(values: Float32Array, dims: readonly number[], weight: boolean, axis: number | null): InitializerParams {
  const type = weight ? 'int8' : 'uint8';
  const symmetric = weight || axis !== null;
  const { qmin, qmax } = type === 'int8' ? (symmetric ? INT8_SYMMETRIC_RANGE : INT8_RANGE) : UINT8_RANGE;
  const layout = channelLayout(dims, axis);
  const { min, max } = channelMinMax(values, layout);
  const scale = new Float32Array(layout.channels);
  const zeroPoint = new Int32Array(layout.channels);
  for (let c = 0; c < layout.channels; c++) [scale[c], zeroPoint[c]] = scaleZeroPoint(min[c], max[c], qmin, qmax, symmetric);
  return { type, axis, scale, zeroPoint };
}

/** quantize_nparray per channel: round(x / scale) in float32, + zero point, clipped to the type's range. */
export function quantizeValues(values: Float32Array, dims: readonly number[], params: InitializerParams): Int8Array | Uint8Array {
  const out = params.type === 'int8' ? new Int8Array(values.length) : new Uint8Array(values.length);
  const { qmin, qmax } = params.type === 'int8' ? INT8_RANGE : UINT8_RANGE;
  const layout = channelLayout(dims, params.axis);
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i, layout);
    const q = roundHalfEven(Math.fround(values[i] / params.scale[c])) + params.zeroPoint[c];
    out[i] = Math.max(qmin, Math.min(qmax, q));
  }
  return out;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** float64(int32 max) − float64(int32 min + 1), as onnxruntime writes it. */
const INT32_QRANGE = INT32_MAX - (INT32_MIN + 1);

/**
 * _adjust_weight_scale_for_int32_bias: when input_scale × weight_scale (float64) is positive but
 * below 1.0001 · 2·absmax(bias) / (2^32 − 2), the weight scale becomes weight_scale · ratio
 * (float64, then float32) with ratio = smallest / candidate. Per tensor, absmax covers the whole
 * bias (with 0, in float64); per channel, each channel's |bias|, where numpy 2 keeps
 * 2.0 · |b| and 1.0001 · that in float32 (a Python float meets a float32 scalar) before dividing
 * by the float64 range. Returns the new scales, or null when nothing changed.
 */
export function widenForInt32Bias(weightScale: Float32Array, perChannel: boolean, bias: Float32Array, inputScale: number): Float32Array | null {
  if (weightScale.length === 0) return null;
  const scale = Float32Array.from(weightScale);
  let changed = false;
  const widen = (c: number, smallest: number) => {
    const candidate = inputScale * scale[c];
    if (candidate < smallest && candidate > 0) {
      scale[c] = Math.fround(scale[c] * (smallest / candidate));
      changed = true;
    }
  };
  if (!perChannel) {
    let low = Infinity;
    let high = -Infinity;
    for (const v of bias) {
      if (v < low) low = v;
      if (v > high) high = v;
    }
    const absmax = Math.max(Math.abs(Math.min(low, 0)), Math.abs(Math.max(high, 0)));
    widen(0, (1.0001 * (2.0 * absmax)) / INT32_QRANGE);
  } else {
    for (let c = 0; c < scale.length; c++) {
      widen(c, Math.fround(Math.fround(1.0001) * Math.fround(2 * Math.abs(bias[c]))) / INT32_QRANGE);
    }
  }
  return changed ? scale : null;
}

/** int32 bias with scale input_scale × weight_scale × beta (float32), one scale per weight channel. */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScale: Float32Array, beta = 1): { values: Int32Array; scale: Float32Array } {
  const scale = weightScale.map((w) => Math.fround(Math.fround(inputScale * w) * beta));
  const values = new Int32Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const s = scale.length === 1 ? scale[0] : scale[i];
    values[i] = Math.max(INT32_MIN, Math.min(INT32_MAX, roundHalfEven(bias[i] / s)));
  }
  return { values, scale };
}
