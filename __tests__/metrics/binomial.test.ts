import { describe, expect, it } from '@jest/globals';
import { Z_95, binomialHalfLowerTail, logBinomialPmfHalf, wilsonInterval } from '../../src/metrics/index.js';
import { bigLog, binomialCoefficients } from './oracle.js';

describe('wilsonInterval', () => {
  it('matches the issue reference for 892/1000 (statsmodels proportion_confint, method="wilson")', () => {
    const [lower, upper] = wilsonInterval(892, 1000);
    expect(lower).toBeCloseTo(0.871241, 6);
    expect(upper).toBeCloseTo(0.909759, 6);
  });

  it('0/n: lower bound 0, upper z²/(n + z²) (the ± term equals the centre when x = 0)', () => {
    const z2 = Z_95 * Z_95;
    expect(wilsonInterval(0, 10)).toEqual([0, expect.closeTo(z2 / (10 + z2), 15)]);
  });

  it('n/n: upper bound 1, lower n/(n + z²) (mirror of the 0/n case)', () => {
    const z2 = Z_95 * Z_95;
    const [lower, upper] = wilsonInterval(10, 10);
    expect(upper).toBe(1);
    expect(lower).toBeCloseTo(10 / (10 + z2), 15);
  });

  it('is symmetric: interval(x, n) = 1 − reversed interval(n − x, n)', () => {
    const [l1, u1] = wilsonInterval(37, 250);
    const [l2, u2] = wilsonInterval(213, 250);
    expect(l1).toBeCloseTo(1 - u2, 14);
    expect(u1).toBeCloseTo(1 - l2, 14);
  });

  it('a larger z gives a wider interval that still contains x/n', () => {
    const [l95, u95] = wilsonInterval(30, 100);
    const [l99, u99] = wilsonInterval(30, 100, 2.5758293035489);
    expect(l99).toBeLessThan(l95);
    expect(u99).toBeGreaterThan(u95);
    expect(l99).toBeLessThan(0.3);
    expect(u99).toBeGreaterThan(0.3);
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 0)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(RangeError);
  });
});

describe('logBinomialPmfHalf', () => {
  it('small cases by hand: P[X=1 | m=2] = ½, P[X=0 | m=5] = 1/32, P[X=3 | m=10] = 120/1024', () => {
    expect(logBinomialPmfHalf(1, 2)).toBeCloseTo(Math.log(0.5), 15);
    expect(logBinomialPmfHalf(0, 5)).toBeCloseTo(Math.log(1 / 32), 15);
    expect(logBinomialPmfHalf(3, 10)).toBeCloseTo(Math.log(120 / 1024), 14);
    expect(logBinomialPmfHalf(11, 10)).toBe(-Infinity);
  });

  it('agrees with exact BigInt ln C(m, k) − m·ln 2 to 1e-12 absolute, across the Stirling cut-offs', () => {
    for (const m of [7, 16, 31, 36, 81, 200, 501, 1200, 3000]) {
      const row = binomialCoefficients(m);
      for (const k of [1, 2, 5, 15, 16, 36, 81, Math.floor(m / 3), Math.floor(m / 2), m - 1]) {
        if (k >= m) continue;
        const exact = bigLog(row[k]) - m * Math.LN2;
        expect(Math.abs(logBinomialPmfHalf(k, m) - exact)).toBeLessThan(1e-12 * Math.max(1, Math.abs(exact)));
      }
    }
  });
});

describe('binomialHalfLowerTail', () => {
  it('m = 10, k = 3: P[X <= 3] = (1 + 10 + 45 + 120)/1024 = 176/1024', () => {
    const { logPmfAtK, ratioSum } = binomialHalfLowerTail(3, 10);
    expect(Math.exp(logPmfAtK) * ratioSum).toBeCloseTo(176 / 1024, 15);
    expect(ratioSum).toBeCloseTo(176 / 120, 15);
  });

  it('m = 1e6 at the mean: P[X <= m/2] = ½ + ½·P[X = m/2] (symmetry), and runs fast', () => {
    const m = 1_000_000;
    const { logPmfAtK, ratioSum } = binomialHalfLowerTail(m / 2, m);
    const pmf = Math.exp(logPmfAtK);
    // P[X = m/2] ≈ √(2/(π m)) for large m (Stirling), a separate check of the pmf itself.
    expect(pmf).toBeCloseTo(Math.sqrt(2 / (Math.PI * m)), 9);
    expect(pmf * ratioSum).toBeCloseTo(0.5 + pmf / 2, 10);
  });

  it('refuses k above m/2 (the ratio sum would not be decreasing)', () => {
    expect(() => binomialHalfLowerTail(6, 10)).toThrow(RangeError);
  });
});
