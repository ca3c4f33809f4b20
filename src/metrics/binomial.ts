/**
 * Binomial building blocks: the Wilson score interval for one proportion, and the log-space
 * Bin(m, ½) probabilities that the exact McNemar test needs.
 *
 * McNemar p-values can be astronomically small (b=243, c=600 gives ~1e-35; with a million
 * discordant pairs far below 1e-308), so nothing here multiplies raw probabilities: the pmf is
 * computed in log space with Loader's saddle-point method (the algorithm behind R's dbinom), which
 * stays accurate to ~1e-15 relative for any m, and the tail is the pmf at k times a sum of ratios
 * that is >= 1, so neither underflows nor cancels.
 */

export type Interval = [number, number];

/** z(0.975): the two-sided 95% normal quantile, to double precision. */
export const Z_95 = 1.959963984540054;

const LN_2 = Math.LN2;
const LN_2PI = Math.log(2 * Math.PI);

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

/**
 * Wilson score interval for `successes` out of `n`. Unlike the Wald interval it never leaves
 * [0, 1] and keeps its coverage near 0 and 1, which is where model accuracies live.
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): Interval {
  assertCount('successes', successes);
  assertCount('n', n);
  if (n === 0) throw new RangeError('wilsonInterval needs n > 0');
  if (successes > n) throw new RangeError(`successes (${successes}) exceeds n (${n})`);
  if (!(z > 0)) throw new RangeError(`z must be positive, got ${z}`);

  const z2 = z * z;
  // Written in counts rather than proportions: (x + z²/2 ± z·√(x(n−x)/n + z²/4)) / (n + z²).
  const centre = successes + z2 / 2;
  const halfWidth = z * Math.sqrt((successes * (n - successes)) / n + z2 / 4);
  const denominator = n + z2;
  // At x = 0 (x = n) the bound is exactly 0 (1) algebraically; pin it so rounding can't leak out.
  const lower = successes === 0 ? 0 : Math.max(0, (centre - halfWidth) / denominator);
  const upper = successes === n ? 1 : Math.min(1, (centre + halfWidth) / denominator);
  return [lower, upper];
}

/**
 * Stirling-series error: ln(n!) − [(n + ½)·ln n − n + ½·ln 2π], for integers n >= 1.
 * Small n use the definition (ln n! summed exactly enough for n <= 15); larger n the asymptotic
 * series, whose truncation error is below 1e-16 at these cut-offs (Loader 2000).
 */
const STIRLERR_SMALL: number[] = (() => {
  const table = [0];
  let logFactorial = 0;
  for (let n = 1; n <= 15; n++) {
    logFactorial += Math.log(n);
    table.push(logFactorial - ((n + 0.5) * Math.log(n) - n + LN_2PI / 2));
  }
  return table;
})();

function stirlingError(n: number): number {
  if (n <= 15) return STIRLERR_SMALL[n];
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/**
 * Deviance term x·ln(x/np) + np − x, computed without the cancellation the naive form suffers
 * when x ≈ np (series in v = (x − np)/(x + np), Loader 2000).
 */
function devianceTerm(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let sum = (x - np) * v;
    let term = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      term *= v;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / np) + np - x;
}

/** ln P[X = k] for X ~ Bin(m, ½). */
export function logBinomialPmfHalf(k: number, m: number): number {
  assertCount('k', k);
  assertCount('m', m);
  if (k > m) return -Infinity;
  if (k === 0 || k === m) return -m * LN_2;
  const half = m / 2;
  const logC = stirlingError(m) - stirlingError(k) - stirlingError(m - k) - devianceTerm(k, half) - devianceTerm(m - k, half);
  return logC - 0.5 * (LN_2PI + Math.log(k) + Math.log1p(-k / m));
}

/**
 * The lower tail P[X <= k] of Bin(m, ½) for k <= m/2, split as pmf(k) · ratioSum so callers can
 * form exact and mid-p values without cancellation. ratioSum = Σ_{i<=k} pmf(i)/pmf(k) >= 1.
 *
 * Going down from k, pmf(i−1)/pmf(i) = i/(m−i+1) < 1, so the terms shrink monotonically and the
 * sum stops once a term no longer changes it (a few thousand terms even at m = 1e6).
 */
export function binomialHalfLowerTail(k: number, m: number): { logPmfAtK: number; ratioSum: number } {
  assertCount('k', k);
  assertCount('m', m);
  if (2 * k > m) throw new RangeError(`lower tail needs k <= m/2, got k=${k}, m=${m}`);
  let ratioSum = 1;
  let term = 1;
  for (let i = k; i > 0; i--) {
    term *= i / (m - i + 1);
    const next = ratioSum + term;
    if (next === ratioSum) break;
    ratioSum = next;
  }
  return { logPmfAtK: logBinomialPmfHalf(k, m), ratioSum };
}
