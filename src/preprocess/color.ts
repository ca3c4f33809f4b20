/**
 * Channel conversion from a decoded image to the model's color mode, done in JS so that it is exact
 * and identical whichever decoder (the PNG fast path or sharp) produced the pixels.
 *
 * It follows PIL's Image.convert(), since users' models were mostly trained on PIL/torchvision input:
 * - alpha is dropped, not composited (PIL's convert('RGB') / convert('L') ignore alpha);
 * - gray → RGB replicates the gray value;
 * - RGB → gray is ITU-R 601-2 luma L = R·299/1000 + G·587/1000 + B·114/1000, computed the way Pillow's
 *   C code does it (libImaging/Convert.c, L24): (R·19595 + G·38470 + B·7471 + 0x8000) >> 16, i.e.
 *   16-bit fixed point rounded to nearest. sharp's own greyscale() is different: libvips converts
 *   to linear light and takes Rec.709 luminance, so pure red becomes 127 there but 76 in PIL.
 * - bgr is rgb with R and B swapped.
 */
import type { ColorMode } from '../config/types.js';
import type { RawImage } from './png.js';

export interface ColorConverted {
  channels: 1 | 3;
  data: Uint8Array;
}

/** PIL's 'L' value of one RGB pixel (weights sum to 65536, so a gray pixel keeps its value). */
export function pilLuma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

export function convertColor(image: RawImage, color: ColorMode): ColorConverted {
  const pixelCount = image.width * image.height;
  const { data: src, channels: srcChannels } = image;
  if (color === 'gray') {
    if (srcChannels === 1) return { channels: 1, data: src };
    const out = new Uint8Array(pixelCount);
    if (srcChannels === 2) {
      for (let i = 0; i < pixelCount; i++) out[i] = src[2 * i];
    } else {
      for (let i = 0, s = 0; i < pixelCount; i++, s += srcChannels) out[i] = pilLuma(src[s], src[s + 1], src[s + 2]);
    }
    return { channels: 1, data: out };
  }
  const swap = color === 'bgr';
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
