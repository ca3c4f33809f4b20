import { describe, expect, it } from '@jest/globals';
import { Z_95, detectableDifference, errorReduction, log10McnemarExact, mcnemar, newcombePairedDiff, wilsonInterval, type PairedTable } from '../../src/metrics/index.js';
import { bigLog, bigRatioToNumber, exactMcnemarNumerators } from './oracle.js';

/** Issue reference table; values below computed by the issue author with statsmodels/scipy. */
const REFERENCE: PairedTable = { a: 880, b: 12, c: 30, d: 78 };

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('mcnemar', () => {
  it('matches the issue reference: exact p and mid-p', () => {
    const { exact, midP } = mcnemar(REFERENCE);
    expect(relativeError(exact, 0.007915897334896727)).toBeLessThan(1e-12);
    expect(relativeError(midP, 0.0054015727)).toBeLessThan(1e-8);
  });

  it('b = 0, c = 5: exact = 2·(1/32) = 0.0625, mid-p = 2/32 − 1/32 (by hand)', () => {
    const { exact, midP } = mcnemar({ a: 10, b: 0, c: 5, d: 3 });
    expect(exact).toBeCloseTo(0.0625, 15);
    expect(midP).toBeCloseTo(1 / 32, 15);
  });

  it('b = c gives p = 1 for both, including no discordant pairs', () => {
    expect(mcnemar({ a: 5, b: 7, c: 7, d: 1 })).toEqual({ exact: 1, midP: 1 });
    expect(mcnemar({ a: 5, b: 0, c: 0, d: 1 })).toEqual({ exact: 1, midP: 1 });
    expect(log10McnemarExact({ a: 5, b: 3, c: 3, d: 1 })).toBe(0);
  });

  it('is symmetric in b and c', () => {
    expect(mcnemar({ a: 1, b: 30, c: 12, d: 2 })).toEqual(mcnemar({ a: 1, b: 12, c: 30, d: 2 }));
  });

  it('agrees with exact BigInt sums of C(m, i)/2^m to 1e-11 relative, down to ~1e-35', () => {
    for (const [b, c] of [
      [12, 30],
      [1, 9],
      [40, 61],
      [243, 600],
      [150, 180],
      [5, 400],
    ]) {
      const { m, twiceTail, atK } = exactMcnemarNumerators(b, c);
      const exactExpected = Math.min(1, bigRatioToNumber(twiceTail, m));
      const midExpected = Math.min(1, bigRatioToNumber(twiceTail - atK, m));
      const got = mcnemar({ a: 0, b, c, d: 0 });
      expect(relativeError(got.exact, exactExpected)).toBeLessThan(1e-11);
      expect(relativeError(got.midP, midExpected)).toBeLessThan(1e-11);
    }
    // The example: b=243, c=600 → p ≈ 1.3e-35 (mpmath at 40 digits: 1.3120453882866723e-35).
    // eslint-disable-next-line no-loss-of-precision -- mpmath's digits as printed; the nearest double is what is compared
    expect(relativeError(mcnemar({ a: 0, b: 243, c: 600, d: 0 }).exact, 1.3120453882866723e-35)).toBeLessThan(1e-11);
  });

  it('log10McnemarExact stays finite where p underflows (b=10, c=3000: p ~ 1e-880), matching BigInt', () => {
    const { m, twiceTail } = exactMcnemarNumerators(10, 3000);
    const expectedLog10 = (bigLog(twiceTail) - m * Math.LN2) / Math.LN10;
    expect(expectedLog10).toBeLessThan(-800);
    const table = { a: 0, b: 10, c: 3000, d: 0 };
    expect(mcnemar(table).exact).toBe(0);
    expect(Math.abs(log10McnemarExact(table) - expectedLog10)).toBeLessThan(1e-9);
    expect(log10McnemarExact(REFERENCE)).toBeCloseTo(Math.log10(0.007915897334896727), 12);
  });

  it('m = 1e6, b = 100000: log10 p lies within the Chernoff and method-of-types bounds', () => {
    // With x = k/m, KL = x·ln 2x + (1−x)·ln 2(1−x): P[X <= k] <= e^{−m·KL} (Chernoff), and
    // P[X <= k] >= P[X = k] >= e^{−m·KL}/(m + 1) (Cover & Thomas, type-class size). p = 2·P.
    const m = 1_000_000;
    const k = 100_000;
    const x = k / m;
    const mKL = m * (x * Math.log(2 * x) + (1 - x) * Math.log(2 * (1 - x)));
    const upper = (Math.LN2 - mKL) / Math.LN10;
    const lower = (Math.LN2 - mKL - Math.log(m + 1)) / Math.LN10;
    const got = log10McnemarExact({ a: 0, b: k, c: m - k, d: 0 });
    expect(got).toBeLessThanOrEqual(upper);
    expect(got).toBeGreaterThanOrEqual(lower);
  });

  it('m = 1e6 near the null agrees with the normal approximation', () => {
    // b = 499000, c = 501000: Z = (c − b)/√m = 2, and with continuity correction 1.999.
    // 2·(1 − Φ(2)) = 0.0455002639 (normal table); the correction adds ≈ 2·φ(2)·0.001.
    const twoSidedAt2 = 0.0455002639;
    const phiAt2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const { exact, midP } = mcnemar({ a: 0, b: 499_000, c: 501_000, d: 0 });
    expect(exact).toBeCloseTo(twoSidedAt2 + 2 * phiAt2 * 0.001, 5);
    // mid-p behaves like the uncorrected normal test.
    expect(midP).toBeCloseTo(twoSidedAt2, 5);
  });
});

describe('newcombePairedDiff', () => {
  it('matches the issue reference: Δ = +0.018, CI (0.005144, 0.031422)', () => {
    const { delta, ci } = newcombePairedDiff(REFERENCE);
    expect(delta).toBeCloseTo(0.018, 12);
    expect(Math.abs(ci[0] - 0.005144)).toBeLessThan(1e-6);
    expect(Math.abs(ci[1] - 0.031422)).toBeLessThan(1e-6);
  });

  it('swapping b and c negates Δ and mirrors the CI', () => {
    const forward = newcombePairedDiff({ a: 880, b: 12, c: 30, d: 78 });
    const backward = newcombePairedDiff({ a: 880, b: 30, c: 12, d: 78 });
    expect(backward.delta).toBeCloseTo(-forward.delta, 15);
    expect(backward.ci[0]).toBeCloseTo(-forward.ci[1], 14);
    expect(backward.ci[1]).toBeCloseTo(-forward.ci[0], 14);
  });

  it('all pairs discordant (a = d = 0): φ = −bc/√(b·c·c·b) = −1, so CI = [l_cand − u_base, u_cand − l_base]', () => {
    // With φ = −1 each square root is a perfect square: √((x + y)²) = x + y.
    const n = 20;
    const [lBase, uBase] = wilsonInterval(5, n);
    const [lCand, uCand] = wilsonInterval(15, n);
    const { delta, ci } = newcombePairedDiff({ a: 0, b: 5, c: 15, d: 0 });
    expect(delta).toBeCloseTo(0.5, 15);
    expect(ci[0]).toBeCloseTo(lCand - uBase, 14);
    expect(ci[1]).toBeCloseTo(uCand - lBase, 14);
  });

  it('0 <= ad − bc <= n/2 sets φ = 0: plain square-and-add of the Wilson half-widths', () => {
    // a=10, b=5, c=5, d=3: ad − bc = 5 <= n/2 = 11.5.
    const n = 23;
    const [lBase, uBase] = wilsonInterval(15, n);
    const [lCand, uCand] = wilsonInterval(15, n);
    const p = 15 / n;
    const { delta, ci } = newcombePairedDiff({ a: 10, b: 5, c: 5, d: 3 });
    expect(delta).toBe(0);
    expect(ci[0]).toBeCloseTo(-Math.hypot(p - lCand, uBase - p), 14);
    expect(ci[1]).toBeCloseTo(Math.hypot(uCand - p, p - lBase), 14);
  });

  it('a zero marginal sets φ = 0 instead of dividing by zero', () => {
    const { delta, ci } = newcombePairedDiff({ a: 0, b: 0, c: 4, d: 6 });
    expect(delta).toBeCloseTo(0.4, 15);
    expect(Number.isFinite(ci[0]) && Number.isFinite(ci[1])).toBe(true);
    expect(ci[0]).toBeLessThan(0.4);
    expect(ci[1]).toBeGreaterThan(0.4);
  });

  it('rejects an empty or malformed table', () => {
    expect(() => newcombePairedDiff({ a: 0, b: 0, c: 0, d: 0 })).toThrow(RangeError);
    expect(() => newcombePairedDiff({ a: 1, b: -1, c: 0, d: 0 })).toThrow(RangeError);
  });
});

describe('errorReduction', () => {
  it('matches the issue reference: 0.16667, CI (0.05208, 0.26740)', () => {
    const result = errorReduction(REFERENCE);
    expect(result).not.toBeNull();
    expect(result!.value).toBeCloseTo(1 / 6, 12); // (30 − 12)/(30 + 78) = 18/108
    expect(Math.abs(result!.ci[0] - 0.05208)).toBeLessThan(1e-5);
    expect(Math.abs(result!.ci[1] - 0.2674)).toBeLessThan(1e-5);
  });

  it('is null when the baseline made no errors', () => {
    expect(errorReduction({ a: 90, b: 10, c: 0, d: 0 })).toBeNull();
  });

  it('candidate made no errors: value 1, CI [1 − z²/c, 1]', () => {
    const result = errorReduction({ a: 970, b: 0, c: 30, d: 0 });
    expect(result).toEqual({ value: 1, ci: [expect.closeTo(1 - (Z_95 * Z_95) / 30, 14), 1] });
  });

  it('no discordant pairs: value 0, CI [−u/d, u/(d + u)] with u = n·z²/(n + z²)', () => {
    const z2 = Z_95 * Z_95;
    const u = (1000 * z2) / (1000 + z2);
    const result = errorReduction({ a: 900, b: 0, c: 0, d: 100 });
    expect(result!.value).toBe(0);
    expect(result!.ci[0]).toBeCloseTo(-u / 100, 14);
    expect(result!.ci[1]).toBeCloseTo(u / (100 + u), 14);
  });

  it('d = 0 with both discordant cells: finite CI around (c − b)/c', () => {
    const result = errorReduction({ a: 50, b: 5, c: 20, d: 0 })!;
    expect(result.value).toBeCloseTo(0.75, 15);
    expect(result.ci[0]).toBeLessThan(0.75);
    expect(result.ci[1]).toBeGreaterThan(0.75);
    expect(result.ci[1]).toBeLessThanOrEqual(1);
  });

  it('a worse candidate gives a negative reduction with a CI containing it', () => {
    const result = errorReduction({ a: 880, b: 30, c: 12, d: 78 })!;
    expect(result.value).toBeCloseTo(-18 / 90, 14); // (12 − 30)/(12 + 78)
    expect(result.ci[0]).toBeLessThan(result.value);
    expect(result.ci[1]).toBeGreaterThan(result.value);
  });
});

describe('detectableDifference', () => {
  it('matches the issue reference: n = 1000, ψ = 0.042 → 0.018146 (1.81 pt)', () => {
    expect(Math.abs(detectableDifference(1000, 0.042) - 0.018146)).toBeLessThan(1e-6);
  });

  it('scales as √(ψ/n): four times the samples halves it; ψ = 0 gives 0', () => {
    expect(detectableDifference(4000, 0.042)).toBeCloseTo(detectableDifference(1000, 0.042) / 2, 15);
    expect(detectableDifference(1000, 0)).toBe(0);
    expect(() => detectableDifference(0, 0.1)).toThrow(RangeError);
  });
});
