/**
 * Calibration tensors for static int8, decoded through the same pool as the eval set but only for
 * the calibration subset: the configured calibration images, or eval images spread evenly over the
 * set. Models that share a preprocessing share one decode of it.
 */
import { readdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { Config } from '../config/types.js';
import { UserError } from '../errors.js';
import { resolveEvalSet } from '../evalset/index.js';
import { decodeSpecKey, toTensor, type DecodedImages, type DecodePool, type ResolvedDecodeSpec } from '../preprocess/index.js';
import type { Progress } from '../progress.js';
import type { CalibrationSource } from '../quantize/index.js';
import { evenlySpaced, type CalibrationSet } from '../quantize/variants.js';
import type { EvalContext } from './context.js';

const IMAGE = /\.(png|jpe?g|webp|bmp|tiff?|gif)$/i;

async function imageFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await imageFiles(full)));
    else if (entry.isFile() && IMAGE.test(entry.name)) out.push(full);
  }
  return out;
}

/** Decoded calibration images as the quantizer pulls them: float tensors built from the uint8 pixels batch by batch. */
function tensorsOf(images: DecodedImages, config: Config, shape: readonly number[]): CalibrationSource {
  return { samples: images.count, sampleShape: shape, read: async (start, end) => toTensor(images, start, end, config.preprocess) };
}

/** The files to calibrate on and how the report names them. */
async function calibrationFiles(config: Config, ctx: EvalContext, progress: Progress): Promise<{ files: string[]; source: string }> {
  const n = config.quantization.calibrationSamples;
  const cal = config.quantization.calibration;
  if (!cal) {
    const count = ctx.samples.length;
    const pick = evenlySpaced(count, n);
    const how = pick.length === count ? 'all eval images' : `eval images evenly spaced over ${count.toLocaleString('en-US')}`;
    return { files: pick.map((i) => ctx.samples[i].file), source: `${how} (${basename(ctx.evalSet.source)})` };
  }
  const set = await resolveEvalSet(cal, { cacheDir: config.cacheDir, progress, fetch: { allowedHosts: config.allowedHosts ?? [] } });
  const id = (file: string) => relative(set.root, file).split(sep).join('/');
  const files = (await imageFiles(set.root)).sort((a, b) => (id(a) < id(b) ? -1 : 1)).slice(0, n);
  if (files.length === 0) throw new UserError(`quantization.calibration: ${set.root} has no images`);
  return { files, source: set.source };
}

/** Returns calibrationFor(spec, shape), decoding each distinct preprocessing's calibration images once. */
export function calibrationDecoder(config: Config, ctx: EvalContext, pool: DecodePool, progress: Progress) {
  let chosen: Promise<{ files: string[]; source: string }> | null = null;
  const decoded = new Map<string, Promise<DecodedImages>>();
  return async (spec: ResolvedDecodeSpec, shape: readonly number[]): Promise<CalibrationSet> => {
    chosen ??= calibrationFiles(config, ctx, progress);
    const { files, source } = await chosen;
    const key = decodeSpecKey(spec);
    let images = decoded.get(key);
    if (!images) decoded.set(key, (images = pool.decode(files, [spec]).then(([only]) => only)));
    return { tensors: tensorsOf(await images, config, shape), source, samples: files.length };
  };
}
