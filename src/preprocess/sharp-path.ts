/**
 * model-gate's one door to sharp (no other module imports it): decoding any format the PNG fast
 * path does not handle to 8-bit RGB, reading an image's size from its header, and the report's
 * thumbnails. Resizing for the model is not done here but in resize.ts (PIL-exact); within one
 * sharp pipeline sharp would also resize *before* dropping alpha (premultiplying it, so transparent
 * pixels' colours leak) and use JPEG shrink-on-load, whereas PIL drops alpha and converts colour
 * first, then resizes.
 *
 * sharp is loaded on first use: a decode worker of an all-PNG eval set never needs libvips, and
 * loading it costs each worker a few hundred milliseconds.
 */
import type { Sharp, SharpOptions } from 'sharp';
import type { RawImage } from './png.js';

type SharpFactory = (input?: Buffer | string, options?: SharpOptions) => Sharp;
let oneThread = false;
let loaded: Promise<SharpFactory & { concurrency(n: number): number; cache(options: boolean): unknown }> | null = null;

async function sharpModule() {
  loaded ??= import('sharp').then(({ default: sharp }) => {
    if (oneThread) {
      sharp.concurrency(1);
      sharp.cache(false);
    }
    return sharp;
  });
  return loaded;
}

/** sharp's own view of a file, for image-size.ts and thumbnail.ts. */
export async function openWithSharp(input: Buffer | string, options?: SharpOptions): Promise<Sharp> {
  const sharp = await sharpModule();
  return sharp(input, options);
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
  const { data, info } = await (await openWithSharp(bytes, { ignoreIcc: true }))
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`sharp returned ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * For decode workers: the pool already runs one worker per core, so each sharp call gets one
 * libvips thread instead of one per core (which would oversubscribe the cores by workers × cores).
 * The operation cache is off too: every file is decoded once, so caching only holds memory.
 */
export function useOneSharpThread(): void {
  oneThread = true;
}
