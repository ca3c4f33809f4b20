/**
 * Builds a model's float32 input for one batch from the shared uint8 decode.
 *
 * The decode is kept as uint8 for the whole run and every model that shares it builds its float
 * tensors here, one batch at a time: a float32 copy of the whole eval set would take 4× the memory.
 */
import type { NormalizeSpec } from '../config/types.js';
import { UserError } from '../errors.js';
import type { DecodedImages } from './types.js';

/** x = (pixel * scale - mean[c]) / std[c], for samples [start, end), in nchw or nhwc. */
export function toTensor(images: DecodedImages, start: number, end: number, norm: NormalizeSpec): Float32Array {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > images.count || start > end) {
    throw new RangeError(`toTensor: samples [${start}, ${end}) are outside [0, ${images.count})`);
  }
  const { channels, height, width, pixels } = images;
  const lookup = normalizationTables(norm, channels);
  const plane = height * width;
  const samples = end - start;
  const out = new Float32Array(samples * plane * channels);
  const base = start * plane * channels;
  if (norm.layout === 'nhwc' || channels === 1) {
    // Same element order as the uint8 HWC decode (and for one channel nchw is nhwc).
    for (let i = 0, c = 0; i < out.length; i++) {
      out[i] = lookup[c][pixels[base + i]];
      c = c + 1 === channels ? 0 : c + 1;
    }
    return out;
  }
  let o = 0;
  for (let n = 0; n < samples; n++) {
    const sample = base + n * plane * channels;
    for (let c = 0; c < channels; c++) {
      const table = lookup[c];
      for (let p = 0; p < plane; p++) out[o++] = table[pixels[sample + p * channels + c]];
    }
  }
  return out;
}

/**
 * One 256-entry table per channel: every possible pixel value already normalized. By default the
 * documented formula is computed in double precision and rounded once to float32 (what numpy
 * pipelines that cast at the end give); with arithmetic float32 each step is rounded as torch's
 * float32 tensors round it, so torchvision and timm inputs come out bit for bit.
 */
function normalizationTables(norm: NormalizeSpec, channels: number): Float32Array[] {
  const mean = perChannel(norm.mean, channels, 'mean');
  const std = perChannel(norm.std, channels, 'std');
  return mean.map((m, c) => {
    if (!(std[c] !== 0 && Number.isFinite(std[c]))) {
      throw new UserError(`preprocess.std: ${std[c]} is not a usable divisor (must be a non-zero number)`);
    }
    const table = new Float32Array(256);
    if (norm.arithmetic === 'float32') {
      // torchvision's ToTensor + Normalize: x / 255, then − mean, then / std, each rounded to float32.
      const divisor = 1 / norm.scale;
      const wholeDivisor = Math.abs(divisor - Math.round(divisor)) < 1e-9 ? Math.round(divisor) : null;
      const [mean32, std32] = [Math.fround(m), Math.fround(std[c])];
      for (let pixel = 0; pixel < 256; pixel++) {
        const scaled = wholeDivisor === null ? Math.fround(pixel * Math.fround(norm.scale)) : Math.fround(pixel / wholeDivisor);
        table[pixel] = Math.fround(Math.fround(scaled - mean32) / std32);
      }
      return table;
    }
    for (let pixel = 0; pixel < 256; pixel++) table[pixel] = (pixel * norm.scale - m) / std[c];
    return table;
  });
}

function perChannel(values: readonly number[], channels: number, name: string): number[] {
  if (values.length === 1) return new Array<number>(channels).fill(values[0]);
  if (values.length === channels) return [...values];
  throw new UserError(`preprocess.${name}: has ${values.length} values but the images have ${channels} channel${channels === 1 ? '' : 's'} (give 1 or ${channels})`);
}
