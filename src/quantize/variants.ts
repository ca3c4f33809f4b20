/**
 * The int8 variant of each model, from the user's own file (quantization.mode: provided) or the
 * built-in static quantizer (static-int8), calibrated on the configured images or the first eval
 * images. A variant that can't be had says why in `note`; the fp32 results stand regardless.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { Config, ModelRef } from '../config/types.js';
import { UserError } from '../errors.js';
import { resolveEvalSet } from '../evalset/index.js';
import { resolveModel, type ModelFile } from '../models/index.js';
import { decodeImages, toTensor, type DecodedImages, type ResolvedDecodeSpec } from '../preprocess/index.js';
import type { Progress } from '../progress.js';
import { isAlreadyQuantizedBytes, quantizeStaticInt8, type CalibrationSource } from './index.js';

export interface Int8Variant {
  readonly source: 'provided' | 'static-int8';
  readonly file: ModelFile | null;
  readonly note: string | null;
  readonly calibration: { readonly source: string; readonly samples: number } | null;
  readonly perChannel: boolean | null;
  readonly floatNodes: readonly { op: string; name: string; reason: string }[];
  /** Float initializers left in the int8 model. */
  readonly floatWeights?: readonly { name: string; elements: number; readers: readonly string[] }[];
}

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

/** The chosen samples as a calibration source; `pick` lists sample indices into `images`. */
function calibrationSource(images: DecodedImages, pick: readonly number[], config: Config, shape: number[]): CalibrationSource {
  const per = shape.reduce((a, b) => a * b, 1);
  return {
    samples: pick.length,
    sampleShape: shape,
    async read(start, end) {
      const data = new Float32Array((end - start) * per);
      for (let i = start; i < end; i++) data.set(toTensor(images, pick[i], pick[i] + 1, config.preprocess), (i - start) * per);
      return data;
    },
  };
}

/**
 * n indices spread evenly over `count` samples. Eval sets are sorted by path, and class folders
 * group a class together: the first n images would often all be one class, and calibration
 * ranges from one class clip the others.
 */
export function evenlySpaced(count: number, n: number): number[] {
  if (n >= count) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
}

/** Calibration tensors for one decode spec: the configured set, else the first eval images. */
async function calibrationFor(
  config: Config,
  spec: ResolvedDecodeSpec,
  evalImages: DecodedImages,
  evalSource: string,
  shape: number[],
  progress: Progress,
): Promise<{ batches: CalibrationSource; source: string; samples: number }> {
  const n = config.quantization.calibrationSamples;
  const cal = config.quantization.calibration;
  if (!cal) {
    const pick = evenlySpaced(evalImages.count, n);
    const how = pick.length === evalImages.count ? 'all eval images' : `eval images evenly spaced over ${evalImages.count.toLocaleString('en-US')}`;
    return { batches: calibrationSource(evalImages, pick, config, shape), source: `${how} (${basename(evalSource)})`, samples: pick.length };
  }
  const set = await resolveEvalSet(cal, { cacheDir: config.cacheDir, progress });
  const id = (file: string) => relative(set.root, file).split(sep).join('/');
  const files = (await imageFiles(set.root)).sort((a, b) => (id(a) < id(b) ? -1 : 1)).slice(0, n);
  if (files.length === 0) throw new UserError(`quantization.calibration: ${set.root} has no images`);
  const decoded = await decodeImages(files, spec, progress);
  return { batches: calibrationSource(decoded, files.map((_, i) => i), config, shape), source: set.source, samples: files.length };
}

async function provided(ref: ModelRef, progress: Progress): Promise<Int8Variant> {
  const empty = { source: 'provided' as const, calibration: null, perChannel: null, floatNodes: [] };
  if (!ref.quantized) return { ...empty, file: null, note: `no int8 file given for the ${ref.role} (--${ref.role}-quantized, or models[].quantized)` };
  try {
    return { ...empty, file: await resolveModel({ role: ref.role, path: ref.quantized, label: ref.quantized }), note: null };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    progress.warn(`${ref.role} int8 model: ${error.message}; reporting fp32 only`);
    return { ...empty, file: null, note: `int8 file failed to load: ${error.message}` };
  }
}

export async function int8Variants(
  config: Config,
  refs: readonly ModelRef[],
  fp32: readonly ModelFile[],
  specs: readonly ResolvedDecodeSpec[],
  images: readonly DecodedImages[],
  shapes: readonly number[][],
  evalSource: string,
  progress: Progress,
): Promise<(Int8Variant | null)[]> {
  const { mode, perChannel } = config.quantization;
  if (mode === 'none') return refs.map(() => null);
  const roles = refs;
  if (mode === 'provided') return Promise.all(roles.map((ref) => provided(ref, progress)));

  const out: Int8Variant[] = [];
  for (const [i, file] of fp32.entries()) {
    if (isAlreadyQuantizedBytes(await readFile(file.path))) {
      progress.warn(`${file.label} is already quantized; not quantized again`);
      out.push({ source: 'static-int8', file: null, note: `${file.label} is already quantized (int8 nodes present); not quantized again`, calibration: null, perChannel, floatNodes: [] });
      continue;
    }
    const calibration = await calibrationFor(config, specs[i], images[i], evalSource, shapes[i], progress);
    progress.info(`quantizing ${file.label}: static int8, ${perChannel ? 'per-channel' : 'per-tensor'}, ${calibration.samples} calibration images`);
    const workDir = join(config.output.dir, '.quantize');
    await mkdir(workDir, { recursive: true });
    const result = await quantizeStaticInt8(file.path, calibration.batches, { perChannel, label: file.label }, workDir);
    // Written next to the report, so what was measured is what ships.
    const path = join(config.output.dir, `${roles[i].role}-${basename(file.path).replace(/\.onnx$/i, '')}.int8${perChannel ? '-per-channel' : ''}.onnx`);
    await writeFile(path, result.bytes);
    out.push({
      source: 'static-int8',
      file: await resolveModel({ role: roles[i].role, path, label: path }),
      note: null,
      calibration: { source: calibration.source, samples: calibration.samples },
      perChannel,
      floatNodes: result.report.floatNodes,
      floatWeights: result.report.floatWeights,
    });
  }
  return out;
}
