/**
 * The verdict and gates of detection, on hand-made comparisons: "Real gain" only with bootstrap
 * p < 0.05 and the candidate ahead; the drop gate on the point estimate, in AP points.
 */
import { detectionGates, detectionHeadline, detectionRows } from '../../src/tasks/detection/render.js';
import { detectionTask } from '../../src/tasks/detection/index.js';
import type { DetectionComparison, DetectionMetrics } from '../../src/tasks/detection/metrics.js';

const zeros = { truePositives: 0, missed: 0, duplicate: 0, wrongClass: 0, poorLocalisation: 0, both: 0, background: 0, gtCount: 0 };
function comparison(deltaMap: number, ci: [number, number], pValue: number): DetectionComparison {
  return {
    images: 300,
    deltaMap,
    deltaMapCi95: ci,
    pValue,
    bootstrap: { resamples: 1000, seed: 0 },
    deltaMap50: 0,
    deltaMap75: 0,
    deltaAr100: 0,
    perClass: [],
    perSize: { small: null, medium: null, large: null },
    errorTypes: { baseline: zeros, candidate: zeros },
  };
}
const gates = { maxTop1Drop: 0.5, minErrorReduction: 0, requireSignificant: true, maxLatencyRegression: 25, maxInt8Drop: null, maxMapDrop: 1 };

test('a significant gain, a significant loss, noise and no change', () => {
  expect(detectionHeadline(comparison(0.012, [0.004, 0.02], 0.004))).toEqual({
    tone: 'gain',
    text: 'the candidate gains **+1.20 AP** mAP@[.5:.95] (95% CI +0.40 to +2.00, paired bootstrap over 300 images, p = 0.0040)',
  });
  expect(detectionHeadline(comparison(-0.012, [-0.02, -0.004], 0.004))).toMatchObject({ tone: 'loss', text: expect.stringContaining('loses **1.20 AP**') });
  expect(detectionHeadline(comparison(0.003, [-0.005, 0.011], 0.41))).toEqual({
    tone: 'noise',
    text: '+0.30 AP mAP@[.5:.95] (95% CI −0.50 to +1.10, paired bootstrap over 300 images, p = 0.41)',
  });
  expect(detectionHeadline(comparison(0, [0, 0], 1)).tone).toBe('same');
});

test('max-map-drop judges the point estimate in AP points; require-significant needs p < 0.05 and a gain', () => {
  const [dropOk, sigFail] = detectionGates(comparison(-0.0099, [-0.03, 0.01], 0.3), gates);
  expect(dropOk).toMatchObject({ name: 'max-map-drop', limit: 1, passed: true });
  expect(dropOk.value).toBeCloseTo(0.99, 10);
  expect(sigFail).toMatchObject({ name: 'require-significant', passed: false, value: 0.3 });
  const [dropFail] = detectionGates(comparison(-0.0101, [-0.02, -0.001], 0.01), gates);
  expect(dropFail.passed).toBe(false);
  expect(detectionGates(comparison(-0.02, [-0.03, -0.01], 0.002), gates)[1].passed).toBe(false); // significant, but a loss
  expect(detectionGates(comparison(0.02, [0.01, 0.03], 0.002), { ...gates, requireSignificant: false })).toHaveLength(1);
});

test('pairedSummary: ΔmAP with the bootstrap named as the test, no error reduction', () => {
  expect(detectionTask.pairedSummary(comparison(0.05, [0.03, 0.07], 0.002))).toEqual({
    delta: 0.05,
    ci: [0.03, 0.07],
    errorReduction: null,
    pValue: 0.002,
    test: { bootstrap: { pValue: 0.002, ci: [0.03, 0.07] } },
  });
  expect(detectionTask.primary).toMatchObject({ key: 'Map', label: 'mAP' });
});

test('the main table gives AR@100 changes in AR, not AP', () => {
  const metrics = (v: number) => ({ map: v, map50: v, map75: v, ar100: v }) as unknown as DetectionMetrics;
  const rows = detectionRows(metrics(0.5416), metrics(0.5658), comparison(0.0242, [0.01, 0.04], 0.002));
  expect(rows.find((r) => r[0] === 'AR@100')).toEqual(['AR@100', '54.16', '56.58', '+2.42 AR']);
  expect(rows.find((r) => r[0] === 'AP50')?.[3]).toBe('+2.42 AP');
});
