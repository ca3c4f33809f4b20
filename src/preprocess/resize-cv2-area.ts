/**
 * cv2.resize INTER_AREA when no axis is enlarged (scale = in / out ≥ 1 on both), ported from
 * OpenCV's resize.cpp (resizeAreaFast_, computeResizeAreaTab, ResizeArea_Invoker). Two paths:
 *
 * - integer factors on both axes (|scale - round(scale)| < DBL_EPSILON): each output pixel is
 *   the mean of its kx × ky block. For 2 × 2 (1, 3 or 4 channels) OpenCV rounds the integer sum
 *   as (sum + 2) >> 2; otherwise it multiplies the int sum by the float 1 / (kx·ky) and rounds
 *   half to even (cvRound), so a 1 × 2 block with sum 5 gives 2, not 3.
 * - any other ratio: every source pixel contributes to each output cell it overlaps, with float32
 *   weights (overlap / cell width); rows are accumulated in float32, in OpenCV's order, and the
 *   result rounded half to even. Every float32 operation is reproduced with Math.fround.
 */
import { roundHalfEven } from './round.js';

export function resizeAreaShrink(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  const scaleX = 1 / (outWidth / width);
  const scaleY = 1 / (outHeight / height);
  const blockX = roundHalfEven(scaleX);
  const blockY = roundHalfEven(scaleY);
  if (Math.abs(scaleX - blockX) < Number.EPSILON && Math.abs(scaleY - blockY) < Number.EPSILON) {
    return areaIntegerBlocks(src, width, channels, outWidth, outHeight, blockX, blockY);
  }
  return areaWeighted(src, width, height, channels, outWidth, outHeight, scaleX, scaleY);
}

/** resizeAreaFast_: the source is exactly blockX·outWidth × blockY·outHeight here. */
function areaIntegerBlocks(src: Uint8Array, width: number, channels: number, outWidth: number, outHeight: number, blockX: number, blockY: number): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * channels);
  const stride = width * channels;
  const area = blockX * blockY;
  const halving = blockX === 2 && blockY === 2;
  const inverseArea = Math.fround(1 / area); // float scale = 1.f / area
  for (let dy = 0, o = 0; dy < outHeight; dy++) {
    const rowStart = dy * blockY * stride;
    for (let dx = 0; dx < outWidth; dx++) {
      const cell = rowStart + dx * blockX * channels;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let y = 0; y < blockY; y++) {
          for (let x = 0; x < blockX; x++) sum += src[cell + y * stride + x * channels + c];
        }
        out[o++] = halving ? (sum + 2) >> 2 : saturate8(Math.fround(sum * inverseArea));
      }
    }
  }
  return out;
}

/** One entry of computeResizeAreaTab: source index si adds weight·pixel to output index di. */
interface AreaTable {
  source: Int32Array;
  target: Int32Array;
  weight: Float32Array;
  length: number;
}

/** computeResizeAreaTab, in double like OpenCV, weights stored as float. */
function areaTable(inSize: number, outSize: number, channels: number, scale: number): AreaTable {
  const capacity = inSize * 2;
  const table: AreaTable = { source: new Int32Array(capacity), target: new Int32Array(capacity), weight: new Float32Array(capacity), length: 0 };
  const push = (source: number, target: number, weight: number) => {
    table.source[table.length] = source * channels;
    table.target[table.length] = target * channels;
    table.weight[table.length++] = weight;
  };
  for (let d = 0; d < outSize; d++) {
    const start = d * scale;
    const end = start + scale;
    const cellWidth = Math.min(scale, inSize - start);
    let first = Math.ceil(start);
    const last = Math.min(Math.floor(end), inSize - 1);
    first = Math.min(first, last);
    if (first - start > 1e-3) push(first - 1, d, (first - start) / cellWidth);
    for (let s = first; s < last; s++) push(s, d, 1 / cellWidth);
    if (end - last > 1e-3) push(last, d, Math.min(Math.min(end - last, 1), cellWidth) / cellWidth);
  }
  return table;
}

/** ResizeArea_Invoker<uchar, float>: a float row buffer per source row, summed into the output row. */
function areaWeighted(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number, scaleX: number, scaleY: number): Uint8Array {
  const xTable = areaTable(width, outWidth, channels, scaleX);
  const yTable = areaTable(height, outHeight, 1, scaleY);
  const rowLength = outWidth * channels;
  const out = new Uint8Array(outHeight * rowLength);
  const buffer = new Float32Array(rowLength);
  const sum = new Float32Array(rowLength);
  const fround = Math.fround;
  let previousRow = yTable.target[0];
  for (let j = 0; j < yTable.length; j++) {
    const beta = yTable.weight[j];
    const dy = yTable.target[j];
    const rowStart = yTable.source[j] * width * channels;
    buffer.fill(0);
    for (let k = 0; k < xTable.length; k++) {
      const s = rowStart + xTable.source[k];
      const d = xTable.target[k];
      const alpha = xTable.weight[k];
      for (let c = 0; c < channels; c++) buffer[d + c] += fround(src[s + c] * alpha); // Float32Array rounds the sum
    }
    if (dy !== previousRow) {
      storeRow(sum, out, previousRow * rowLength);
      for (let i = 0; i < rowLength; i++) sum[i] = beta * buffer[i];
      previousRow = dy;
    } else {
      for (let i = 0; i < rowLength; i++) sum[i] += fround(beta * buffer[i]);
    }
  }
  storeRow(sum, out, previousRow * rowLength);
  return out;
}

function storeRow(sum: Float32Array, out: Uint8Array, offset: number): void {
  for (let i = 0; i < sum.length; i++) out[offset + i] = saturate8(sum[i]);
}

/** saturate_cast<uchar>(float): cvRound (half to even), then clamped to 0..255. */
function saturate8(value: number): number {
  const rounded = roundHalfEven(value);
  return rounded < 0 ? 0 : rounded > 255 ? 255 : rounded;
}
