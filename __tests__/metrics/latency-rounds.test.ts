/**
 * Round-level latency statistics against scipy 1.17 (scripts/reference/latency-rounds.py): the
 * Student-t quantiles and CDF, and the trimmed mean of the rounds' ratios with its
 * Tukey–McLaughlin interval on fixed per-round timings; plus the A/A noise floor.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noiseFloor, roundsRatio } from '../../src/metrics/latency-rounds.js';
import { studentTCdf, studentTQuantile } from '../../src/metrics/student-t.js';

const reference = JSON.parse(readFileSync(join(process.cwd(), '__tests__', 'fixtures', 'latency-rounds', 'reference.json'), 'utf8'));

describe("Student's t", () => {
  it.each(reference.quantiles as { p: number; df: number; t: number }[])('ppf($p, $df) = $t as scipy gives it', ({ p, df, t }) => {
    expect(Math.abs(studentTQuantile(p, df) - t)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(t)));
    expect(Math.abs(studentTQuantile(1 - p, df) + t)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(t)));
  });

  it('cdf as scipy gives it', () => {
    for (const { t, df, p } of reference.cdf as { t: number; df: number; p: number }[]) expect(Math.abs(studentTCdf(t, df) - p)).toBeLessThan(1e-13);
  });
});

describe('roundsRatio', () => {
  it.each((reference.cases as { ratio: number }[]).map((c, i) => [i, c] as const))('case %i: per-round ratios, trimmed mean and CI as scipy gives them', (_i, c) => {
    const { baseline, candidate, perRound, ratio, ci } = c as unknown as { baseline: number[][]; candidate: number[][]; perRound: number[]; ratio: number; ci: [number, number] };
    const got = roundsRatio(baseline, candidate);
    expect(got.rounds).toBe(baseline.length);
    got.perRound.forEach((r, k) => expect(r).toBeCloseTo(perRound[k], 12));
    expect(got.ratio).toBeCloseTo(ratio, 12);
    expect(got.ci[0]).toBeCloseTo(ci[0], 10);
    expect(got.ci[1]).toBeCloseTo(ci[1], 10);
  });

  it('identical rounds give a zero-width CI at the ratio; one round is refused', () => {
    const runs = [
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ];
    expect(
      roundsRatio(
        runs,
        runs.map((r) => r.map((v) => v * 1.5)),
      ),
    ).toEqual({ ratio: 1.5, ci: [1.5, 1.5], perRound: [1.5, 1.5, 1.5], rounds: 3 });
    expect(() => roundsRatio([[1]], [[1]])).toThrow('at least 2 rounds');
  });

  it('one round far off the others moves neither the figure nor the CI, however far off it is (of 7 rounds one is cut at each end)', () => {
    const clean = [1.5, 1.52, 1.48, 1.51, 1.49, 1.53, 1.47];
    const rounds = (ratios: number[]) =>
      roundsRatio(
        ratios.map(() => [1]),
        ratios.map((r) => [r]),
      );
    const withRound3 = (far: number) => rounds([...clean.slice(0, 3), far, ...clean.slice(4)]);
    for (const side of [
      [1.6, 3, 40],
      [1.4, 0.5, 0.01],
    ]) {
      const [first, ...others] = side.map(withRound3);
      for (const got of others) {
        expect(got.ratio).toBeCloseTo(first.ratio, 12);
        expect(got.ci[0]).toBeCloseTo(first.ci[0], 12);
        expect(got.ci[1]).toBeCloseTo(first.ci[1], 12);
      }
      // At most half as wide again as the clean rounds' CI (in log terms): the far round counts as the edge round does.
      const width = (r: { ci: readonly number[] }) => Math.log(r.ci[1] / r.ci[0]);
      expect(width(first)).toBeLessThan(1.5 * width(rounds(clean)));
    }
  });

  it('the noise floor is the farther CI bound from 1', () => {
    expect(noiseFloor({ ratio: 1.01, ci: [0.97, 1.05], perRound: [], rounds: 7 })).toBeCloseTo(0.05, 12);
    expect(noiseFloor({ ratio: 0.99, ci: [0.9, 1.02], perRound: [], rounds: 7 })).toBeCloseTo(0.1, 12);
  });
});
