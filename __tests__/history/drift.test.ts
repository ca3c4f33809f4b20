/**
 * Reference values: the example (history [100,101,99,100,102,98,100,101,99,100], new 106
 * → z = 4.047, +6%), checked by hand: sorted history 98 99 99 100 100 100 100 101 101 102, median
 * 100; |deviations| sorted 0 0 0 0 1 1 1 1 2 2, MAD 1; z = 6 / 1.4826 = 4.0469; change 6/100.
 */
import { accuracyDrift, latencyRegression, latencyWindow, robustZ } from '../../src/history/drift.js';
import { makeRecord, referenceHistory, REFERENCE_P50, SHA_B } from './records.js';

describe('robustZ', () => {
  it('reproduces the reference: median 100, MAD 1, z = 4.047', () => {
    const { z, median, mad } = robustZ(REFERENCE_P50, 106);
    expect(median).toBe(100);
    expect(mad).toBe(1);
    expect(z).toBeCloseTo(4.047, 3);
  });

  it('takes the middle value of an odd-length history', () => {
    // sorted 1 2 4 7 100: median 4; |dev| 3 2 0 3 96 → sorted 0 2 3 3 96, MAD 3; z = (10 − 4)/(1.4826·3)
    expect(robustZ([7, 1, 100, 4, 2], 10)).toEqual({ z: 6 / (1.4826 * 3), median: 4, mad: 3 });
  });

  it('gives ±Infinity when the history has no spread (MAD = 0), and 0 on the median', () => {
    expect(robustZ([5, 5, 5], 6).z).toBe(Infinity);
    expect(robustZ([5, 5, 5], 4).z).toBe(-Infinity);
    expect(robustZ([5, 5, 5], 5).z).toBe(0);
    expect(() => robustZ([], 1)).toThrow(RangeError);
  });
});

describe('latencyRegression', () => {
  const tonight = makeRecord({ night: 10, p50Ms: 106 });

  it('alerts on the reference at a 5% threshold (z = 4.047 > 3.5 and +6% > 5%)', () => {
    const { finding, z, changePercent } = latencyRegression(referenceHistory(), tonight, { threshold: 0.05, window: 30 });
    expect(z).toBeCloseTo(4.047, 3);
    expect(changePercent).toBeCloseTo(6, 10);
    expect(finding).toMatchObject({ kind: 'latency-regression', model: 'classifier', old: 100, new: 106 });
    expect(finding?.z).toBeCloseTo(4.047, 3);
    expect(finding?.message).toBe('classifier: batch-1 p50 latency 106 ms vs a median of 100 ms over the last 10 comparable nights (+6.0%, robust z = 4.05 > 3.5; threshold 5%).');
  });

  it('does not alert on the reference at the default 10% threshold (+6% is not material)', () => {
    const result = latencyRegression(referenceHistory(), tonight);
    expect(result.finding).toBeNull();
    expect(result.z).toBeCloseTo(4.047, 3);
  });

  it('does not alert on a large but probable change (z ≤ 3.5), nor on a speed-up', () => {
    // history alternating 80/120: median 100, MAD 20, z(125) = 25/29.652 = 0.84 although +25%
    const noisy = [80, 120, 80, 120, 80, 120].map((p50Ms, night) => makeRecord({ night, p50Ms }));
    expect(latencyRegression(noisy, makeRecord({ night: 6, p50Ms: 125 })).finding).toBeNull();
    expect(latencyRegression(referenceHistory(), makeRecord({ night: 10, p50Ms: 50 })).finding).toBeNull();
  });

  it('with a history of identical values (MAD = 0), lets the threshold alone decide', () => {
    const flat = Array.from({ length: 6 }, (_, night) => makeRecord({ night, p50Ms: 2 }));
    expect(latencyRegression(flat, makeRecord({ night: 6, p50Ms: 2.1 })).finding).toBeNull(); // +5%
    const { finding, z } = latencyRegression(flat, makeRecord({ night: 6, p50Ms: 2.4 })); // +20%
    expect(z).toBe(Infinity);
    expect(finding?.message).toContain('robust z = ∞ (no spread in the history)');
  });

  it('uses only the last 30 comparable nights of the same model', () => {
    // 40 nights at 50 ms then the reference's 10 (same model, same runner): the window holds
    // 20 × 50 and the 10 reference values → median 50, so 106 is far above it.
    const older = Array.from({ length: 40 }, (_, night) => makeRecord({ night, p50Ms: 50 }));
    const recent = REFERENCE_P50.map((p50Ms, i) => makeRecord({ night: 40 + i, p50Ms }));
    const other = makeRecord({ night: 45, name: 'detector', p50Ms: 1 });
    const history = [...older, ...recent.slice(0, 5), other, ...recent.slice(5)];
    const window = latencyWindow(history, tonight);
    expect(window).toHaveLength(30);
    expect(window.map((r) => r.latency.batch1.p50Ms)).toEqual([...Array(20).fill(50), ...REFERENCE_P50]);
  });

  it('restarts the window after a change of model bytes, eval set, execution provider or runner', () => {
    for (const changed of [{ sha256: SHA_B }, { evalSha256: 'f'.repeat(64) }, { executionProvider: 'cuda' }, { cpu: 'Other CPU' }, { gpu: 'T4' }]) {
      const before = Array.from({ length: 8 }, (_, night) => makeRecord({ ...changed, night, p50Ms: 50 }));
      expect(latencyWindow([...before, ...referenceHistory()], tonight).map((r) => r.latency.batch1.p50Ms)).toEqual(REFERENCE_P50);
    }
  });

  it('counts only the nights since the latest change, even if the setup was the same before it', () => {
    // comparable 50 ms nights, then one night on another runner, then the reference nights
    const history = [
      ...Array.from({ length: 8 }, (_, night) => makeRecord({ night, p50Ms: 50 })),
      makeRecord({ night: 8, cpu: 'Other CPU', p50Ms: 50 }),
      ...REFERENCE_P50.map((p50Ms, i) => makeRecord({ night: 9 + i, p50Ms })),
    ];
    expect(latencyWindow(history, tonight).map((r) => r.latency.batch1.p50Ms)).toEqual(REFERENCE_P50);
    expect(latencyRegression(history, tonight, { threshold: 0.05 }).z).toBeCloseTo(4.047, 3);
  });

  it('does not judge with fewer than 5 comparable nights', () => {
    const short = referenceHistory().slice(0, 4);
    const result = latencyRegression(short, makeRecord({ night: 10, p50Ms: 500 }));
    expect(result.finding).toBeNull();
    expect(result.z).toBeNaN();
    expect(latencyRegression([], tonight)).toEqual({ finding: null, z: NaN, changePercent: NaN });
  });

  it('is pure: confirming with a re-run is a second call that must alert too', () => {
    const history = referenceHistory();
    const copy = JSON.parse(JSON.stringify(history));
    const first = latencyRegression(history, tonight, { threshold: 0.05 });
    const rerun = latencyRegression(history, makeRecord({ night: 10, p50Ms: 101 }), { threshold: 0.05 });
    expect(first.finding).not.toBeNull();
    expect(rerun.finding).toBeNull(); // the re-run did not confirm: no alert
    expect(history).toEqual(copy);
  });
});

describe('accuracyDrift', () => {
  const history = [makeRecord({ night: 0, top1: 0.8711 }), makeRecord({ night: 1, top1: 0.8711, quantizedTop1: 0.8655 })];

  it('is silent when the same model and eval set score exactly the same', () => {
    expect(accuracyDrift(history, makeRecord({ night: 2, top1: 0.8711, quantizedTop1: 0.8655 }))).toEqual([]);
  });

  it('reports every changed metric with the old and new values', () => {
    const tonight = makeRecord({ night: 2, top1: 0.8712, top5: 0.9971, quantizedTop1: 0.8655 });
    const findings = accuracyDrift(history, tonight);
    expect(findings.map((f) => [f.kind, f.old, f.new])).toEqual([
      ['accuracy-drift', 0.8711, 0.8712],
      ['accuracy-drift', 0.9972, 0.9971],
    ]);
    expect(findings[0].message).toBe(
      'classifier: top-1 changed from 87.11% to 87.12% with the same model (sha256 aaaaaaa) and eval set (sha256 eeeeeee) as on ' +
        '2025-01-02T02:00:00.000Z (commit 0000000): nondeterminism or runtime drift (cpu on Test CPU @ 3.0GHz).',
    );
  });

  it('prints enough decimals that a one-sample change in a big eval set is visible', () => {
    // 50,000 samples: 43,556 vs 43,555 correct
    const [finding] = accuracyDrift([makeRecord({ top1: 43556 / 50000 })], makeRecord({ night: 1, top1: 43555 / 50000 }));
    expect(finding.message).toContain('from 87.112% to 87.110%');
  });

  it('compares int8 top-1 when both nights have it', () => {
    const [finding] = accuracyDrift(history, makeRecord({ night: 2, quantizedTop1: 0.8654 }));
    expect(finding).toMatchObject({ old: 0.8655, new: 0.8654 });
    expect(finding.message).toMatch(/^classifier: int8 top-1 changed from 86.55% to 86.54%/);
  });

  it('compares only records of the same model bytes and eval set, and needs an eval sha256', () => {
    expect(accuracyDrift(history, makeRecord({ night: 2, sha256: SHA_B, top1: 0.5 }))).toEqual([]);
    expect(accuracyDrift(history, makeRecord({ night: 2, evalSha256: 'f'.repeat(64), top1: 0.5 }))).toEqual([]);
    expect(accuracyDrift([makeRecord({ evalSha256: null })], makeRecord({ night: 1, evalSha256: null, top1: 0.5 }))).toEqual([]);
  });

  it('compares with the latest matching night: a drift is reported once, then the new value is the norm', () => {
    const drifted = [...history, makeRecord({ night: 2, top1: 0.8712 })];
    expect(accuracyDrift(drifted, makeRecord({ night: 3, top1: 0.8712 }))).toEqual([]);
  });
});
