/**
 * Resampling statistics for per-sample scores (pure, seeded): a percentile bootstrap CI of a mean
 * (of one model's scores, or of the paired differences candidate − baseline, which is the paired
 * bootstrap), and the sign-flip permutation test of a mean paired difference.
 *
 * Every call starts its own generator from `seed`, so a figure depends only on its own data: the
 * CI of one slice does not move when another slice is added. The reference values (an independent
 * Python port of the same generator, and scipy.stats.bootstrap / permutation_test within Monte
 * Carlo error) are computed by scripts/reference/results-stats.py.
 */
import type { Interval } from './binomial.js';
import { percentileNearestRank } from './latency.js';
import { createRng } from './random.js';

export const DEFAULT_SEED = 20240601;
export const BOOTSTRAP_RESAMPLES = 10_000;
/** scipy.stats.permutation_test's default; with 2^n <= this many sign patterns the test is exhaustive. */
export const PERMUTATION_RESAMPLES = 9_999;

/** Relative tolerance for counting numerically equal statistics, as scipy's permutation_test (100·ε). */
const TIE_TOLERANCE = 100 * Number.EPSILON;

export interface ResamplingOptions {
  readonly resamples?: number;
  readonly seed?: number;
  /** Two-sided confidence level (bootstrap only), default 0.95. */
  readonly level?: number;
}

function checkValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what}: no values`);
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`${what}: value ${v} is not finite`);
}

function checkResamples(resamples: number): void {
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
}

/** Mean summed left to right, the order the Python reference uses too. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Percentile bootstrap: B resamples of the n values with replacement (index floor(u·n) for each
 * of the n draws), the mean of each, and the nearest-rank (1 − level)/2 and (1 + level)/2
 * quantiles of the B means. Given the differences candidate − baseline this is the paired
 * bootstrap: a resample keeps each sample's two scores together.
 */
export function bootstrapMeanCi(values: readonly number[], options: ResamplingOptions = {}): { mean: number; ci: Interval; resamples: number } {
  checkValues(values, 'bootstrapMeanCi');
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const level = options.level ?? 0.95;
  checkResamples(resamples);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const n = values.length;
  const rng = createRng(options.seed ?? DEFAULT_SEED);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(rng() * n)];
    means[r] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  const tail = ((1 - level) / 2) * 100;
  return { mean: mean(values), ci: [percentileNearestRank(sorted, tail), percentileNearestRank(sorted, 100 - tail)], resamples };
}

export interface SignFlipResult {
  /** Mean of the differences. */
  readonly meanDifference: number;
  readonly pValue: number;
  /** True when all 2^n sign patterns were enumerated (2^n <= resamples), as scipy does. */
  readonly exact: boolean;
  /** Sign patterns evaluated: 2^n when exact, else the number of random ones. */
  readonly resamples: number;
}

/**
 * Two-sided sign-flip permutation test of H0 "the paired differences are symmetric about 0",
 * with the mean difference as statistic: scipy.stats.permutation_test((d,), mean,
 * permutation_type='samples') semantics. p = 2·min(P*[T ≤ t], P*[T ≥ t]), capped at 1; exact over
 * all 2^n patterns when 2^n <= resamples, else over `resamples` random patterns (each sign a fair
 * coin, 32 signs per 32-bit draw) with the +1 correction (count + 1)/(B + 1), so p is never 0.
 */
export function signFlipTest(differences: readonly number[], options: ResamplingOptions = {}): SignFlipResult {
  checkValues(differences, 'signFlipTest');
  const resamples = options.resamples ?? PERMUTATION_RESAMPLES;
  checkResamples(resamples);
  const n = differences.length;
  const observed = mean(differences);
  const gamma = Math.abs(TIE_TOLERANCE * observed);
  let atMost = 0;
  let atLeast = 0;
  const count = (statistic: number) => {
    if (statistic <= observed + gamma) atMost++;
    if (statistic >= observed - gamma) atLeast++;
  };
  const exact = n < 31 && 2 ** n <= resamples;
  if (exact) {
    const total = 2 ** n;
    for (let mask = 0; mask < total; mask++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (mask >> i) & 1 ? -differences[i] : differences[i];
      count(sum / n);
    }
    return { meanDifference: observed, pValue: Math.min(1, (2 * Math.min(atMost, atLeast)) / total), exact, resamples: total };
  }
  const rng = createRng(options.seed ?? DEFAULT_SEED);
  const words = Math.ceil(n / 32);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let w = 0, i = 0; w < words; w++) {
      // Bit j of the w-th draw flips sample 32w + j, lowest bit first.
      let bits = Math.floor(rng() * 4294967296);
      for (let j = 0; j < 32 && i < n; j++, i++) {
        sum += differences[i] * (1 - 2 * (bits & 1));
        bits >>>= 1;
      }
    }
    count(sum / n);
  }
  const p = (2 * (Math.min(atMost, atLeast) + 1)) / (resamples + 1);
  return { meanDifference: observed, pValue: Math.min(1, p), exact, resamples };
}
