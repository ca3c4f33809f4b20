/**
 * Latency compared over rounds. A round is one interleaved ABBA block sequence of every model,
 * each on fresh sessions; each round gives one p50 ratio (candidate over baseline). The figure is
 * the median of those ratios, and its CI comes from how much they differ between rounds, so a
 * change of load level between rounds widens the interval instead of moving the figure. (The
 * bootstrap over the runs of one window, which this replaces, only knew the noise inside it.)
 *
 * CI: ln(median) ± t(1 − α/2, R − 1) · √(π/2) · s / √R, with s the standard deviation of the
 * per-round log ratios. √(π/2) is the asymptotic standard error of a median relative to a mean
 * for normal data; t rather than z because the rounds are few.
 */
import type { Interval } from './binomial.js';
import { percentileNearestRank } from './latency.js';
import { studentTQuantile } from './student-t.js';

export interface RoundsRatio {
  /** Median over rounds of p50(candidate) / p50(baseline). */
  readonly ratio: number;
  readonly ci: Interval;
  /** Each round's p50 ratio, in round order. */
  readonly perRound: readonly number[];
  readonly rounds: number;
}

const MEDIAN_SE_FACTOR = Math.sqrt(Math.PI / 2);

function p50(runs: readonly number[]): number {
  if (runs.length === 0) throw new RangeError('a round without latency samples');
  return percentileNearestRank(
    [...runs].sort((a, b) => a - b),
    50,
  );
}

/** The median of ratios; for an even count, the geometric mean of the middle two (ratios multiply). */
function medianRatio(ratios: readonly number[]): number {
  const sorted = [...ratios].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : Math.sqrt(sorted[mid - 1] * sorted[mid]);
}

/** `baseline[r]` and `candidate[r]` are the timed runs (ms) of round r. */
export function roundsRatio(baseline: readonly (readonly number[])[], candidate: readonly (readonly number[])[], level = 0.95): RoundsRatio {
  if (baseline.length !== candidate.length) throw new RangeError(`${baseline.length} baseline rounds for ${candidate.length} candidate rounds`);
  const rounds = baseline.length;
  if (rounds < 2) throw new RangeError(`a CI over rounds needs at least 2 rounds, got ${rounds}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const perRound = baseline.map((runs, r) => {
    const base = p50(runs);
    if (!(base > 0)) throw new RangeError('baseline latencies must be > 0 ms');
    return p50(candidate[r]) / base;
  });
  const ratio = medianRatio(perRound);
  const logs = perRound.map(Math.log);
  const mean = logs.reduce((a, b) => a + b, 0) / rounds;
  const sd = Math.sqrt(logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (rounds - 1));
  const half = studentTQuantile((1 + level) / 2, rounds - 1) * MEDIAN_SE_FACTOR * (sd / Math.sqrt(rounds));
  return { ratio, ci: [Math.exp(Math.log(ratio) - half), Math.exp(Math.log(ratio) + half)], perRound, rounds };
}

/**
 * What the A/A control arm (the baseline against a second session of itself) says this runner
 * resolves right now: the largest distance of its CI from 1, as a fraction (0.04 = ±4%). A
 * latency change smaller than this can't be told from the runner's own noise.
 */
export function noiseFloor(control: RoundsRatio): number {
  return Math.max(control.ci[1] - 1, 1 - control.ci[0]);
}
