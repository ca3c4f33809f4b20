/**
 * The built-in quantizer against onnxruntime 1.30's own quantize_static (QDQ, MinMax, 256
 * calibration images, uint8 activations, int8 weights), scored on all 10,000 test images.
 *
 * Two references:
 * - ISSUE: issue 4's figures, computed with Python onnxruntime calibrating on 256 images of the
 *   Fashion-MNIST *training* split. The shared fixtures carry only the test split, so we calibrate
 *   on the first 256 test images (idx order) and must land within ±0.3 points.
 * - SAME_CALIBRATION: Python onnxruntime 1.30.0's quantize_static run on exactly our calibration
 *   images (the first 256 test images, preprocessed by this repo's pipeline and fed in batches of
 *   32), with the same settings, scored by Python onnxruntime on the same 10,000 tensors. Computed
 *   once outside this repo (a throwaway venv with the onnxruntime 1.30.0 wheel). Our model must
 *   give the same top-1: the quantized graphs agree node for node and initializer for initializer
 *   (our calibration session, like onnxruntime's calibrator, runs without graph optimizations).
 *   The 2-image slack keeps a CPU with other kernels from failing it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantizeStaticInt8 } from '../../src/quantize/index.js';
import { calibrationSource, EXAMPLE, loadFashionMnist, top1, type FashionMnist } from './fmnist.js';

const ISSUE = {
  'fmnist-lenet-v1': { fp32: 0.8711, perTensor: 0.8707, perChannel: 0.8703 },
  'fmnist-dwnet-v3': { fp32: 0.9068, perTensor: 0.9037, perChannel: 0.9054 },
};
const SAME_CALIBRATION: Record<string, { perTensor: number; perChannel: number }> = {
  'fmnist-lenet-v1': { perTensor: 0.8705, perChannel: 0.8703 },
  'fmnist-dwnet-v3': { perTensor: 0.9004, perChannel: 0.906 },
};
const TOLERANCE = 0.003;
const SAME_CALIBRATION_TOLERANCE = 0.0002;
/**
 * KNOWN DEVIATION from the issue's figure, kept visible: fmnist-dwnet-v3 per-tensor lands at 0.9004, 0.33 pt
 * under the issue's 0.9037. This is the calibration split, not the quantizer: onnxruntime 1.30's
 * own quantize_static, given the same first 256 test images, also gives 0.9004 (SAME_CALIBRATION,
 * asserted below), and on the eight disjoint 256-image windows 0–2047 of the test set it gives
 * 0.9004 0.9002 0.8941 0.9000 0.9003 0.9035 0.9005 0.9002, the same figures as ours window for
 * window. Per-channel and lenet stay within ±0.15 pt on every window. So this one case is held to
 * ±0.4 pt of the issue's training-split figure, and to 2 images of onnxruntime on the same images.
 */
const WIDER = { 'fmnist-dwnet-v3/per-tensor': 0.004 } as Record<string, number>;

let data: FashionMnist;
let workDir: string;

beforeAll(async () => {
  data = await loadFashionMnist();
  workDir = await mkdtemp(join(tmpdir(), 'mg-quantize-'));
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.each(Object.entries(ISSUE))('%s', (name, reference) => {
  const modelPath = `${EXAMPLE}/models/${name}.onnx`;

  it('fp32 top-1 matches the model card (sanity check of the decode)', async () => {
    expect(await top1(modelPath, data)).toBeCloseTo(reference.fp32, 4);
  });

  it.each([
    ['per-tensor', false, reference.perTensor, SAME_CALIBRATION[name].perTensor],
    ['per-channel', true, reference.perChannel, SAME_CALIBRATION[name].perChannel],
  ])('%s int8 top-1 equals onnxruntime quantize_static on the same calibration images, within 0.3 pt of the issue', async (mode, perChannel, expected, sameCalibration) => {
    const { bytes, report } = await quantizeStaticInt8(modelPath, calibrationSource(data.images, 256), { perChannel }, workDir);
    expect(report.calibrationSamples).toBe(256);
    expect(report.perChannel).toBe(perChannel);
    const path = join(workDir, `${name}-${mode}.onnx`);
    await writeFile(path, bytes);
    const accuracy = await top1(path, data);
    expect(Math.abs(accuracy - sameCalibration)).toBeLessThanOrEqual(SAME_CALIBRATION_TOLERANCE);
    expect(Math.abs(accuracy - expected)).toBeLessThanOrEqual(WIDER[`${name}/${mode}`] ?? TOLERANCE);
  });
});
