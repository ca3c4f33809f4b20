/**
 * The int8 variant of each model, from the user's own file (quantization.mode: provided) or the
 * built-in static quantizer (static-int8), calibrated on the tensors the engine decodes for it
 * (the configured calibration images, or eval images spread over the set). A variant that can't
 * be had says why in `note`; the fp32 results stand regardless.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Config, ModelRef } from '../config/types.js';
import { UserError } from '../errors.js';
import { resolveModel, type ModelFile } from '../models/index.js';
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

/** The calibration tensors of one fp32 model, with where they came from, as the report states it. */
export interface CalibrationSet {
  readonly tensors: CalibrationSource;
  readonly source: string;
  readonly samples: number;
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
  calibrationFor: (index: number) => Promise<CalibrationSet>,
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
    const calibration = await calibrationFor(i);
    progress.info(`quantizing ${file.label}: static int8, ${perChannel ? 'per-channel' : 'per-tensor'}, ${calibration.samples} calibration images`);
    const workDir = join(config.output.dir, '.quantize');
    await mkdir(workDir, { recursive: true });
    const { calibrationMemory, calibrationBatchSize, keepFloat } = config.quantization;
    const options = { perChannel, label: file.label, memoryBudgetBytes: calibrationMemory, batchSize: calibrationBatchSize, ...(keepFloat ? { keepFloat } : {}) };
    const result = await quantizeStaticInt8(file.path, calibration.tensors, options, workDir);
    // Written next to the report, so what was measured is what ships.
    const path = join(config.output.dir, `${roles[i].role}-${basename(file.path).replace(/\.onnx$/i, '')}.int8${perChannel ? '-per-channel' : ''}.onnx`);
    // Written aside and renamed: a concurrent run writing the same model (shards of one
    // comparison on one machine) never reads a half-written file, and the bytes are identical.
    const partial = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
    await writeFile(partial, result.bytes);
    await rename(partial, path);
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
