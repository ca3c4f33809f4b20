/**
 * Statistics on per-sample scores against the values scripts/reference/results-stats.py computed
 * with scipy 1.17 and statsmodels 0.15 (reference.json names the versions).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { bootstrapMeanCi, erfc, holm, normalSf, signFlipTest, wilcoxonSignedRank } from '../../src/metrics/index.js';

interface PairedCase {
  name: string;
  baseline: number[];
  candidate: number[];
}
const reference = JSON.parse(readFileSync(join(process.cwd(), '__tests__/fixtures/results-stats/reference.json'), 'utf8')) as {
  source: string;
  wilcoxon: (PairedCase & { method: string; statistic: number; pValue: number; zeros: number })[];
  signFlip: (PairedCase & { exact: boolean; pValue: number; scipyPValue?: number; scipyResamples?: number })[];
  bootstrap: (PairedCase & { mean: number; ci: [number, number]; scipyCi: [number, number]; standardError: number })[];
  erfc: { x: number; value: number; exact: number }[];
  normalSf: { z: number; value: number; exact: number }[];
  holm: { pValues: number[]; adjusted: number[]; rejected: boolean[] }[];
};

const differences = (c: PairedCase) => c.candidate.map((v, i) => v - c.baseline[i]);
const relative = (got: number, expected: number) => (expected === 0 ? Math.abs(got) : Math.abs(got - expected) / Math.abs(expected));

describe('reference values', () => {
  it('come from scipy 1.17 and statsmodels 0.15', () => {
    expect(reference.source).toMatch(/scipy 1\.17\.\d+, statsmodels 0\.15\.\d+/);
  });
});

describe('erfc and normalSf', () => {
  it.each(reference.erfc)('erfc($x) matches mpmath and scipy.special.erfc to 3e-15 relative', ({ x, value, exact }) => {
    expect(relative(erfc(x), exact)).toBeLessThan(3e-15);
    expect(relative(erfc(x), value)).toBeLessThan(3e-15);
  });
  it.each(reference.normalSf)('normalSf($z) matches mpmath to 3e-15, scipy.stats.norm.sf within its own z²·ε rounding', ({ z, value, exact }) => {
    expect(relative(normalSf(z), exact)).toBeLessThan(3e-15);
    // scipy evaluates erfc(z/√2), whose rounded argument moves the tail by up to z²·ε relative.
    expect(relative(normalSf(z), value)).toBeLessThan(3e-15 + z * z * Number.EPSILON);
  });
});

describe('wilcoxonSignedRank (scipy.stats.wilcoxon defaults)', () => {
  it('covers every branch of method=auto', () => {
    expect(new Set(reference.wilcoxon.map((c) => c.method))).toEqual(new Set(['exact', 'permutation', 'asymptotic']));
  });
  it.each(reference.wilcoxon)('$name', (c) => {
    const result = wilcoxonSignedRank(differences(c));
    expect(result.method).toBe(c.method);
    expect(result.zeros).toBe(c.zeros);
    expect(result.statistic).toBe(c.statistic);
    expect(relative(result.pValue, c.pValue)).toBeLessThan(1e-12);
  });
  it('is symmetric in the two models and gives p = 1 when nothing differs', () => {
    const c = reference.wilcoxon[2];
    const swapped = wilcoxonSignedRank(c.baseline.map((v, i) => v - c.candidate[i]));
    expect(swapped.pValue).toBeCloseTo(wilcoxonSignedRank(differences(c)).pValue, 14);
    expect(wilcoxonSignedRank(new Array(60).fill(0)).pValue).toBe(1);
  });
});

describe('signFlipTest', () => {
  for (const c of reference.signFlip) {
    if (c.exact) {
      it(`${c.name}: equals scipy.stats.permutation_test (exhaustive) exactly`, () => {
        const result = signFlipTest(differences(c));
        expect(result.exact).toBe(true);
        expect(result.resamples).toBe(2 ** c.baseline.length);
        expect(relative(result.pValue, c.pValue)).toBeLessThan(1e-12);
      });
    } else {
      it(`${c.name}: equals the Python port of the same generator, and scipy's 200,000-resample p within 4 Monte Carlo SE`, () => {
        const result = signFlipTest(differences(c));
        expect(result.exact).toBe(false);
        expect(result.resamples).toBe(9999);
        expect(result.pValue).toBe(c.pValue);
        const se = 2 * Math.sqrt(((c.scipyPValue! / 2) * (1 - c.scipyPValue! / 2)) / 9999);
        expect(Math.abs(result.pValue - c.scipyPValue!)).toBeLessThan(4 * se);
      });
    }
  }
  it('gives p = 1 when every difference is zero, and never p = 0 by Monte Carlo', () => {
    expect(signFlipTest(new Array(40).fill(0)).pValue).toBe(1);
    expect(signFlipTest(new Array(40).fill(0.5)).pValue).toBe(2 / 10000);
  });
});

describe('bootstrapMeanCi (paired: resampling the differences)', () => {
  it.each(reference.bootstrap)('$name: equals the Python port exactly and scipy.stats.bootstrap within 0.1 SE', (c) => {
    const result = bootstrapMeanCi(differences(c));
    expect(result.mean).toBeCloseTo(c.mean, 14);
    expect(result.ci[0]).toBeCloseTo(c.ci[0], 14);
    expect(result.ci[1]).toBeCloseTo(c.ci[1], 14);
    // Percentile endpoints from 10,000 resamples have a Monte Carlo SE of ~0.03 SE of the mean.
    expect(Math.abs(result.ci[0] - c.scipyCi[0])).toBeLessThan(0.1 * c.standardError);
    expect(Math.abs(result.ci[1] - c.scipyCi[1])).toBeLessThan(0.1 * c.standardError);
  });
  it('is the same on every run and collapses to the value when all values are equal', () => {
    const c = reference.bootstrap[0];
    expect(bootstrapMeanCi(differences(c))).toEqual(bootstrapMeanCi(differences(c)));
    expect(bootstrapMeanCi([0.25, 0.25, 0.25]).ci).toEqual([0.25, 0.25]);
  });
});

describe('holm (statsmodels multipletests method=holm)', () => {
  it.each(reference.holm)('p = $pValues', ({ pValues, adjusted, rejected }) => {
    const result = holm(pValues);
    result.adjusted.forEach((p, i) => expect(p).toBeCloseTo(adjusted[i], 15));
    expect(result.rejected).toEqual(rejected);
  });
});
