/**
 * Thumbnails for the HTML report's regression gallery, as data: URLs so the report needs no
 * image host and makes no request. Tiny images (Fashion-MNIST's 28×28) are enlarged by a whole
 * factor with nearest-neighbour so every pixel stays a crisp square a reviewer can see; larger
 * ones are shrunk to fit. The image is shown as the model got it: EXIF orientation is not applied
 * and alpha is dropped, as the decode stage does (see sharp-path.ts).
 */
import { openWithSharp } from './sharp-path.js';
import { UserError } from '../errors.js';

/** WebP for shrunk photos (a fraction of PNG's size); lossless PNG for small, enlarged images. */
const WEBP_QUALITY = 80;

export async function thumbnailDataUrl(file: string, maxSide: number): Promise<string> {
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new Error(`thumbnail size must be a positive integer, got ${maxSide}`);
  try {
    const meta = await (await openWithSharp(file)).metadata();
    const longest = Math.max(meta.width ?? 0, meta.height ?? 0);
    if (longest === 0) throw new Error('the image has no size');
    const image = (await openWithSharp(file, { pages: 1 })).removeAlpha();
    if (longest <= maxSide) {
      const factor = Math.floor(maxSide / longest);
      const enlarged = factor > 1
        ? image.resize({ width: (meta.width as number) * factor, height: (meta.height as number) * factor, kernel: 'nearest' })
        : image;
      const png = await enlarged.png().toBuffer();
      return `data:image/png;base64,${png.toString('base64')}`;
    }
    const webp = await image.resize({ width: maxSide, height: maxSide, fit: 'inside' }).webp({ quality: WEBP_QUALITY }).toBuffer();
    return `data:image/webp;base64,${webp.toString('base64')}`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`${file}: cannot make a thumbnail for the report: ${reason}`, { cause: error });
  }
}
