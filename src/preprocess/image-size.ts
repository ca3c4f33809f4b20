/**
 * An image's stored width and height without decoding its pixels: the PNG header directly (the
 * fixtures and most eval sets), anything else through sharp's header read. No EXIF rotation,
 * like the decode stage (sharp-path.ts), so the size is the one the pixels will have.
 */
import { open } from 'node:fs/promises';
import { openWithSharp } from './sharp-path.js';
import { UserError } from '../errors.js';
import { isPng } from './png.js';

/** Signature (8) + IHDR length and type (8) + width and height (8). */
const PNG_HEADER_BYTES = 24;

export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  const head = await readHead(file, PNG_HEADER_BYTES);
  if (head.length === PNG_HEADER_BYTES && isPng(head) && head.toString('latin1', 12, 16) === 'IHDR') {
    const width = head.readUInt32BE(16);
    const height = head.readUInt32BE(20);
    if (width > 0 && height > 0) return { width, height };
  }
  try {
    const { width, height } = await (await openWithSharp(file)).metadata();
    if (width && height) return { width, height };
    throw new Error('no width/height in the header');
  } catch (error) {
    throw new UserError(`${file}: cannot read the image size (${(error as Error).message})`, { cause: error });
  }
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).split(', ')[0];
    throw new UserError(`${file}: cannot read file (${reason})`, { cause: error });
  }
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
