/**
 * Latency statistics: nearest-rank percentiles, a per-model summary, and a seeded percentile
 * bootstrap CI for the candidate/baseline ratio of median latencies.
 *
 * Nearest-rank (not interpolated) percentiles are used everywhere so every reported latency is a
 * time that was actually measured, and the bootstrap resamples the same statistic it reports.
 */

import type { Interval } from './binomial.js';
import { createRng } from './random.js';

/**
 * 1-based nearest rank for percentile p of N values: ceil(p/100 · N), at least 1. The product is
 * formed as p·N/100 (exact for integer p) and nudged down by a relative 1e-12 so that values like
 * 2.5·2000/100 = 50 can't round up to 51 through floating-point noise.
 */
function nearestRank(p: number, count: number): number {
  const exact = (p * count) / 100;
  return Math.min(count, Math.max(1, Math.ceil(exact - 1e-12 * Math.max(1, exact))));
}

function assertPercent(p: number): void {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
}

/** Value at 1-based rank ceil(p/100 · N) of an ascending array; p = 0 gives the minimum. */
export function percentileNearestRank(sortedAsc: readonly number[], p: number): number {
  assertPercent(p);
  if (sortedAsc.length === 0) throw new RangeError('percentile of an empty sample');
  for (let i = 1; i < sortedAsc.length; i++) {
    // A silently unsorted input would give a plausible-looking wrong number.
    if (!(sortedAsc[i - 1] <= sortedAsc[i])) {
      throw new RangeError(`percentileNearestRank needs ascending input (index ${i})`);
    }
  }
  return sortedAsc[nearestRank(p, sortedAsc.length) - 1];
}

export interface LatencySummary {
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
  /** Samples per second at the median: batchSize · 1000 / p50Ms. */
  readonly throughputPerSec: number;
}

function sortedCopy(samplesMs: readonly number[], what: string): number[] {
  if (samplesMs.length === 0) throw new RangeError(`${what}: no latency samples`);
  for (const v of samplesMs) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${what}: invalid latency sample ${v}`);
  }
  return [...samplesMs].sort((x, y) => x - y);
}

/** Summary of timed runs, each `samplesMs[i]` being one batch of `batchSize` samples. */
export function summarizeLatency(samplesMs: readonly number[], batchSize = 1): LatencySummary {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const sorted = sortedCopy(samplesMs, 'summarizeLatency');
  const p50Ms = percentileNearestRank(sorted, 50);
  if (p50Ms === 0) throw new RangeError('median latency is 0 ms: timer resolution too coarse');
  let total = 0;
  for (const v of sorted) total += v;
  return {
    p50Ms,
    p90Ms: percentileNearestRank(sorted, 90),
    p99Ms: percentileNearestRank(sorted, 99),
    meanMs: total / sorted.length,
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
    runs: sorted.length,
    throughputPerSec: (batchSize * 1000) / p50Ms,
  };
}

/**
 * Nearest-rank median of a with-replacement resample of `sorted`, without building or sorting
 * the resample: draw N indices into the sorted array, count them, and walk the counts up to the
 * median rank. O(N) per resample instead of O(N log N).
 */
function resampledMedian(sorted: readonly number[], counts: Int32Array, rng: () => number): number {
  const size = sorted.length;
  counts.fill(0);
  // floor(u·N) with 32-bit u: index bias is at most N/2^32, negligible for latency sample counts.
  for (let i = 0; i < size; i++) counts[Math.floor(rng() * size)]++;
  const rank = nearestRank(50, size);
  let cumulative = 0;
  for (let i = 0; i < size; i++) {
    cumulative += counts[i];
    if (cumulative >= rank) return sorted[i];
  }
  return sorted[size - 1];
}

export interface BootstrapOptions {
  /** Number of bootstrap resamples (default 2000). */
  readonly resamples?: number;
  /** PRNG seed (default 20240601); the same seed and inputs always give the same interval. */
  readonly seed?: number;
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  readonly level?: number;
}

/**
 * ratio = p50(candidate) / p50(baseline), with a percentile-bootstrap CI: each side is resampled
 * independently (the runs are separate timings, not pairs), the ratio of resampled medians is
 * recorded, and the CI is the nearest-rank (1 − level)/2 and (1 + level)/2 quantiles of those
 * ratios. The median bootstrap is discrete (only observed values can be medians), so with few
 * runs the interval is coarse; that is a property of the data, not noise in this code.
 */
export function bootstrapRatioCi(baselineMs: readonly number[], candidateMs: readonly number[], opts: BootstrapOptions = {}): { ratio: number; ci: Interval } {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const seed = opts.seed ?? 20240601;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);

  const baseline = sortedCopy(baselineMs, 'bootstrapRatioCi baseline');
  const candidate = sortedCopy(candidateMs, 'bootstrapRatioCi candidate');
  if (baseline[0] <= 0) throw new RangeError('bootstrapRatioCi: baseline latencies must be > 0 ms');

  const ratio = percentileNearestRank(candidate, 50) / percentileNearestRank(baseline, 50);
  const rng = createRng(seed);
  const baselineCounts = new Int32Array(baseline.length);
  const candidateCounts = new Int32Array(candidate.length);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const baselineMedian = resampledMedian(baseline, baselineCounts, rng);
    ratios[r] = resampledMedian(candidate, candidateCounts, rng) / baselineMedian;
  }
  ratios.sort();
  const sortedRatios = Array.from(ratios);
  const tailPercent = ((1 - level) / 2) * 100;
  return {
    ratio,
    ci: [percentileNearestRank(sortedRatios, tailPercent), percentileNearestRank(sortedRatios, 100 - tailPercent)],
  };
}
