import { describe, expect, it } from '@jest/globals';
import { bootstrapRatioCi, percentileNearestRank, summarizeLatency } from '../../src/metrics/index.js';

const ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('percentileNearestRank', () => {
  it('[1..10]: p50 → rank 5, p90 → rank 9, p99 → rank ceil(9.9) = 10', () => {
    expect(percentileNearestRank(ONE_TO_TEN, 50)).toBe(5);
    expect(percentileNearestRank(ONE_TO_TEN, 90)).toBe(9);
    expect(percentileNearestRank(ONE_TO_TEN, 99)).toBe(10);
  });

  it('edges: p0 and p10 → rank 1, p11 → rank ceil(1.1) = 2, p100 → rank N', () => {
    expect(percentileNearestRank(ONE_TO_TEN, 0)).toBe(1);
    expect(percentileNearestRank(ONE_TO_TEN, 10)).toBe(1);
    expect(percentileNearestRank(ONE_TO_TEN, 11)).toBe(2);
    expect(percentileNearestRank(ONE_TO_TEN, 100)).toBe(10);
    expect(percentileNearestRank([42], 50)).toBe(42);
  });

  it('exact ranks are not bumped up by float noise: p7 of 100 values is rank 7', () => {
    // 0.07 · 100 = 7.000000000000001 in floating point; the rank must still be 7.
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileNearestRank(hundred, 7)).toBe(7);
    expect(percentileNearestRank(hundred, 2.5)).toBe(3);
  });

  it('refuses unsorted or empty input and out-of-range p', () => {
    expect(() => percentileNearestRank([3, 1, 2], 50)).toThrow(RangeError);
    expect(() => percentileNearestRank([], 50)).toThrow(RangeError);
    expect(() => percentileNearestRank(ONE_TO_TEN, 101)).toThrow(RangeError);
  });
});

describe('summarizeLatency', () => {
  it('unsorted [4, 1, 3, 2] with batch 8: p50 = rank 2 = 2, p90 = rank 4 = 4, throughput 8·1000/2', () => {
    expect(summarizeLatency([4, 1, 3, 2], 8)).toEqual({
      p50Ms: 2,
      p90Ms: 4,
      p99Ms: 4,
      meanMs: 2.5,
      minMs: 1,
      maxMs: 4,
      runs: 4,
      throughputPerSec: 4000,
    });
  });

  it('batch size defaults to 1 and the input is not mutated', () => {
    const samples = [10, 30, 20];
    const summary = summarizeLatency(samples);
    expect(summary.throughputPerSec).toBe(50); // 1000 / p50 (20 ms)
    expect(samples).toEqual([10, 30, 20]);
  });

  it('rejects empty, negative, non-finite samples and bad batch sizes', () => {
    expect(() => summarizeLatency([])).toThrow(RangeError);
    expect(() => summarizeLatency([1, -1])).toThrow(RangeError);
    expect(() => summarizeLatency([1, Number.NaN])).toThrow(RangeError);
    expect(() => summarizeLatency([1, 2], 0)).toThrow(RangeError);
    expect(() => summarizeLatency([0, 0, 5])).toThrow(RangeError);
  });
});

/** Latency-like samples from a fixed formula (no randomness): base plus a skewed tail. */
function fakeTimings(count: number, baseMs: number): number[] {
  return Array.from({ length: count }, (_, i) => baseMs + ((i * 37) % 11) * 0.1 + (i % 13 === 0 ? 2 : 0));
}

describe('bootstrapRatioCi', () => {
  it('constant timings: 10 ms vs 20 ms gives ratio 2 and CI [2, 2] (every resample is the same)', () => {
    const result = bootstrapRatioCi(Array(50).fill(10), Array(50).fill(20));
    expect(result).toEqual({ ratio: 2, ci: [2, 2] });
  });

  it('the CI contains the ratio and lies within the min/max ratios any resample can produce', () => {
    const baseline = fakeTimings(200, 10);
    const candidate = fakeTimings(150, 14);
    const { ratio, ci } = bootstrapRatioCi(baseline, candidate, { seed: 7 });
    expect(ci[0]).toBeLessThanOrEqual(ratio);
    expect(ci[1]).toBeGreaterThanOrEqual(ratio);
    expect(ci[0]).toBeGreaterThanOrEqual(Math.min(...candidate) / Math.max(...baseline));
    expect(ci[1]).toBeLessThanOrEqual(Math.max(...candidate) / Math.min(...baseline));
  });

  it('is reproducible with the same seed and default options', () => {
    const baseline = fakeTimings(100, 10);
    const candidate = fakeTimings(100, 11);
    expect(bootstrapRatioCi(baseline, candidate, { seed: 3 })).toEqual(bootstrapRatioCi(baseline, candidate, { seed: 3 }));
    expect(bootstrapRatioCi(baseline, candidate)).toEqual(bootstrapRatioCi(baseline, candidate));
  });

  it('identical distributions give ratio 1 and a CI containing 1, for several seeds', () => {
    const timings = fakeTimings(300, 10);
    for (const seed of [1, 2, 3]) {
      const { ratio, ci } = bootstrapRatioCi(timings, [...timings].reverse(), { seed });
      expect(ratio).toBe(1);
      expect(ci[0]).toBeLessThanOrEqual(1);
      expect(ci[1]).toBeGreaterThanOrEqual(1);
    }
  });

  it('a higher level gives an interval at least as wide', () => {
    const baseline = fakeTimings(100, 10);
    const candidate = fakeTimings(100, 10.5);
    const ci80 = bootstrapRatioCi(baseline, candidate, { seed: 9, level: 0.8 }).ci;
    const ci99 = bootstrapRatioCi(baseline, candidate, { seed: 9, level: 0.99 }).ci;
    expect(ci99[0]).toBeLessThanOrEqual(ci80[0]);
    expect(ci99[1]).toBeGreaterThanOrEqual(ci80[1]);
  });

  it('rejects bad options and empty or zero baselines', () => {
    expect(() => bootstrapRatioCi([1], [1], { level: 1 })).toThrow(RangeError);
    expect(() => bootstrapRatioCi([1], [1], { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapRatioCi([], [1])).toThrow(RangeError);
    expect(() => bootstrapRatioCi([0, 1], [1])).toThrow(RangeError);
  });
});
