/**
 * Test-only oracles in exact integer arithmetic (BigInt): binomial coefficients and Bin(m, ½)
 * tails computed by summing exact C(m, i) and dividing by 2^m. They share no code or algorithm
 * with src/metrics (which works in floating-point log space), so agreement is independent evidence.
 */

export function binomialCoefficients(m: number): bigint[] {
  const row: bigint[] = [1n];
  for (let i = 1; i <= m; i++) row.push((row[i - 1] * BigInt(m - i + 1)) / BigInt(i));
  return row;
}

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/** numerator / 2^exponent as a correctly scaled double (64+ significant bits before rounding). */
export function bigRatioToNumber(numerator: bigint, exponent: number): number {
  if (numerator === 0n) return 0;
  const extraBits = exponent - bitLength(numerator) + 64;
  const scaled = extraBits >= 0 ? (numerator << BigInt(extraBits)) >> BigInt(exponent) : numerator >> BigInt(exponent - extraBits);
  // Split the power of two so 2^-extraBits can't overflow/underflow on the way.
  const half = Math.trunc(extraBits / 2);
  return Number(scaled) * 2 ** -half * 2 ** -(extraBits - half);
}

/** Natural log of a positive BigInt, from its leading 17 decimal digits. */
export function bigLog(x: bigint): number {
  const digits = x.toString();
  const lead = Number(digits.slice(0, 17));
  return Math.log(lead) + (digits.length - Math.min(17, digits.length)) * Math.LN10;
}

/** Exact two-sided McNemar pieces for discordant counts b, c: 2·Σ_{i<=k} C(m,i) and C(m,k). */
export function exactMcnemarNumerators(b: number, c: number): { m: number; twiceTail: bigint; atK: bigint } {
  const m = b + c;
  const k = Math.min(b, c);
  const row = binomialCoefficients(m);
  let tail = 0n;
  for (let i = 0; i <= k; i++) tail += row[i];
  return { m, twiceTail: 2n * tail, atK: row[k] };
}
