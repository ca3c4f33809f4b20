/**
 * One quantization in a process of its own, for `npm run bench` (scripts/bench.ts spawns it): its
 * peak RSS is then the quantizer's alone. Prints one JSON line: wall time, calibration time,
 * calibration batch, int8 bytes and process.resourceUsage().maxRSS in bytes.
 *
 *   node bench-quantize.mjs <model.onnx> <images> <c,h,w> <low> <high> [per-channel]
 *
 * The calibration images are generated batch by batch (uniform in [low, high)), so the process
 * holds no more of them than one batch, as the engine's streaming decoder does.
 */
import { generatedSource, timeQuantizeStaticInt8 } from '../src/quantize/bench.js';

const [modelPath, images, shape, low, high, mode] = process.argv.slice(2);
const sampleShape = shape.split(',').map(Number);
const timing = await timeQuantizeStaticInt8(modelPath, generatedSource(Number(images), sampleShape, Number(low), Number(high)), { perChannel: mode === 'per-channel' });
process.stdout.write(
  `${JSON.stringify({
    ms: timing.ms,
    calibrationMs: timing.calibrationMs,
    batchSize: timing.batchSize,
    bytes: timing.bytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
