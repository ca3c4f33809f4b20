/**
 * Wilcoxon signed-rank test on paired differences, two-sided, computed the way
 * scipy.stats.wilcoxon(x, y) computes it with its defaults (scipy 1.17: zero_method='wilcox',
 * correction=False, method='auto'), so the p-value can be checked against scipy to the digit:
 *
 * - zeros are dropped ('wilcox'); the other |d| get average ranks, ties sharing their mean rank;
 * - n (all pairs, zeros included) > 50: normal approximation, z = (R⁺ − μ)/σ with
 *   μ = m(m+1)/4, σ² = (m(m+1)(2m+1) − Σ(t³ − t)/2)/24 over the m non-zero pairs and tie groups t,
 *   no continuity correction, p = 2·P[Z > |z|];
 * - n <= 50 without zeros or ties: the exact null distribution of R⁺;
 * - n <= 13 with zeros or ties: all 2^n sign flips (scipy's permutation test is exhaustive there);
 * - otherwise (13 < n <= 50 with zeros or ties): the normal approximation.
 *
 * One deliberate difference: with no non-zero difference at all scipy returns NaN for n > 13
 * (σ = 0); here p = 1, since identical outcomes are no evidence of a change.
 */
import { normalSf } from './normal.js';

export interface WilcoxonResult {
  /** min(R⁺, R⁻), the statistic scipy reports for the two-sided test. */
  readonly statistic: number;
  /** Sum of the ranks of the positive differences (candidate above baseline). */
  readonly rankSumPositive: number;
  readonly rankSumNegative: number;
  /** Pairs with a non-zero difference (the ones ranked). */
  readonly nonZero: number;
  readonly zeros: number;
  readonly method: 'exact' | 'permutation' | 'asymptotic';
  /** −|z| as scipy reports it, for the normal approximation; null otherwise. */
  readonly z: number | null;
  readonly pValue: number;
}

/** Relative tolerance scipy's permutation_test uses to count numerically equal statistics (100·ε). */
const TIE_TOLERANCE = 100 * Number.EPSILON;

/** Average ranks (1-based) of |d| over the non-zero differences, and Σ(t³ − t) over tie groups. */
function rankAbsolute(nonZero: readonly number[]): { ranks: number[]; tieTerm: number; hasTies: boolean } {
  const order = nonZero.map((_, i) => i).sort((a, b) => Math.abs(nonZero[a]) - Math.abs(nonZero[b]) || a - b);
  const ranks = new Array<number>(nonZero.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && Math.abs(nonZero[order[end]]) === Math.abs(nonZero[order[start]])) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    const t = end - start;
    tieTerm += t * t * t - t;
    start = end;
  }
  return { ranks, tieTerm, hasTies: tieTerm > 0 };
}

/** P[R⁺ <= atMost] and P[R⁺ >= atLeast] under H0 for m untied pairs, from exact counts (all < 2^53 for m <= 50). */
function exactTails(m: number, atMost: number, atLeast: number): { lower: number; upper: number } {
  let counts = [1];
  for (let j = 1; j <= m; j++) {
    const next = new Array<number>(counts.length + j).fill(0);
    for (let r = 0; r < counts.length; r++) {
      next[r] += counts[r];
      next[r + j] += counts[r];
    }
    counts = next;
  }
  const total = 2 ** m;
  let lower = 0;
  let upper = 0;
  for (let r = 0; r < counts.length; r++) {
    if (r <= atMost) lower += counts[r];
    if (r >= atLeast) upper += counts[r];
  }
  return { lower: lower / total, upper: upper / total };
}

/** Two-sided p over all 2^n sign flips of R⁺, counted as scipy.stats.permutation_test counts. */
function permutationP(differences: readonly number[], rankOf: (i: number) => number, observed: number): number {
  const n = differences.length;
  const gamma = Math.abs(TIE_TOLERANCE * observed);
  let atMost = 0;
  let atLeast = 0;
  const total = 2 ** n;
  for (let mask = 0; mask < total; mask++) {
    let rPlus = 0;
    for (let i = 0; i < n; i++) {
      const d = differences[i];
      if (d === 0) continue;
      const flipped = (mask >> i) & 1;
      if (d > 0 !== (flipped === 1)) rPlus += rankOf(i);
    }
    if (rPlus <= observed + gamma) atMost++;
    if (rPlus >= observed - gamma) atLeast++;
  }
  return Math.min(1, (2 * Math.min(atMost, atLeast)) / total);
}

/** Two-sided Wilcoxon signed-rank test of differences d_i = candidate_i − baseline_i. */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  if (differences.length === 0) throw new RangeError('wilcoxonSignedRank needs at least one pair');
  for (const d of differences) if (!Number.isFinite(d)) throw new RangeError(`wilcoxonSignedRank: difference ${d} is not finite`);
  const n = differences.length;
  const nonZero = differences.filter((d) => d !== 0);
  const m = nonZero.length;
  const zeros = n - m;
  const { ranks, tieTerm, hasTies } = rankAbsolute(nonZero);
  let rankSumPositive = 0;
  let rankSumNegative = 0;
  nonZero.forEach((d, i) => (d > 0 ? (rankSumPositive += ranks[i]) : (rankSumNegative += ranks[i])));
  const statistic = Math.min(rankSumPositive, rankSumNegative);
  const base = { statistic, rankSumPositive, rankSumNegative, nonZero: m, zeros };
  const method = n > 50 ? 'asymptotic' : !hasTies && zeros === 0 ? 'exact' : n <= 13 ? 'permutation' : 'asymptotic';
  if (m === 0) return { ...base, method, z: null, pValue: 1 };
  if (method === 'exact') {
    // Without ties R⁺ is a whole number; scipy still rounds up for the lower tail and down for the upper.
    const { lower, upper } = exactTails(m, Math.ceil(rankSumPositive), Math.floor(rankSumPositive));
    return { ...base, method, z: null, pValue: Math.min(1, 2 * Math.min(upper, lower)) };
  }
  if (method === 'permutation') {
    // Ranks belong to the non-zero entries; map them back to positions in `differences`.
    const rankAt = new Array<number>(n).fill(0);
    let k = 0;
    differences.forEach((d, i) => {
      if (d !== 0) rankAt[i] = ranks[k++];
    });
    return { ...base, method, z: null, pValue: permutationP(differences, (i) => rankAt[i], rankSumPositive) };
  }
  const mean = (m * (m + 1)) / 4;
  const sd = Math.sqrt((m * (m + 1) * (2 * m + 1) - tieTerm / 2) / 24);
  const z = (rankSumPositive - mean) / sd;
  return { ...base, method, z: -Math.abs(z), pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}
