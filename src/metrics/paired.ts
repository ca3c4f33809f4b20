/**
 * Statistics of a paired 2×2 table: baseline and candidate scored on the same n samples.
 *
 *                      candidate right   candidate wrong
 *   baseline right            a                 b        (b: candidate newly broke it)
 *   baseline wrong            c                 d        (c: candidate fixed it)
 *
 * Baseline errors = c + d, candidate errors = b + d. Only the discordant cells b and c carry
 * information about which model is better; a and d set the scale.
 */

import { binomialHalfLowerTail, wilsonInterval, Z_95, type Interval } from './binomial.js';

export interface PairedTable {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

function tableSize(t: PairedTable): number {
  for (const cell of ['a', 'b', 'c', 'd'] as const) {
    const v = t[cell];
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`paired table cell ${cell} must be a non-negative integer, got ${v}`);
    }
  }
  const n = t.a + t.b + t.c + t.d;
  if (n === 0) throw new RangeError('paired table is empty (n = 0)');
  return n;
}

/**
 * Newcombe (1998) method 10: the square-and-add (MOVER) interval built from the Wilson intervals
 * of the two marginal accuracies, corrected for their correlation φ.
 *
 * φ follows Newcombe's definition (as in Altman et al., "Statistics with Confidence", and Fagerland
 * et al.'s contingencytables): with D = ad − bc, φ = (D − n/2)/√(…) when D > n/2, 0 when
 * 0 <= D <= n/2, D/√(…) when D < 0, and 0 when any marginal total is 0. The n/2 shrinkage of
 * positive D keeps the interval from being too narrow; the issue's reference values
 * (a=880,b=12,c=30,d=78 → 0.005144..0.031422) are only reproduced with it.
 *
 * delta = candidate accuracy − baseline accuracy = (c − b)/n.
 */
export function newcombePairedDiff(t: PairedTable, z: number = Z_95): { delta: number; ci: Interval } {
  const n = tableSize(t);
  const { a, b, c, d } = t;
  const baselineRight = a + b;
  const candidateRight = a + c;
  const pBase = baselineRight / n;
  const pCand = candidateRight / n;
  const [lBase, uBase] = wilsonInterval(baselineRight, n, z);
  const [lCand, uCand] = wilsonInterval(candidateRight, n, z);

  const marginProduct = (a + b) * (c + d) * (a + c) * (b + d);
  let phi = 0;
  if (marginProduct > 0) {
    const cross = a * d - b * c;
    if (cross > n / 2) phi = (cross - n / 2) / Math.sqrt(marginProduct);
    else if (cross < 0) phi = cross / Math.sqrt(marginProduct);
  }

  const delta = (c - b) / n;
  // Lower end: candidate could be lower (pCand − lCand) while baseline is higher (uBase − pBase).
  const candDown = pCand - lCand;
  const baseUp = uBase - pBase;
  const candUp = uCand - pCand;
  const baseDown = pBase - lBase;
  // max(0, …) only absorbs rounding: with |φ| <= 1 the radicand is >= (x − y)² >= 0.
  const lowerRadicand = candDown ** 2 - 2 * phi * candDown * baseUp + baseUp ** 2;
  const upperRadicand = candUp ** 2 - 2 * phi * candUp * baseDown + baseDown ** 2;
  const lower = delta - Math.sqrt(Math.max(0, lowerRadicand));
  const upper = delta + Math.sqrt(Math.max(0, upperRadicand));
  return { delta, ci: [lower, upper] };
}

/**
 * Relative error reduction (err_base − err_cand)/err_base = 1 − R, R = (b + d)/(c + d), with the
 * delta-method interval on ln R for paired proportions: SE = √((b + c)/((b + d)(c + d))),
 * CI = [1 − R·e^{+z·SE}, 1 − R·e^{−z·SE}].
 *
 * Returns null when the baseline made no errors (c + d = 0): there is nothing to reduce.
 *
 * Edge cases where ln R or its SE is degenerate (documented choices, not the delta method):
 * - Candidate made no errors (b = d = 0, so c > 0): value = 1 and ln R = −∞. With d = 0,
 *   R = b/c = π/(1 − π) where π = b/(b + c) is the share of discordant pairs the candidate broke;
 *   the Wilson upper bound for π at 0 of c is z²/(c + z²), i.e. R <= z²/c. CI = [1 − z²/c, 1].
 * - No discordant pairs (b = c = 0, d > 0): R = 1 exactly and the delta-method SE is 0, which
 *   would claim certainty. Instead: the Wilson upper bound on the discordant count at 0 of n is
 *   u = n·z²/(n + z²); in the worst case all u go one way, R ∈ [d/(d + u), (d + u)/d], so
 *   CI = [−u/d, u/(d + u)].
 * The upper bound never exceeds 1 (a model can't remove more than all errors); the lower bound
 * is unbounded below (a candidate can be many times worse).
 */
export function errorReduction(t: PairedTable, z: number = Z_95): { value: number; ci: Interval } | null {
  const n = tableSize(t);
  const { b, c, d } = t;
  const baselineErrors = c + d;
  const candidateErrors = b + d;
  if (baselineErrors === 0) return null;

  if (candidateErrors === 0) {
    return { value: 1, ci: [1 - (z * z) / c, 1] };
  }
  if (b === 0 && c === 0) {
    const plausibleDiscordant = (n * z * z) / (n + z * z);
    return {
      value: 0,
      ci: [-plausibleDiscordant / d, plausibleDiscordant / (d + plausibleDiscordant)],
    };
  }

  const ratio = candidateErrors / baselineErrors;
  const se = Math.sqrt((b + c) / (candidateErrors * baselineErrors));
  return {
    value: (c - b) / baselineErrors,
    ci: [1 - ratio * Math.exp(z * se), 1 - ratio * Math.exp(-z * se)],
  };
}

/**
 * Exact McNemar test: under H0 each discordant pair is equally likely to go either way, so
 * b ~ Bin(b + c, ½). Two-sided p = min(1, 2·P[X <= min(b, c)]).
 * Mid-p (Fagerland, Lydersen & Laake 2013) = 2·P[X <= k] − P[X = k], capped at 1: it counts only
 * half of the observed outcome's probability, which removes most of the exact test's conservatism.
 * Both are 1 when b = c (including b = c = 0).
 *
 * Below ~1e-308 the double underflows to 0; use log10McnemarExact for an honest "p < 1e-N".
 */
export function mcnemar(t: PairedTable): { exact: number; midP: number } {
  tableSize(t);
  if (t.b === t.c) return { exact: 1, midP: 1 };
  const { logPmfAtK, ratioSum } = binomialHalfLowerTail(Math.min(t.b, t.c), t.b + t.c);
  // exact = 2·pmf·S and midP = pmf·(2S − 1), with S >= 1: no subtraction of near-equal numbers.
  const exact = Math.min(1, Math.exp(Math.LN2 + logPmfAtK + Math.log(ratioSum)));
  const midP = Math.min(1, Math.exp(logPmfAtK + Math.log(2 * ratioSum - 1)));
  return { exact, midP };
}

/** log10 of the exact McNemar p-value (<= 0); finite even where the p-value itself underflows. */
export function log10McnemarExact(t: PairedTable): number {
  tableSize(t);
  if (t.b === t.c) return 0;
  const { logPmfAtK, ratioSum } = binomialHalfLowerTail(Math.min(t.b, t.c), t.b + t.c);
  return Math.min(0, (Math.LN2 + logPmfAtK + Math.log(ratioSum)) / Math.LN10);
}

/**
 * Smallest accuracy difference (as a proportion) this eval set can detect with the McNemar test
 * at 80% power, two-sided α = 0.05: δ ≈ (z₀.₉₇₅ + z₀.₈₀)·√(ψ/n), ψ = (b + c)/n the discordant
 * rate. The constant 2.80 is the conventional rounding of 1.95996 + 0.84162 = 2.80159 (the
 * difference is 0.06% of the result). The approximation drops the δ² term of Connor (1987)'s
 * sample-size formula, which is negligible when δ² << ψ.
 */
export function detectableDifference(n: number, psi: number): number {
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`n must be positive, got ${n}`);
  if (!(psi >= 0 && psi <= 1)) throw new RangeError(`psi must be in [0, 1], got ${psi}`);
  return 2.8 * Math.sqrt(psi / n);
}

/** The paired table of two right/wrong vectors over the same samples (baseline[i], candidate[i]). */
export function tabulatePairs(baseline: readonly boolean[], candidate: readonly boolean[]): PairedTable {
  if (baseline.length !== candidate.length) throw new RangeError(`tabulatePairs: ${baseline.length} baseline vs ${candidate.length} candidate outcomes`);
  const t = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < baseline.length; i++) {
    if (baseline[i] && candidate[i]) t.a++;
    else if (baseline[i]) t.b++;
    else if (candidate[i]) t.c++;
    else t.d++;
  }
  return t;
}
