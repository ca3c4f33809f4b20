/**
 * The real-architecture fixtures (__tests__/fixtures/quantize-archs/, built and quantized by
 * onnxruntime 1.30 with scripts/reference/quantize-fixtures.py): the images, rebuilt into
 * tensors exactly as the script's preprocessing, and the onnxruntime references.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeModel, onnx, type ModelMsg } from '../../src/quantize/index.js';

export const ARCHS_DIR = '__tests__/fixtures/quantize-archs';
export const ARCHS = ['resnet', 'mobilenetv2', 'mobilenetv3', 'efficientnet', 'convnext', 'opzoo'] as const;
export type Arch = (typeof ARCHS)[number];
export const MODES = ['per-tensor', 'per-channel'] as const;
export const SAMPLE_SHAPE = [3, 64, 64] as const;

interface Manifest {
  calibration: { count: number };
  eval: { count: number };
  imagesSha256: string;
  calibrationBatch: number;
}
export interface ArchReference {
  fp32: number[];
  fp32Bytes: number;
  'per-tensor': { int8: number[]; bytes: number };
  'per-channel': { int8: number[]; bytes: number };
}

export const manifest = JSON.parse(readFileSync(`${ARCHS_DIR}/manifest.json`, 'utf8')) as Manifest;
export const reference = JSON.parse(readFileSync(`${ARCHS_DIR}/reference.json`, 'utf8')) as { onnxruntime: string; models: Record<Arch, ArchReference> };

/**
 * Image g (28×28 uint8) → channels (g, gᵀ, g flipped left-right) → 2× pixel repetition → 0-padded
 * to 64×64 → x = (p − 128) / 64 (exact in float32), NCHW.
 */
function preprocess(images: Uint8Array, first: number, count: number): Float32Array {
  const out = new Float32Array(count * 3 * 64 * 64);
  let o = 0;
  for (let s = first; s < first + count; s++) {
    const g = (y: number, x: number) => images[s * 784 + y * 28 + x];
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 64; x++) {
          const [yy, xx] = [y - 4, x - 4];
          let p = 0;
          if (yy >= 0 && yy < 56 && xx >= 0 && xx < 56) {
            const [sy, sx] = [yy >> 1, xx >> 1];
            p = c === 0 ? g(sy, sx) : c === 1 ? g(sx, sy) : g(sy, 27 - sx);
          }
          out[o++] = (p - 128) / 64;
        }
      }
    }
  }
  return out;
}

export function loadTensors(): { calibration: Float32Array; evaluation: Float32Array; evalCount: number } {
  const images = gunzipSync(readFileSync(`${ARCHS_DIR}/images.u8.gz`));
  const sha = createHash('sha256').update(images).digest('hex');
  if (sha !== manifest.imagesSha256) throw new Error(`images.u8.gz does not match manifest.json (sha256 ${sha})`);
  const calibrationCount = manifest.calibration.count;
  return {
    calibration: preprocess(images, 0, calibrationCount),
    evaluation: preprocess(images, calibrationCount, manifest.eval.count),
    evalCount: manifest.eval.count,
  };
}

export const fp32Path = (arch: Arch) => `${ARCHS_DIR}/models/${arch}.onnx`;
export const ortPath = (arch: Arch, mode: (typeof MODES)[number]) => `${ARCHS_DIR}/ort/${arch}.${mode}.onnx`;
export const loadModelMsg = (path: string): ModelMsg => decodeModel(readFileSync(path), path);

/** onnxruntime's calibrated ranges (its calibration cache) for the per-tensor run. */
export function ortRanges(arch: Arch): Map<string, [number, number]> {
  const raw = JSON.parse(readFileSync(`${ARCHS_DIR}/ort/${arch}.ranges.json`, 'utf8')) as Record<string, [number[], number[]]>;
  return new Map(Object.entries(raw).map(([name, [low, high]]) => [name, [low[0], high[0]]]));
}

const DT = onnx.TensorProto.DataType;

/** An initializer's values as bytes in a canonical form (raw_data or the typed repeated field). */
export function canonicalValues(tensor: onnx.ITensorProto): { type: number; dims: number[]; bytes: Buffer } {
  const dims = (tensor.dims ?? []).map(Number);
  const type = tensor.dataType ?? 0;
  const raw = tensor.rawData && tensor.rawData.length > 0 ? Buffer.from(tensor.rawData) : null;
  let bytes: Buffer;
  if (raw) bytes = raw;
  else if (type === DT.FLOAT) bytes = Buffer.from(Float32Array.from(tensor.floatData ?? []).buffer);
  else if (type === DT.INT8) bytes = Buffer.from(Int8Array.from(tensor.int32Data ?? []).buffer);
  else if (type === DT.UINT8) bytes = Buffer.from(Uint8Array.from(tensor.int32Data ?? []).buffer);
  else if (type === DT.INT32) bytes = Buffer.from(Int32Array.from(tensor.int32Data ?? []).buffer);
  else if (type === DT.INT64) bytes = Buffer.from(BigInt64Array.from((tensor.int64Data ?? []).map((v) => BigInt(String(v)))).buffer);
  else throw new Error(`initializer ${tensor.name}: data type ${type} not handled`);
  return { type, dims, bytes };
}
