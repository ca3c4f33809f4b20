import { describe, expect, it } from '@jest/globals';
import { createRng } from '../../src/metrics/index.js';

function draw(rng: () => number, count: number): number[] {
  return Array.from({ length: count }, () => rng());
}

describe('createRng', () => {
  it('is deterministic per seed and different across seeds', () => {
    expect(draw(createRng(42), 20)).toEqual(draw(createRng(42), 20));
    expect(draw(createRng(42), 5)).not.toEqual(draw(createRng(43), 5));
    expect(draw(createRng(0), 5)).not.toEqual(draw(createRng(1), 5));
  });

  it('yields values in [0, 1) that look uniform (mean and 10-bin chi-square)', () => {
    const count = 100_000;
    const values = draw(createRng(12345), count);
    const bins = new Array(10).fill(0);
    let sum = 0;
    let outOfRange = 0;
    for (const v of values) {
      if (!(v >= 0 && v < 1)) outOfRange++;
      sum += v;
      bins[Math.floor(v * 10)]++;
    }
    expect(outOfRange).toBe(0);
    // Mean of U(0,1) is ½ with SD √(1/12/N) ≈ 0.0009; allow ~5 SD.
    expect(Math.abs(sum / count - 0.5)).toBeLessThan(0.0046);
    // Chi-square with 9 degrees of freedom: the 99.99th percentile is ≈ 33.7.
    const expected = count / 10;
    const chiSquare = bins.reduce((acc, observed) => acc + (observed - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(33.7);
  });

  it('rejects non-integer seeds', () => {
    expect(() => createRng(1.5)).toThrow(RangeError);
    expect(() => createRng(Number.NaN)).toThrow(RangeError);
  });
});
