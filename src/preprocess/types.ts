/** The preprocess stage's data: resolved specs, per-image geometry and decoded pixels. */
import type { DecodeSpec } from '../config/types.js';
import type { ImageGeometry } from '../contracts/tensors.js';
import type { RectBatches } from './ultralytics-val.js';

/**
 * Decoded, resized pixels of some images: uint8, HWC, channels in the order `color` asks (bgr
 * swaps R and B). `pixels` may live in a SharedArrayBuffer that decode workers wrote into.
 */
export interface DecodedImages {
  count: number;
  height: number;
  width: number;
  channels: 1 | 3;
  pixels: Uint8Array;
  geometry: ImageGeometry[];
}

/**
 * A DecodeSpec with its size known. For rect, `size` is the set-wide input size (rectInputSize)
 * and `fitWithin` the bound [H, W] the resize ratio is taken from (the configured size).
 */
export type ResolvedDecodeSpec = DecodeSpec & {
  size: readonly [number, number];
  fitWithin?: readonly [number, number] | null;
  /**
   * ultralytics-val with rect: the stream order and each batch's shape. Batch k of the stream is
   * decoded at shapes[k]; `size` is then the largest shape (what a chunk must hold room for).
   */
  rectBatches?: RectBatches | null;
};

/** Bytes of one decoded image of `spec`. */
export function imageBytes(spec: ResolvedDecodeSpec): number {
  return spec.size[0] * spec.size[1] * (spec.color === 'gray' ? 1 : 3);
}
