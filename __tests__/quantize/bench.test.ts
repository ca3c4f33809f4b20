/**
 * The benchmark helpers work: the synthetic CNN is a valid 147,706-parameter model onnxruntime
 * runs, and the timed quantizer returns a report. (The 2 s figure is a benchmark, not asserted.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeQuantizeStaticInt8, writeSyntheticCnn } from '../../src/quantize/bench.js';
import { arraySource } from '../../src/quantize/index.js';

it('quantizes the synthetic ~148k-parameter CNN and times it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mg-quantize-bench-test-'));
  try {
    const path = join(dir, 'cnn.onnx');
    // 32·1·9 + 32 + 64·32·9 + 64 + 80·1600 + 80 + 10·80 + 10
    expect(await writeSyntheticCnn(path)).toBe(288 + 32 + 18432 + 64 + 128000 + 80 + 800 + 10);
    const calibration = arraySource(new Float32Array(8 * 784).fill(0.5), [1, 28, 28]);
    const timing = await timeQuantizeStaticInt8(path, calibration, { perChannel: true });
    expect(timing.ms).toBeGreaterThan(0);
    expect(timing.report.quantizedNodes).toEqual(
      expect.arrayContaining([
        { op: 'Conv', count: 2 },
        { op: 'Gemm', count: 2 },
      ]),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
