import { createRequire as __mgCreateRequire } from 'node:module';
const require = __mgCreateRequire(import.meta.url);

// src/preprocess/decode-worker.ts
import { parentPort } from "node:worker_threads";

// src/errors.ts
var UserError = class extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "UserError";
  }
};

// src/evalset/integrity.ts
import { createHash, randomBytes } from "node:crypto";
var CachedFileChangedError = class extends UserError {
  constructor(file) {
    super(`${file} is not the file extracted from the verified eval-set archive (its sha256 changed).`);
    this.file = file;
    this.name = "CachedFileChangedError";
  }
  file;
};
function sha256Hex(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}
function checkFileBytes(file, bytes, expected) {
  if (expected && sha256Hex(bytes) !== expected) throw new CachedFileChangedError(file);
}

// src/preprocess/decode-file.ts
import { readFileSync } from "node:fs";

// src/preprocess/color.ts
function pilLuma(r, g, b) {
  return r * 19595 + g * 38470 + b * 7471 + 32768 >>> 16;
}
function convertColor(image, color) {
  const pixelCount = image.width * image.height;
  const { data: src, channels: srcChannels } = image;
  if (color === "gray") {
    if (srcChannels === 1) return { channels: 1, data: src };
    const out2 = new Uint8Array(pixelCount);
    if (srcChannels === 2) {
      for (let i = 0; i < pixelCount; i++) out2[i] = src[2 * i];
    } else {
      for (let i = 0, s = 0; i < pixelCount; i++, s += srcChannels) out2[i] = pilLuma(src[s], src[s + 1], src[s + 2]);
    }
    return { channels: 1, data: out2 };
  }
  const swap = color === "bgr";
  if (srcChannels === 3 && !swap) return { channels: 3, data: src };
  const out = new Uint8Array(pixelCount * 3);
  if (srcChannels <= 2) {
    for (let i = 0, s = 0; i < pixelCount; i++, s += srcChannels) {
      const gray = src[s];
      out[3 * i] = gray;
      out[3 * i + 1] = gray;
      out[3 * i + 2] = gray;
    }
  } else {
    const [first, last] = swap ? [2, 0] : [0, 2];
    for (let i = 0, s = 0; i < pixelCount; i++, s += srcChannels) {
      out[3 * i] = src[s + first];
      out[3 * i + 1] = src[s + 1];
      out[3 * i + 2] = src[s + last];
    }
  }
  return { channels: 3, data: out };
}

// src/preprocess/round.ts
function roundHalfEven(value) {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

// src/preprocess/rect.ts
function letterboxRatio(width, height, bound, scaleup) {
  const ratio = Math.min(bound[0] / height, bound[1] / width);
  return scaleup ? ratio : Math.min(ratio, 1);
}
function resizedSize(width, height, ratio) {
  return { width: Math.max(1, roundHalfEven(width * ratio)), height: Math.max(1, roundHalfEven(height * ratio)) };
}
function planFit(width, height, bound, target, scaleup) {
  const resized = resizedSize(width, height, letterboxRatio(width, height, bound, scaleup));
  const [targetHeight, targetWidth] = target;
  if (resized.width > targetWidth || resized.height > targetHeight) {
    throw new RangeError(`planFit: ${width}x${height} resized to ${resized.width}x${resized.height} does not fit the ${targetWidth}x${targetHeight} input`);
  }
  return {
    resizedWidth: resized.width,
    resizedHeight: resized.height,
    geometry: {
      width,
      height,
      scaleX: resized.width / width,
      scaleY: resized.height / height,
      padLeft: roundHalfEven((targetWidth - resized.width) / 2 - 0.1),
      padTop: roundHalfEven((targetHeight - resized.height) / 2 - 0.1),
      cropLeft: 0,
      cropTop: 0
    }
  };
}

// src/preprocess/ultralytics-val.ts
function planUltralyticsVal(width, height, imgsz, target) {
  const r = imgsz / Math.max(height, width);
  const [resizedWidth, resizedHeight] = r === 1 ? [width, height] : [Math.min(Math.ceil(width * r), imgsz), Math.min(Math.ceil(height * r), imgsz)];
  const [targetHeight, targetWidth] = target;
  if (resizedWidth > targetWidth || resizedHeight > targetHeight) {
    throw new RangeError(`planUltralyticsVal: ${width}x${height} resized to ${resizedWidth}x${resizedHeight} does not fit the ${targetWidth}x${targetHeight} batch shape`);
  }
  const gain = resizedHeight / height;
  const geometry = {
    width,
    height,
    scaleX: gain,
    scaleY: gain,
    padLeft: roundHalfEven((targetWidth - resizedWidth) / 2 - 0.1),
    padTop: roundHalfEven((targetHeight - resizedHeight) / 2 - 0.1),
    cropLeft: 0,
    cropTop: 0
  };
  return { resizedWidth, resizedHeight, geometry };
}

// src/preprocess/geometry.ts
function planResize(width, height, spec) {
  const [targetHeight, targetWidth] = spec.size;
  if (spec.resize === "stretch") {
    return makePlan(width, height, targetWidth, targetHeight, { left: 0, top: 0 }, { left: 0, top: 0 }, 0);
  }
  if (spec.resize === "center-crop") {
    const shortTarget = Math.max(1, roundHalfEven(Math.min(targetHeight, targetWidth) / spec.cropRatio));
    const [short, long] = width <= height ? [width, height] : [height, width];
    const longTarget = Math.max(1, Math.floor(shortTarget * long / short));
    const [resizedWidth, resizedHeight] = width <= height ? [shortTarget, longTarget] : [longTarget, shortTarget];
    const [cropLeft, padLeft] = centreOffsets(resizedWidth, targetWidth);
    const [cropTop, padTop] = centreOffsets(resizedHeight, targetHeight);
    return makePlan(width, height, resizedWidth, resizedHeight, { left: cropLeft, top: cropTop }, { left: padLeft, top: padTop }, 0);
  }
  if (spec.resize === "ultralytics-val") {
    const fit2 = planUltralyticsVal(width, height, (spec.fitWithin ?? spec.size)[0], spec.size);
    return { resizedWidth: fit2.resizedWidth, resizedHeight: fit2.resizedHeight, geometry: fit2.geometry, fill: spec.padValue };
  }
  const bound = spec.resize === "rect" ? spec.fitWithin ?? spec.size : spec.size;
  const fit = planFit(width, height, bound, spec.size, spec.scaleup ?? true);
  return { resizedWidth: fit.resizedWidth, resizedHeight: fit.resizedHeight, geometry: fit.geometry, fill: spec.padValue };
}
function centreOffsets(resized, target) {
  if (resized >= target) return [roundHalfEven((resized - target) / 2), 0];
  return [0, Math.floor((target - resized) / 2)];
}
function makePlan(width, height, resizedWidth, resizedHeight, crop, pad, fill) {
  return {
    resizedWidth,
    resizedHeight,
    fill,
    geometry: {
      width,
      height,
      scaleX: resizedWidth / width,
      scaleY: resizedHeight / height,
      padLeft: pad.left,
      padTop: pad.top,
      cropLeft: crop.left,
      cropTop: crop.top
    }
  };
}
function keptWindow(plan, slot) {
  const { padLeft, padTop, cropLeft, cropTop } = plan.geometry;
  const width = Math.max(0, Math.min(slot.width - padLeft, plan.resizedWidth - cropLeft));
  const height = Math.max(0, Math.min(slot.height - padTop, plan.resizedHeight - cropTop));
  return { left: cropLeft, top: cropTop, width, height };
}
function windowPlan(plan, window) {
  return { ...plan, resizedWidth: window.width, resizedHeight: window.height, geometry: { ...plan.geometry, cropLeft: 0, cropTop: 0 } };
}
function placeInto(resized, plan, slot) {
  const { padLeft, padTop, cropLeft, cropTop } = plan.geometry;
  const { out, offset, width, height, channels } = slot;
  const copyWidth = Math.min(width - padLeft, plan.resizedWidth - cropLeft);
  const copyHeight = Math.min(height - padTop, plan.resizedHeight - cropTop);
  if (copyWidth === width && plan.resizedWidth === width && copyHeight === height && cropTop === 0) {
    out.set(resized.subarray(0, width * height * channels), offset);
    return;
  }
  if (copyWidth < width || copyHeight < height) out.fill(plan.fill, offset, offset + width * height * channels);
  for (let y = 0; y < copyHeight; y++) {
    const from = ((y + cropTop) * plan.resizedWidth + cropLeft) * channels;
    const to = offset + ((y + padTop) * width + padLeft) * channels;
    out.set(resized.subarray(from, from + copyWidth * channels), to);
  }
}

// src/preprocess/png.ts
import * as zlib from "node:zlib";
var PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
var MAX_PIXELS = 16383 * 16383;
var crc322 = zlib.crc32;
var ColorType = { Gray: 0, Rgb: 2, Palette: 3, GrayAlpha: 4, Rgba: 6 };
function isPng(bytes) {
  if (bytes.length < PNG_SIGNATURE.length) return false;
  return PNG_SIGNATURE.every((value, i) => bytes[i] === value);
}
function decodePngFast(bytes) {
  if (!isPng(bytes)) return null;
  const chunks = readChunks(bytes);
  if (chunks === null) return null;
  const header = parseHeader(chunks.ihdr);
  if (header === null) return null;
  const samplesPerPixel = SAMPLES_PER_PIXEL[header.colorType];
  const stride = Math.ceil(header.width * samplesPerPixel * header.bitDepth / 8);
  const expectedLength = header.height * (stride + 1);
  let inflated;
  try {
    inflated = zlib.inflateSync(Buffer.concat(chunks.idat), { maxOutputLength: expectedLength + 1 });
  } catch {
    return null;
  }
  if (inflated.length !== expectedLength) return null;
  const bytesPerPixel = Math.max(1, samplesPerPixel * header.bitDepth / 8);
  const rows = unfilter(inflated, header.height, stride, bytesPerPixel);
  if (rows === null) return null;
  return expandPixels(rows, header, stride, chunks.plte);
}
var SAMPLES_PER_PIXEL = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
function readChunks(bytes) {
  let pos = PNG_SIGNATURE.length;
  let ihdr = null;
  let plte = null;
  const idat = [];
  while (pos + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(pos);
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (length > 2147483647 || dataEnd + 4 > bytes.length) return null;
    if (crc322 !== void 0 && crc322(bytes.subarray(pos + 4, dataEnd)) !== bytes.readUInt32BE(dataEnd)) return null;
    const type = bytes.toString("latin1", pos + 4, dataStart);
    const data = bytes.subarray(dataStart, dataEnd);
    if (ihdr === null && type !== "IHDR") return null;
    if (type === "IHDR") ihdr = data;
    else if (type === "PLTE") plte = data;
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") return ihdr !== null && idat.length > 0 ? { ihdr, plte, idat } : null;
    pos = dataEnd + 4;
  }
  return null;
}
function parseHeader(ihdr) {
  if (ihdr.length !== 13) return null;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bitDepth = ihdr[8];
  const colorType = ihdr[9];
  const [compression, filterMethod, interlace] = [ihdr[10], ihdr[11], ihdr[12]];
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) return null;
  if (compression !== 0 || filterMethod !== 0 || interlace !== 0) return null;
  const supported = bitDepth === 8 ? [ColorType.Gray, ColorType.Rgb, ColorType.Palette, ColorType.GrayAlpha, ColorType.Rgba].includes(colorType) : [1, 2, 4].includes(bitDepth) && (colorType === ColorType.Gray || colorType === ColorType.Palette);
  return supported ? { width, height, bitDepth, colorType } : null;
}
function unfilter(inflated, height, stride, bpp) {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filterType = inflated[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride;
    switch (filterType) {
      case 0:
        out.set(inflated.subarray(src, src + stride), row);
        break;
      case 1:
        for (let i = 0; i < stride; i++) out[row + i] = inflated[src + i] + (i >= bpp ? out[row + i - bpp] : 0);
        break;
      case 2:
        for (let i = 0; i < stride; i++) out[row + i] = inflated[src + i] + (y > 0 ? out[up + i] : 0);
        break;
      case 3:
        for (let i = 0; i < stride; i++) {
          const left = i >= bpp ? out[row + i - bpp] : 0;
          const above = y > 0 ? out[up + i] : 0;
          out[row + i] = inflated[src + i] + (left + above >> 1);
        }
        break;
      case 4:
        for (let i = 0; i < stride; i++) {
          const left = i >= bpp ? out[row + i - bpp] : 0;
          const above = y > 0 ? out[up + i] : 0;
          const upperLeft = i >= bpp && y > 0 ? out[up + i - bpp] : 0;
          out[row + i] = inflated[src + i] + paeth(left, above, upperLeft);
        }
        break;
      default:
        return null;
    }
  }
  return out;
}
function paeth(left, above, upperLeft) {
  const estimate = left + above - upperLeft;
  const toLeft = Math.abs(estimate - left);
  const toAbove = Math.abs(estimate - above);
  const toUpperLeft = Math.abs(estimate - upperLeft);
  if (toLeft <= toAbove && toLeft <= toUpperLeft) return left;
  return toAbove <= toUpperLeft ? above : upperLeft;
}
function expandPixels(rows, header, stride, plte) {
  const { width, height, bitDepth, colorType } = header;
  if (colorType !== ColorType.Palette) {
    const channels = SAMPLES_PER_PIXEL[colorType];
    if (bitDepth === 8) return { width, height, channels, data: rows };
    const scale = 255 / ((1 << bitDepth) - 1);
    const data2 = unpackSamples(rows, width, height, stride, bitDepth);
    for (let i = 0; i < data2.length; i++) data2[i] = data2[i] * scale;
    return { width, height, channels: 1, data: data2 };
  }
  if (plte === null || plte.length % 3 !== 0) return null;
  const entries = plte.length / 3;
  const indices = bitDepth === 8 ? rows : unpackSamples(rows, width, height, stride, bitDepth);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (index >= entries) return null;
    data[3 * i] = plte[3 * index];
    data[3 * i + 1] = plte[3 * index + 1];
    data[3 * i + 2] = plte[3 * index + 2];
  }
  return { width, height, channels: 3, data };
}
function unpackSamples(rows, width, height, stride, bitDepth) {
  const out = new Uint8Array(width * height);
  const mask = (1 << bitDepth) - 1;
  const perByte = 8 / bitDepth;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = rows[y * stride + Math.floor(x / perByte)];
      const shift = 8 - bitDepth * (x % perByte + 1);
      out[y * width + x] = byte >> shift & mask;
    }
  }
  return out;
}

// src/preprocess/resize-cv2-area.ts
function resizeAreaShrink(src, width, height, channels, outWidth, outHeight) {
  const scaleX = 1 / (outWidth / width);
  const scaleY = 1 / (outHeight / height);
  const blockX = roundHalfEven(scaleX);
  const blockY = roundHalfEven(scaleY);
  if (Math.abs(scaleX - blockX) < Number.EPSILON && Math.abs(scaleY - blockY) < Number.EPSILON) {
    return areaIntegerBlocks(src, width, channels, outWidth, outHeight, blockX, blockY);
  }
  return areaWeighted(src, width, height, channels, outWidth, outHeight, scaleX, scaleY);
}
function areaIntegerBlocks(src, width, channels, outWidth, outHeight, blockX, blockY) {
  const out = new Uint8Array(outWidth * outHeight * channels);
  const stride = width * channels;
  const area = blockX * blockY;
  const halving = blockX === 2 && blockY === 2;
  const inverseArea = Math.fround(1 / area);
  for (let dy = 0, o = 0; dy < outHeight; dy++) {
    const rowStart = dy * blockY * stride;
    for (let dx = 0; dx < outWidth; dx++) {
      const cell = rowStart + dx * blockX * channels;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let y = 0; y < blockY; y++) {
          for (let x = 0; x < blockX; x++) sum += src[cell + y * stride + x * channels + c];
        }
        out[o++] = halving ? sum + 2 >> 2 : saturate8(Math.fround(sum * inverseArea));
      }
    }
  }
  return out;
}
function areaTable(inSize, outSize, channels, scale) {
  const capacity = inSize * 2;
  const table = { source: new Int32Array(capacity), target: new Int32Array(capacity), weight: new Float32Array(capacity), length: 0 };
  const push = (source, target, weight) => {
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
function areaWeighted(src, width, height, channels, outWidth, outHeight, scaleX, scaleY) {
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
      for (let c = 0; c < channels; c++) buffer[d + c] += fround(src[s + c] * alpha);
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
function storeRow(sum, out, offset) {
  for (let i = 0; i < sum.length; i++) out[offset + i] = saturate8(sum[i]);
}
function saturate8(value) {
  const rounded = roundHalfEven(value);
  return rounded < 0 ? 0 : rounded > 255 ? 255 : rounded;
}

// src/preprocess/resize-cv2.ts
var COEF_SCALE = 2048;
function resizeCv2(src, width, height, channels, outWidth, outHeight, kernel) {
  checkSizes(src, width, height, channels, outWidth, outHeight);
  if (outWidth === width && outHeight === height) return src;
  if (kernel === "cv2-nearest") return resizeCv2Nearest(src, width, height, channels, outWidth, outHeight);
  const scaleX = 1 / (outWidth / width);
  const scaleY = 1 / (outHeight / height);
  const exactHalving = scaleX === 2 && scaleY === 2;
  if (kernel === "cv2-area" ? scaleX >= 1 && scaleY >= 1 : exactHalving) {
    return resizeAreaShrink(src, width, height, channels, outWidth, outHeight);
  }
  return resizeLinearGeneric(src, width, height, channels, outWidth, outHeight, kernel === "cv2-area");
}
function resizeCv2Nearest(src, width, height, channels, outWidth, outHeight) {
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
function nearestOffsets(inSize, outSize) {
  const inverse = 1 / (outSize / inSize);
  const offsets = new Int32Array(outSize);
  for (let d = 0; d < outSize; d++) offsets[d] = Math.min(Math.floor(d * inverse), inSize - 1);
  return offsets;
}
function axisTaps(inSize, outSize, area, clamp) {
  const inverseScale = outSize / inSize;
  const scale = 1 / inverseScale;
  const offsets = new Int32Array(outSize);
  const weights = new Int32Array(outSize * 2);
  let inside = outSize;
  for (let d = 0; d < outSize; d++) {
    let s;
    let f;
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
function resizeLinearGeneric(src, width, height, channels, outWidth, outHeight, area) {
  const xTaps = axisTaps(width, outWidth, area, true);
  const yTaps = axisTaps(height, outHeight, area, false);
  const rowLength = outWidth * channels;
  const horizontal = new Array(height);
  const rowAt = (y) => horizontal[y] ??= horizontalPass(src, y * width * channels, channels, xTaps, outWidth);
  const out = new Uint8Array(outHeight * rowLength);
  for (let dy = 0; dy < outHeight; dy++) {
    const sy = yTaps.offsets[dy];
    const row0 = rowAt(clampRow(sy, height));
    const row1 = rowAt(clampRow(sy + 1, height));
    const b0 = yTaps.weights[2 * dy];
    const b1 = yTaps.weights[2 * dy + 1];
    const base = dy * rowLength;
    for (let i = 0; i < rowLength; i++) {
      out[base + i] = (b0 * (row0[i] >> 4) >> 16) + (b1 * (row1[i] >> 4) >> 16) + 2 >> 2;
    }
  }
  return out;
}
function clampRow(y, height) {
  return y < 0 ? 0 : y < height ? y : height - 1;
}
function horizontalPass(src, rowStart, channels, taps, outWidth) {
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
function checkSizes(src, width, height, channels, outWidth, outHeight) {
  for (const n of [width, height, outWidth, outHeight]) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`resizeCv2: sizes must be positive integers, got ${width}x${height} \u2192 ${outWidth}x${outHeight}`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`resizeCv2: 1 or 3 channels, got ${channels}`);
  if (src.length !== width * height * channels) throw new RangeError(`resizeCv2: ${src.length} bytes for ${width}x${height}x${channels}`);
}

// src/preprocess/resize.ts
var PRECISION_BITS = 32 - 8 - 2;
var HALF = 1 << PRECISION_BITS - 1;
var BICUBIC_A = -0.5;
var FILTERS = {
  linear: {
    support: 1,
    weight: (x) => {
      const d = Math.abs(x);
      return d < 1 ? 1 - d : 0;
    }
  },
  cubic: {
    support: 2,
    weight: (x) => {
      const d = Math.abs(x);
      if (d < 1) return ((BICUBIC_A + 2) * d - (BICUBIC_A + 3)) * d * d + 1;
      if (d < 2) return (((d - 5) * d + 8) * d - 4) * BICUBIC_A;
      return 0;
    }
  },
  lanczos3: {
    support: 3,
    weight: (x) => -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0
  }
};
function sinc(x) {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}
function resizePixels(src, width, height, channels, outWidth, outHeight, kernel, window = { left: 0, top: 0, width: outWidth, height: outHeight }) {
  if (window.width <= 0 || window.height <= 0) return new Uint8Array(0);
  const whole = window.left === 0 && window.top === 0 && window.width === outWidth && window.height === outHeight;
  if (kernel === "cv2-linear" || kernel === "cv2-area" || kernel === "cv2-nearest") {
    const full = outWidth === width && outHeight === height ? src : resizeCv2(src, width, height, channels, outWidth, outHeight, kernel);
    return whole ? full : cropPixels(full, outWidth, channels, window);
  }
  if (kernel === "nearest" || outWidth === width && outHeight === height) {
    const full = outWidth === width && outHeight === height ? src : resizeNearest(src, width, height, channels, outWidth, outHeight);
    return whole ? full : cropPixels(full, outWidth, channels, window);
  }
  const filter = FILTERS[kernel];
  const rows = [window.top, window.top + window.height];
  const vertical = outHeight !== height ? coefficients(height, outHeight, filter) : null;
  let image = src;
  let rowLength = width * channels;
  let firstRow = 0;
  if (outWidth !== width) {
    const [from, to] = vertical === null ? rows : rowsRead(vertical, rows[0], rows[1]);
    firstRow = from;
    image = resampleRows(src, width, channels, from, to, coefficients(width, outWidth, filter), window.left, window.left + window.width);
    rowLength = window.width * channels;
  } else if (vertical === null) {
    return cropPixels(src, width, channels, window);
  }
  if (vertical !== null) image = resampleColumns(image, rowLength, firstRow, vertical, rows[0], rows[1]);
  return outWidth === width && !whole ? cropPixels(image, width, channels, { ...window, top: 0 }) : image;
}
function rowsRead(k, first, last) {
  let to = 0;
  for (let y = first; y < last; y++) to = Math.max(to, k.bounds[2 * y] + k.bounds[2 * y + 1]);
  return [k.bounds[2 * first], to];
}
function cropPixels(src, width, channels, window) {
  const out = new Uint8Array(window.width * window.height * channels);
  for (let y = 0; y < window.height; y++) {
    const from = ((y + window.top) * width + window.left) * channels;
    out.set(src.subarray(from, from + window.width * channels), y * window.width * channels);
  }
  return out;
}
function coefficients(inSize, outSize, filter) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const size = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * size);
  const taps = new Float64Array(size);
  const inverseScale = 1 / filterScale;
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    const first = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - first;
    let total = 0;
    for (let t = 0; t < count; t++) {
      taps[t] = filter.weight((t + first - center + 0.5) * inverseScale);
      total += taps[t];
    }
    for (let t = 0; t < count; t++) {
      const normalized = total !== 0 ? taps[t] / total : taps[t];
      weights[out * size + t] = Math.trunc(normalized < 0 ? -0.5 + normalized * (1 << PRECISION_BITS) : 0.5 + normalized * (1 << PRECISION_BITS));
    }
    bounds[2 * out] = first;
    bounds[2 * out + 1] = count;
  }
  return { bounds, weights, size };
}
function clip8(sum) {
  const value = sum >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}
function resampleRows(src, width, channels, firstRow, lastRow, k, firstColumn, lastColumn) {
  const out = new Uint8Array((lastRow - firstRow) * (lastColumn - firstColumn) * channels);
  for (let y = firstRow, o = 0; y < lastRow; y++) {
    const rowStart = y * width * channels;
    for (let x = firstColumn; x < lastColumn; x++) {
      const start = rowStart + k.bounds[2 * x] * channels;
      const count = k.bounds[2 * x + 1];
      const w = x * k.size;
      if (channels === 3) {
        let r = HALF;
        let g = HALF;
        let b = HALF;
        for (let t = 0, p = start; t < count; t++, p += 3) {
          const weight = k.weights[w + t];
          r += src[p] * weight;
          g += src[p + 1] * weight;
          b += src[p + 2] * weight;
        }
        out[o++] = clip8(r);
        out[o++] = clip8(g);
        out[o++] = clip8(b);
        continue;
      }
      for (let c = 0; c < channels; c++) {
        let sum = HALF;
        for (let t = 0; t < count; t++) sum += src[start + t * channels + c] * k.weights[w + t];
        out[o++] = clip8(sum);
      }
    }
  }
  return out;
}
function resampleColumns(src, rowLength, firstRow, k, first, last) {
  const out = new Uint8Array((last - first) * rowLength);
  for (let y = first; y < last; y++) {
    const start = (k.bounds[2 * y] - firstRow) * rowLength;
    const count = k.bounds[2 * y + 1];
    const w = y * k.size;
    const o = (y - first) * rowLength;
    for (let i = 0; i < rowLength; i++) {
      let sum = HALF;
      for (let t = 0; t < count; t++) sum += src[start + t * rowLength + i] * k.weights[w + t];
      out[o + i] = clip8(sum);
    }
  }
  return out;
}
function resizeNearest(src, width, height, channels, outWidth, outHeight) {
  const columns = nearestIndices(width, outWidth);
  const rows = nearestIndices(height, outHeight);
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
function nearestIndices(inSize, outSize) {
  const scale = inSize / outSize;
  const indices = new Int32Array(outSize);
  let position = scale * 0.5;
  for (let i = 0; i < outSize; i++) {
    indices[i] = Math.min(inSize - 1, Math.trunc(position));
    position += scale;
  }
  return indices;
}

// src/preprocess/sharp-path.ts
var oneThread = false;
var loaded = null;
function sharpModule() {
  loaded ??= import("sharp").then(({ default: sharp }) => {
    if (oneThread) {
      sharp.concurrency(1);
      sharp.cache(false);
    }
    return sharp;
  });
  return loaded;
}
async function decodeWithSharp(bytes) {
  const { data, info } = await (await sharpModule())(bytes, { ignoreIcc: true }).removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`sharp returned ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
function useOneSharpThread() {
  oneThread = true;
}

// src/preprocess/decode-file.ts
async function decodeFileInto(file, targets, sha256 = null) {
  const bytes = readImageFile(file);
  checkFileBytes(file, bytes, sha256);
  const decoded = decodePngFast(bytes) ?? await decodeOrExplain(file, bytes);
  const byColor = /* @__PURE__ */ new Map();
  return targets.map(({ spec, slot }) => {
    let converted = byColor.get(spec.color);
    if (!converted) byColor.set(spec.color, converted = convertColor(decoded, spec.color));
    const plan = planResize(decoded.width, decoded.height, spec);
    const window = keptWindow(plan, slot);
    const resized = resizePixels(converted.data, decoded.width, decoded.height, converted.channels, plan.resizedWidth, plan.resizedHeight, spec.kernel, window);
    placeInto(resized, windowPlan(plan, window), slot);
    return plan.geometry;
  });
}
function readImageFile(file) {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = messageOf(error).split(", ")[0];
    throw new UserError(`${file}: cannot read file (${reason})`, { cause: error });
  }
}
async function decodeOrExplain(file, bytes) {
  try {
    return await decodeWithSharp(bytes);
  } catch (error) {
    const message = messageOf(error).trim();
    if (/pixel limit/i.test(message)) throw new UserError(`${file}: the image is too large to decode (sharp: ${message})`, { cause: error });
    const what = /unsupported image format|empty/i.test(message) ? "not an image" : "corrupt or unreadable image";
    throw new UserError(`${file}: ${what} (sharp: ${message})`, { cause: error });
  }
}
function messageOf(error) {
  const message = error?.message;
  return typeof message === "string" ? message : String(error);
}

// src/preprocess/decode-batch.ts
function slotOf(images, index) {
  const bytes = images.height * images.width * images.channels;
  return { out: images.pixels, offset: index * bytes, width: images.width, height: images.height, channels: images.channels };
}
async function decodeFilesInto(files, first, specs, images, concurrency, onFile = () => {
}, sha256 = []) {
  const geometry = new Array(files.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < files.length && !failed) {
      const i = next++;
      const targets = specs.map((spec, k) => ({ spec, slot: slotOf(images[k], first + i) }));
      try {
        geometry[i] = await decodeFileInto(files[i], targets, sha256[i] ?? null);
      } catch (error) {
        failed = true;
        throw error;
      }
      onFile();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker));
  return geometry;
}

// src/preprocess/decode-worker.ts
useOneSharpThread();
var port = parentPort;
if (!port) throw new Error("decode-worker.js runs as a worker thread of the decode pool");
port.on("message", (task) => {
  const images = task.targets.map((t) => ({ ...t.shape, pixels: new Uint8Array(t.buffer, t.byteOffset, t.shape.count * t.shape.height * t.shape.width * t.shape.channels), geometry: [] }));
  decodeFilesInto(
    task.files,
    task.first,
    task.targets.map((t) => t.spec),
    images,
    task.filesInFlight,
    void 0,
    task.sha256
  ).then(
    (geometry) => port.postMessage({ id: task.id, geometry }),
    (error) => {
      const e = error;
      const reply = {
        id: task.id,
        error: {
          message: typeof e?.message === "string" ? e.message : String(error),
          user: error instanceof UserError,
          stack: typeof e?.stack === "string" ? e.stack : null,
          ...error instanceof CachedFileChangedError ? { changedFile: error.file } : {}
        }
      };
      port.postMessage(reply);
    }
  );
});
