/**
 * Decodes one image file into its slot of every preprocessing that wants it: the file is read and
 * decoded once, the colour conversion done once per colour mode, and the resize, crop and pad once
 * per preprocessing. Runs the same in a decode worker (decode-worker.ts) and on the main thread.
 *
 * Per image: PNG fast path (png.ts) or sharp decode (sharp-path.ts) → exact colour conversion
 * (color.ts) → PIL-exact resize when the size changes (resize.ts) → crop/pad into the slot
 * (geometry.ts). docs/preprocessing.md explains the choices (kernels, gray conversion, alpha).
 */
import { readFileSync } from 'node:fs';
import type { ColorMode } from '../config/types.js';
import { UserError } from '../errors.js';
import { checkFileBytes } from '../evalset/integrity.js';
import { convertColor, type ColorConverted } from './color.js';
import { keptWindow, planResize, placeInto, windowPlan, type Slot } from './geometry.js';
import { decodePngFast } from './png.js';
import { resizePixels } from './resize.js';
import { decodeWithSharp } from './sharp-path.js';
import type { ImageGeometry } from '../contracts/tensors.js';
import type { ResolvedDecodeSpec } from './types.js';

/** Where one preprocessing of the image goes. */
export interface DecodeTarget {
  readonly spec: ResolvedDecodeSpec;
  readonly slot: Slot;
}

/**
 * Decodes `file` into every target's slot and returns each target's geometry, in order. With
 * `sha256` (a cached eval set's record of the file), the bytes read are checked first: the cache
 * is re-verified by the read the decode does anyway (evalset/integrity.ts).
 */
export async function decodeFileInto(file: string, targets: readonly DecodeTarget[], sha256: string | null = null): Promise<ImageGeometry[]> {
  const bytes = readImageFile(file);
  checkFileBytes(file, bytes, sha256);
  const decoded = decodePngFast(bytes) ?? (await decodeOrExplain(file, bytes));
  const byColor = new Map<ColorMode, ColorConverted>();
  return targets.map(({ spec, slot }) => {
    let converted = byColor.get(spec.color);
    if (!converted) byColor.set(spec.color, (converted = convertColor(decoded, spec.color)));
    const plan = planResize(decoded.width, decoded.height, spec);
    // Only the pixels the slot keeps are resized (a center crop drops the rest).
    const window = keptWindow(plan, slot);
    const resized = resizePixels(converted.data, decoded.width, decoded.height, converted.channels, plan.resizedWidth, plan.resizedHeight, spec.kernel, window);
    placeInto(resized, windowPlan(plan, window), slot);
    return plan.geometry;
  });
}

/**
 * Synchronous on purpose: for 10k small files fs.promises.readFile took 0.8–2.6 s (four thread-pool
 * round trips per file, competing with sharp for the pool) against 0.09 s for readFileSync. sharp
 * keeps decoding in the pool while this thread reads.
 */
function readImageFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = messageOf(error).split(', ')[0]; // "ENOENT: no such file or directory, open '…'" → drop the repeated path
    throw new UserError(`${file}: cannot read file (${reason})`, { cause: error });
  }
}

async function decodeOrExplain(file: string, bytes: Buffer) {
  try {
    return await decodeWithSharp(bytes);
  } catch (error) {
    const message = messageOf(error).trim();
    // libvips' limit (sharp's limitInputPixels, 268 megapixels): a decode that large would not fit beside the run.
    if (/pixel limit/i.test(message)) throw new UserError(`${file}: the image is too large to decode (sharp: ${message})`, { cause: error });
    const what = /unsupported image format|empty/i.test(message) ? 'not an image' : 'corrupt or unreadable image';
    throw new UserError(`${file}: ${what} (sharp: ${message})`, { cause: error });
  }
}

/** An error's message; duck-typed because errors from Node's internals may come from another realm (jest's VM). */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
