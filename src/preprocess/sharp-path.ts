/**
 * model-gate's one door to sharp (no other module imports it): decoding any format the PNG fast
 * path does not handle to 8-bit RGB, reading an image's size from its header, and the HTML
 * report's gallery thumbnails (thumbnail.ts). For decoding, resizing is not done here but in
 * resize.ts (PIL-exact); within one sharp pipeline sharp would also resize *before* dropping alpha
 * (premultiplying it, so transparent pixels' colours leak) and use JPEG shrink-on-load, whereas
 * PIL drops alpha and converts colour first, then resizes.
 *
 * sharp is loaded on first use: a decode worker of an all-PNG eval set never needs libvips, and
 * loading it costs each worker a few hundred milliseconds.
 */
import type { Sharp, SharpOptions } from 'sharp';
import type { RawImage } from './png.js';

type SharpFactory = ((input?: Buffer | string, options?: SharpOptions) => Sharp) & { concurrency(n: number): number; cache(options: boolean): unknown };
let oneThread = false;
let loaded: Promise<SharpFactory> | null = null;

function sharpModule(): Promise<SharpFactory> {
  loaded ??= import('sharp').then(({ default: sharp }) => {
    if (oneThread) {
      sharp.concurrency(1);
      sharp.cache(false);
    }
    return sharp as unknown as SharpFactory;
  });
  return loaded;
}

/**
 * Decodes any format sharp reads to 8-bit RGB, alpha dropped. Choices, all to match PIL's
 * Image.open(...).convert('RGB'):
 * - ignoreIcc: embedded ICC profiles are not applied (PIL's convert does not apply them);
 * - no EXIF auto-orientation (PIL's open does not rotate either);
 * - 16-bit samples become 8-bit by keeping the high byte (libvips' cast; PIL does the same for
 *   16-bit RGB PNGs, but clips 16-bit gray to 255 in convert('L'), which we don't copy);
 * - gray images come back with the value replicated to R, G and B, so PIL luma gives it back exactly.
 * Multi-page inputs (GIF, TIFF) give their first page.
 */
export async function decodeWithSharp(bytes: Buffer): Promise<RawImage> {
  const { data, info } = await (await sharpModule())(bytes, { ignoreIcc: true }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`sharp returned ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** The stored width and height from the image's header, without decoding its pixels (no EXIF rotation). */
export async function headerSizeWithSharp(file: string): Promise<{ width: number; height: number }> {
  const { width, height } = await (await sharpModule())(file).metadata();
  if (width && height) return { width, height };
  throw new Error('no width/height in the header');
}

/** WebP for shrunk photos (a fraction of PNG's size); lossless PNG for small, enlarged images. */
const WEBP_QUALITY = 80;

/**
 * A gallery thumbnail: tiny images are enlarged by a whole factor with nearest-neighbour, larger
 * ones shrunk to fit `maxSide`; alpha dropped and no EXIF rotation, as decodeWithSharp does.
 */
export async function thumbnailWithSharp(file: string, maxSide: number): Promise<{ mime: 'image/png' | 'image/webp'; bytes: Buffer }> {
  const meta = await (await sharpModule())(file).metadata();
  const longest = Math.max(meta.width ?? 0, meta.height ?? 0);
  if (longest === 0) throw new Error('the image has no size');
  const image = (await sharpModule())(file, { pages: 1 }).removeAlpha();
  if (longest <= maxSide) {
    const factor = Math.floor(maxSide / longest);
    const enlarged = factor > 1 ? image.resize({ width: (meta.width as number) * factor, height: (meta.height as number) * factor, kernel: 'nearest' }) : image;
    return { mime: 'image/png', bytes: await enlarged.png().toBuffer() };
  }
  return { mime: 'image/webp', bytes: await image.resize({ width: maxSide, height: maxSide, fit: 'inside' }).webp({ quality: WEBP_QUALITY }).toBuffer() };
}

/**
 * For decode workers: the pool already runs one worker per core, so each sharp call gets one
 * libvips thread instead of one per core (which would oversubscribe the cores by workers × cores).
 * The operation cache is off too: every file is decoded once, so caching only holds memory.
 */
export function useOneSharpThread(): void {
  oneThread = true;
}
