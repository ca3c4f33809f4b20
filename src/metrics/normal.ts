/**
 * The standard normal tail, for the Wilcoxon signed-rank test's normal approximation, and erfc.
 *
 * JavaScript has no erfc, so both are computed here to about 1e-15 relative (checked against
 * scipy in __tests__/metrics/continuous.test.ts):
 * - near 0, from the all-positive series erf(x) = 2/√π · e^{−x²} · Σ (2x²)^n · x / (1·3·…·(2n+1)),
 *   which neither cancels nor loses digits there;
 * - in the tail, from continued fractions evaluated with Lentz's method: erfc(x) = e^{−x²}/√π ·
 *   1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))) and, for the normal, Laplace's Mills ratio
 *   P[Z > z] = φ(z) · 1/(z + 1/(z + 2/(z + 3/(z + …)))). Both converge in under 200 steps here.
 * The Gaussian factor e^{−x²} is formed as e^{−m²}·e^{−(2mf + f²)} with m = x rounded to 1/128 (so
 * m² is exact): a plain Math.exp(−x·x) would carry the rounding of x·x, a relative error of
 * x²·ε, into every tail value. For the same reason normalSf works on z directly, not on z/√2.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** e^{−x²·scale} without the rounding error of x·x (scale is 1 or ½, so m²·scale stays exact). */
function gaussian(x: number, scale: number): number {
  const m = Math.round(x * 128) / 128;
  const f = x - m;
  return Math.exp(-m * m * scale) * Math.exp(-(2 * m * f + f * f) * scale);
}

/** 1 − erf(x) for 0 <= x < ~1.5 from the positive series. */
function erfcBySeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 1000; n++) {
    term *= (2 * x2) / (2 * n + 3);
    const next = sum + term;
    if (next === sum) break;
    sum = next;
  }
  return 1 - (2 / SQRT_PI) * gaussian(x, 1) * sum;
}

/** Lentz's evaluation of 1/(x + a(1)/(x + a(2)/(x + …))). */
function continuedFraction(x: number, a: (k: number) => number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 10000; k++) {
    d = x + a(k) * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + a(k) / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}

/** Complementary error function erfc(x) = 1 − erf(x). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Infinity) return 0;
  if (x < 1) return erfcBySeries(x);
  return (gaussian(x, 1) / SQRT_PI) * continuedFraction(x, (k) => k / 2);
}

/** P[Z > z] for a standard normal Z (scipy.stats.norm.sf). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 0) return 1 - normalSf(-z);
  if (z === Infinity) return 0;
  if (z < 1.5) return 0.5 * erfcBySeries(z / Math.SQRT2);
  return (gaussian(z, 0.5) / SQRT_2PI) * continuedFraction(z, (k) => k);
}
