/**
 * cv2.resize for 8-bit images, with OpenCV's own arithmetic: a port of cv::hal::resize in
 * modules/imgproc/src/resize.cpp (read in its 4.x form), byte-identical to opencv-python-headless
 * 5.0.0.93 (OpenCV 5.0.0) on the committed fixtures (__tests__/preprocess/resize-cv2.test.ts).
 *
 * - cv2-linear = INTER_LINEAR: 2 taps at half-pixel centres, sx = floor((dx + 0.5)·scale - 0.5),
 *   computed in float. The weights are 11-bit fixed point (INTER_RESIZE_COEF_SCALE = 2048), the
 *   horizontal pass is exact in int32, and the vertical pass is OpenCV's 8-bit shortcut
 *   ((b0·(S0 >> 4)) >> 16) + ((b1·(S1 >> 4)) >> 16) + 2) >> 2 (the SIMD and the scalar code agree on
 *   it). It never averages more than 2 pixels, so shrinking by more than 2× aliases, unlike PIL.
 *   OpenCV turns an exact 2× shrink on both axes into INTER_AREA, and so does this port.
 * - cv2-area = INTER_AREA: box averaging when shrinking (resize-cv2-area.ts); when either axis is
 *   enlarged OpenCV runs the linear code above with "area" taps instead (both axes).
 * - cv2-nearest = INTER_NEAREST: sx = min(floor(dx · (1 / (outW / inW))), inW - 1), no half-pixel
 *   offset (INTER_NEAREST_EXACT, which has one, is a different mode and is not ported).
 *
 * IPP is not involved: OpenCV's IPP path refuses 8-bit linear, area and nearest resizes unless
 * cv::ipp::setUseIPP_NotExact(true) is called, which opencv-python never does.
 */
import type { Cv2ResizeKernel } from '../config/types.js';
import { resizeAreaShrink } from './resize-cv2-area.js';
import { roundHalfEven } from './round.js';

/** INTER_RESIZE_COEF_SCALE: the fixed-point one of the linear weights (11 bits). */
const COEF_SCALE = 2048;

/** Pure function of the pixels: HWC uint8 with 1 or 3 channels in, outWidth × outHeight out. */
export function resizeCv2(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number, kernel: Cv2ResizeKernel): Uint8Array {
  checkSizes(src, width, height, channels, outWidth, outHeight);
  if (outWidth === width && outHeight === height) return src; // cv::resize copies in this case
  if (kernel === 'cv2-nearest') return resizeCv2Nearest(src, width, height, channels, outWidth, outHeight);
  // hal::resize works with scale = 1 / (out / in), in double, like this.
  const scaleX = 1 / (outWidth / width);
  const scaleY = 1 / (outHeight / height);
  const exactHalving = scaleX === 2 && scaleY === 2; // |scale - 2| < DBL_EPSILON only when it is exactly 2
  if (kernel === 'cv2-area' ? scaleX >= 1 && scaleY >= 1 : exactHalving) {
    return resizeAreaShrink(src, width, height, channels, outWidth, outHeight);
  }
  return resizeLinearGeneric(src, width, height, channels, outWidth, outHeight, kernel === 'cv2-area');
}

export function resizeCv2Nearest(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  const columns = nearestOffsets(width, outWidth);
  const rows = nearestOffsets(height, outHeight);
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let y = 0, o = 0; y < outHeight; y++) {
    const rowStart = rows[y] * width * channels;
    for (let x = 0; x < outWidth; x++) {
      const from = rowStart + columns[x] * channels;
      for (let c = 0; c < channels; c++) out[o++] = src[from + c];
    }
  }
  return out;
}

/** resizeNN: ifx = 1 / (out / in) in double, then floor(x · ifx) clamped to the last pixel. */
function nearestOffsets(inSize: number, outSize: number): Int32Array {
  const inverse = 1 / (outSize / inSize);
  const offsets = new Int32Array(outSize);
  for (let d = 0; d < outSize; d++) offsets[d] = Math.min(Math.floor(d * inverse), inSize - 1);
  return offsets;
}

/** One axis of the generic 2-tap path: per output pixel its first source pixel and two weights. */
interface Taps {
  offsets: Int32Array;
  weights: Int32Array;
  /** x only: the first output pixel whose second tap falls outside (xmax); from there it copies the edge. */
  inside: number;
}

/**
 * The coefficient loops of hal::resize for ksize 2. Linear: fx = (float)((d + 0.5)·scale - 0.5);
 * area (enlarging): sx = floor(d·scale), fx = (float)((d + 1) - (sx + 1)/scale), fractional part.
 * The weights are saturate_cast<short>((1 - fx)·2048) and (fx·2048), rounded half to even like
 * cvRound. Only x is clamped here; y offsets stay as computed and their rows are clamped on use.
 */
function axisTaps(inSize: number, outSize: number, area: boolean, clamp: boolean): Taps {
  const inverseScale = outSize / inSize;
  const scale = 1 / inverseScale;
  const offsets = new Int32Array(outSize);
  const weights = new Int32Array(outSize * 2);
  let inside = outSize;
  for (let d = 0; d < outSize; d++) {
    let s: number;
    let f: number;
    if (!area) {
      f = Math.fround((d + 0.5) * scale - 0.5);
      s = Math.floor(f);
      f = Math.fround(f - s);
    } else {
      s = Math.floor(d * scale);
      f = Math.fround(d + 1 - (s + 1) * inverseScale);
      f = f <= 0 ? 0 : Math.fround(f - Math.floor(f));
    }
    if (clamp) {
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s + 1 >= inSize) {
        inside = Math.min(inside, d);
        if (s >= inSize - 1) {
          f = 0;
          s = inSize - 1;
        }
      }
    }
    offsets[d] = s;
    weights[2 * d] = roundHalfEven(Math.fround(1 - f) * COEF_SCALE);
    weights[2 * d + 1] = roundHalfEven(f * COEF_SCALE);
  }
  return { offsets, weights, inside };
}

/** resizeGeneric_ with HResizeLinear<uchar, int, short> and the 8-bit VResizeLinear. */
function resizeLinearGeneric(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number, area: boolean): Uint8Array {
  const xTaps = axisTaps(width, outWidth, area, true);
  const yTaps = axisTaps(height, outHeight, area, false);
  const rowLength = outWidth * channels;
  const horizontal = new Array<Int32Array | undefined>(height); // source row → its horizontal pass, computed once
  const rowAt = (y: number): Int32Array => (horizontal[y] ??= horizontalPass(src, y * width * channels, channels, xTaps, outWidth));
  const out = new Uint8Array(outHeight * rowLength);
  for (let dy = 0; dy < outHeight; dy++) {
    const sy = yTaps.offsets[dy];
    const row0 = rowAt(clampRow(sy, height));
    const row1 = rowAt(clampRow(sy + 1, height));
    const b0 = yTaps.weights[2 * dy];
    const b1 = yTaps.weights[2 * dy + 1];
    const base = dy * rowLength;
    for (let i = 0; i < rowLength; i++) {
      out[base + i] = (((b0 * (row0[i] >> 4)) >> 16) + ((b1 * (row1[i] >> 4)) >> 16) + 2) >> 2;
    }
  }
  return out;
}

/** clip(sy, 0, height) of resizeGeneric_Invoker. */
function clampRow(y: number, height: number): number {
  return y < 0 ? 0 : y < height ? y : height - 1;
}

/** HResizeLinear: S[sx]·a0 + S[sx + cn]·a1 in int32 (exact), the edge pixel · 2048 from xmax on. */
function horizontalPass(src: Uint8Array, rowStart: number, channels: number, taps: Taps, outWidth: number): Int32Array {
  const out = new Int32Array(outWidth * channels);
  for (let d = 0, o = 0; d < outWidth; d++) {
    const s = rowStart + taps.offsets[d] * channels;
    if (d < taps.inside) {
      const a0 = taps.weights[2 * d];
      const a1 = taps.weights[2 * d + 1];
      for (let c = 0; c < channels; c++) out[o++] = src[s + c] * a0 + src[s + channels + c] * a1;
    } else {
      for (let c = 0; c < channels; c++) out[o++] = src[s + c] * COEF_SCALE;
    }
  }
  return out;
}

function checkSizes(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): void {
  for (const n of [width, height, outWidth, outHeight]) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`resizeCv2: sizes must be positive integers, got ${width}x${height} → ${outWidth}x${outHeight}`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`resizeCv2: 1 or 3 channels, got ${channels}`);
  if (src.length !== width * height * channels) throw new RangeError(`resizeCv2: ${src.length} bytes for ${width}x${height}x${channels}`);
}
