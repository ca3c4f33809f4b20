/**
 * Latency compared over rounds. A round is one interleaved ABBA block sequence of every model,
 * each on fresh sessions; each round gives one p50 ratio (candidate over baseline). The figure
 * comes from those ratios, and its CI from how much they differ between rounds, so a change of
 * load level between rounds widens the interval instead of moving the figure. (The bootstrap over
 * the runs of one window, which this replaces, only knew the noise inside it.)
 *
 * Figure and CI are the 20%-trimmed mean of the per-round log ratios and its Tukey–McLaughlin
 * interval (Wilcox, Introduction to Robust Estimation and Hypothesis Testing, §4.4.3; scipy's
 * mstats.trimmed_mean_ci): with g = ⌊0.2·R⌋ rounds cut from each end (1 of 7),
 *   mean of the R − 2g middle logs ± t(1 − α/2, R − 2g − 1) · s_w / (0.6 · √R),
 * s_w the standard deviation of the logs winsorized at the same g. Why trimmed: one round in seven
 * that a burst of load hit far off the others made the t-interval of all seven (and of their
 * median) two or three times wider, so a real 1.5× slowdown's lower bound fell below 1.15 (three
 * bench runs in twenty, docs/latency.md). Trimmed, that round counts as its neighbour does.
 */
import type { Interval } from './binomial.js';
import { percentileNearestRank } from './latency.js';
import { mean } from './resampling.js';
import { studentTQuantile } from './student-t.js';

export interface RoundsRatio {
  /** Over rounds of p50(candidate) / p50(baseline): the geometric 20%-trimmed mean (of 7 rounds, the middle 5). */
  readonly ratio: number;
  readonly ci: Interval;
  /** Each round's p50 ratio, in round order. */
  readonly perRound: readonly number[];
  readonly rounds: number;
}

/** The share of rounds cut from each end (floor(0.2·R) rounds): none below 5 rounds, 1 of 5 to 9. */
const ROUNDS_TRIM = 0.2;

function p50(runs: readonly number[]): number {
  if (runs.length === 0) throw new RangeError('a round without latency samples');
  return percentileNearestRank(
    [...runs].sort((a, b) => a - b),
    50,
  );
}

/** Rounds cut from each end of the sorted ratios. */
export function cutRounds(rounds: number): number {
  return Math.floor(ROUNDS_TRIM * rounds);
}

/** How many rounds the trimmed mean keeps, the degrees of freedom of its t-interval plus one. */
export function keptRounds(rounds: number): number {
  return rounds - 2 * cutRounds(rounds);
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
  const logs = perRound.map(Math.log).sort((a, b) => a - b);
  const cut = cutRounds(rounds);
  const kept = logs.slice(cut, rounds - cut);
  const center = mean(kept);
  const winsorized = logs.map((x) => Math.min(Math.max(x, logs[cut]), logs[rounds - cut - 1]));
  const winsorizedMean = mean(winsorized);
  const sd = Math.sqrt(winsorized.reduce((sum, x) => sum + (x - winsorizedMean) ** 2, 0) / (rounds - 1));
  const half = studentTQuantile((1 + level) / 2, kept.length - 1) * (sd / ((1 - 2 * ROUNDS_TRIM) * Math.sqrt(rounds)));
  return { ratio: Math.exp(center), ci: [Math.exp(center - half), Math.exp(center + half)], perRound, rounds };
}

/**
 * What the A/A control arm (the baseline against a second session of itself) says this runner
 * resolves right now: the largest distance of its CI from 1, as a fraction (0.04 = ±4%). A
 * latency change smaller than this can't be told from the runner's own noise.
 */
export function noiseFloor(control: RoundsRatio): number {
  return Math.max(control.ci[1] - 1, 1 - control.ci[0]);
}
