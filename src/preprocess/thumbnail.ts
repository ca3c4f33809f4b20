/**
 * Thumbnails for the HTML report's regression gallery, as data: URLs so the report needs no
 * image host and makes no request. Tiny images (Fashion-MNIST's 28×28) are enlarged by a whole
 * factor with nearest-neighbour so every pixel stays a crisp square a reviewer can see; larger
 * ones are shrunk to fit. The image is shown as the model got it: EXIF orientation is not applied
 * and alpha is dropped, as the decode stage does (see sharp-path.ts).
 */
import { UserError } from '../errors.js';
import { thumbnailWithSharp } from './sharp-path.js';

export async function thumbnailDataUrl(file: string, maxSide: number): Promise<string> {
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new Error(`thumbnail size must be a positive integer, got ${maxSide}`);
  try {
    const { mime, bytes } = await thumbnailWithSharp(file, maxSide);
    return `data:${mime};base64,${bytes.toString('base64')}`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`${file}: cannot make a thumbnail for the report: ${reason}`, { cause: error });
  }
}
