/**
 * A small seeded PRNG so the bootstrap gives the same interval on every run and machine
 * (Math.random can't be seeded, and a report whose numbers change on re-run can't be trusted).
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018), 128-bit state, period 2^128 − 1, passes
 * BigCrush. The 32-bit seed is expanded into the state with splitmix32 so that nearby seeds
 * (0, 1, 2…) give unrelated streams and the state is never all-zero.
 */

/** Returns a function yielding uniform numbers in [0, 1) with 32 bits of resolution. */
export function createRng(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  // Seeds are taken modulo 2^32 (negative seeds wrap), matching the generator's word size.
  let splitState = seed >>> 0;
  const splitmix32 = (): number => {
    splitState = (splitState + 0x9e3779b9) >>> 0;
    let x = splitState;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) >>> 0;
  };
  let s0 = splitmix32();
  let s1 = splitmix32();
  let s2 = splitmix32();
  let s3 = splitmix32();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // all-zero is xoshiro's one fixed point

  const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result / 4294967296;
  };
}
