/**
 * The statistics of task: results (pure): each model's mean with its CI, the paired comparison
 * overall, on the focus slices pooled, and per slice (worst first, Holm-corrected).
 *
 * Right/wrong outcomes reuse the classification machinery: Wilson per model, Newcombe's paired
 * interval for Δ, McNemar's exact test, the error reduction and the detectable difference.
 * Continuous scores get a paired bootstrap CI of the mean difference and the sign-flip
 * permutation test of the same mean (the test and the interval speak about the same number);
 * Wilcoxon's signed-rank test is reported alongside, as scipy computes it.
 */
import {
  bootstrapMeanCi,
  detectableDifference,
  errorReduction,
  holm,
  log10McnemarExact,
  mcnemar,
  mean,
  newcombePairedDiff,
  signFlipTest,
  tabulatePairs,
  wilcoxonSignedRank,
  wilsonInterval,
  BOOTSTRAP_RESAMPLES,
  type Interval,
} from '../../metrics/index.js';

export const ALPHA = 0.05;

export interface BinaryDetail {
  readonly bothCorrect: number;
  readonly baselineOnlyCorrect: number;
  readonly candidateOnlyCorrect: number;
  readonly bothWrong: number;
  readonly pMidP: number;
  /** (err_b − err_c)/err_b; null when the baseline makes no errors. */
  readonly errorReduction: number | null;
  readonly errorReductionCi95: Interval | null;
  readonly detectableDifference: number;
}

export interface ContinuousDetail {
  readonly wilcoxon: { readonly statistic: number; readonly pValue: number; readonly method: string; readonly zeros: number };
  readonly signFlip: { readonly exact: boolean; readonly resamples: number };
  readonly bootstrapResamples: number;
}

/** Baseline vs candidate on one set of paired samples, in the metric's own units. */
export interface PairedStats {
  readonly samples: number;
  readonly baseline: number;
  /** Each model's own interval: Wilson, or a bootstrap for scores (null on slices of scores, where the report shows none). */
  readonly baselineCi95: Interval | null;
  readonly candidate: number;
  readonly candidateCi95: Interval | null;
  /** candidate − baseline. */
  readonly delta: number;
  readonly deltaCi95: Interval;
  /** McNemar exact (binary) or sign-flip permutation (continuous), two-sided. */
  readonly pValue: number;
  /** log10 of pValue, finite where McNemar's p underflows. */
  readonly log10PValue: number;
  readonly test: 'mcnemar-exact' | 'sign-flip';
  readonly binary: BinaryDetail | null;
  readonly continuous: ContinuousDetail | null;
}

export function meanWithCi(values: readonly number[], kind: 'binary' | 'continuous'): { mean: number; ci95: Interval } {
  if (kind === 'binary') {
    const correct = values.reduce((s, v) => s + v, 0);
    return { mean: correct / values.length, ci95: wilsonInterval(correct, values.length) };
  }
  const { mean: m, ci } = bootstrapMeanCi(values);
  return { mean: m, ci95: ci };
}

/**
 * `modelIntervals: false` skips each model's own bootstrap for scores (two of the four resampling
 * passes); the slice tables show no per-model interval, so slices don't pay for one.
 */
export function pairedStats(baseline: readonly number[], candidate: readonly number[], kind: 'binary' | 'continuous', modelIntervals = true): PairedStats {
  const n = baseline.length;
  if (n === 0 || candidate.length !== n) throw new RangeError(`pairedStats: ${n} baseline vs ${candidate.length} candidate values`);
  const side = (values: readonly number[]) => (kind === 'continuous' && !modelIntervals ? { mean: mean(values), ci95: null } : meanWithCi(values, kind));
  const b = side(baseline);
  const c = side(candidate);
  const sides = { samples: n, baseline: b.mean, baselineCi95: b.ci95, candidate: c.mean, candidateCi95: c.ci95 };
  if (kind === 'binary') {
    const table = tabulatePairs(
      baseline.map((v) => v === 1),
      candidate.map((v) => v === 1),
    );
    const diff = newcombePairedDiff(table);
    const p = mcnemar(table);
    const rer = errorReduction(table);
    return {
      ...sides,
      delta: diff.delta,
      deltaCi95: diff.ci,
      pValue: p.exact,
      log10PValue: log10McnemarExact(table),
      test: 'mcnemar-exact',
      binary: {
        bothCorrect: table.a,
        baselineOnlyCorrect: table.b,
        candidateOnlyCorrect: table.c,
        bothWrong: table.d,
        pMidP: p.midP,
        errorReduction: rer ? rer.value : null,
        errorReductionCi95: rer ? rer.ci : null,
        detectableDifference: detectableDifference(n, (table.b + table.c) / n),
      },
      continuous: null,
    };
  }
  const differences = candidate.map((v, i) => v - baseline[i]);
  const boot = bootstrapMeanCi(differences);
  const flip = signFlipTest(differences);
  const w = wilcoxonSignedRank(differences);
  return {
    ...sides,
    delta: mean(differences),
    deltaCi95: boot.ci,
    pValue: flip.pValue,
    log10PValue: Math.log10(flip.pValue),
    test: 'sign-flip',
    binary: null,
    continuous: {
      wilcoxon: { statistic: w.statistic, pValue: w.pValue, method: w.method, zeros: w.zeros },
      signFlip: { exact: flip.exact, resamples: flip.resamples },
      bootstrapResamples: BOOTSTRAP_RESAMPLES,
    },
  };
}

export interface SliceKey {
  readonly column: string;
  readonly value: string;
}

export interface SliceDelta extends SliceKey, PairedStats {
  /** Holm-adjusted p within its family (all slices, or the focus slices). */
  readonly holmP: number;
  /** Holm rejects at α and the candidate is lower. */
  readonly worse: boolean;
  /** Holm rejects at α and the candidate is higher. */
  readonly better: boolean;
}

/** Per-slice comparisons of one family, Holm-corrected together, worst first. */
export function compareSlices(
  keys: readonly SliceKey[],
  members: (key: SliceKey) => readonly number[],
  baseline: readonly number[],
  candidate: readonly number[],
  kind: 'binary' | 'continuous',
): SliceDelta[] {
  const stats = keys.map((key) => {
    const index = members(key);
    return {
      ...key,
      ...pairedStats(
        index.map((i) => baseline[i]),
        index.map((i) => candidate[i]),
        kind,
        false,
      ),
    };
  });
  const corrected = holm(
    stats.map((s) => s.pValue),
    ALPHA,
  );
  const slices = stats.map((s, k) => ({
    ...s,
    holmP: corrected.adjusted[k],
    worse: corrected.rejected[k] && s.delta < 0,
    better: corrected.rejected[k] && s.delta > 0,
  }));
  return slices.sort((x, y) => x.delta - y.delta || (x.column < y.column ? -1 : x.column > y.column ? 1 : x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
}
