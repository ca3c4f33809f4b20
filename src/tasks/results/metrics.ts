/**
 * task: results' per-model metrics and comparison (pure): overall, the focus slices pooled and
 * one by one (Holm over the focus slices, the family the gates judge), and every slice (Holm over
 * all of them), worst first.
 */
import type { ResultsConfig } from '../../config/types.js';
import { UserError } from '../../errors.js';
import type { Interval } from '../../metrics/index.js';
import type { AlignedResults } from './align.js';
import { compareSlices, meanWithCi, pairedStats, type PairedStats, type SliceDelta, type SliceKey } from './compare.js';

export interface ResultsMetrics {
  readonly kind: 'binary' | 'continuous';
  readonly metric: string;
  readonly samples: number;
  /** Mean of the metric over the paired samples, in its own units (a fraction for right/wrong). */
  readonly mean: number;
  /** Wilson (binary) or 10,000-resample percentile bootstrap (continuous). */
  readonly meanCi95: Interval;
  /** Right answers, for right/wrong outcomes; null for scores. */
  readonly correct: number | null;
  readonly scoreScale: number;
}

export interface FocusComparison {
  /** results.focus as configured: column → values. */
  readonly spec: Readonly<Record<string, readonly string[]>>;
  /** The focus samples pooled: every sample in at least one focus slice. */
  readonly pooled: PairedStats;
  /** Each focus slice, Holm-corrected over the focus slices only, worst first. */
  readonly slices: readonly SliceDelta[];
}

export interface ResultsComparison {
  readonly kind: 'binary' | 'continuous';
  readonly metric: string;
  readonly scoreScale: number;
  readonly samples: number;
  readonly overall: PairedStats;
  readonly focus: FocusComparison | null;
  /** Every slice of every configured column, Holm-corrected together, worst first. */
  readonly slices: readonly SliceDelta[];
  /** Slices Holm (over all slices) finds significantly worse. */
  readonly significantlyWorse: readonly SliceKey[];
  /** Smallest Δ (as a fraction) this set detects with 80% power, right/wrong outcomes only; read by the footer. */
  readonly detectableDifference: number | null;
  readonly dropped: AlignedResults['dropped'];
  /** Paired samples with a latency on both sides; latency is compared only when that is all of them. */
  readonly samplesWithLatency: number;
}

/** Most distinct values a slice column may have; more is an id, not a slice. */
const MAX_SLICE_VALUES = 500;

export function resultsMetrics(values: readonly number[], aligned: Pick<AlignedResults, 'kind'>, metric: string, scoreScale: number): ResultsMetrics {
  const { mean, ci95 } = meanWithCi(values, aligned.kind);
  return {
    kind: aligned.kind,
    metric,
    samples: values.length,
    mean,
    meanCi95: ci95,
    correct: aligned.kind === 'binary' ? values.reduce((s, v) => s + v, 0) : null,
    scoreScale,
  };
}

function sliceIndex(aligned: AlignedResults, columns: readonly string[]): Map<string, Map<string, number[]>> {
  const index = new Map<string, Map<string, number[]>>();
  for (const column of columns) {
    const byValue = new Map<string, number[]>();
    aligned.samples.forEach((s, i) => {
      const value = s.slices[column];
      if (value === undefined) return;
      const members = byValue.get(value);
      if (members) members.push(i);
      else byValue.set(value, [i]);
    });
    if (byValue.size === 0) {
      throw new UserError(
        `results.slices: no paired sample has a value for '${column}' (lm-evaluation-harness files have task, filter and doc.<field>; other files their columns; or derive it with results.derive)`,
      );
    }
    if (byValue.size > MAX_SLICE_VALUES) {
      throw new UserError(`results.slices: '${column}' has ${byValue.size} different values (at most ${MAX_SLICE_VALUES}); slice by a coarser column or derive one with results.derive`);
    }
    index.set(column, byValue);
  }
  return index;
}

export function compareResults(aligned: AlignedResults, results: Pick<ResultsConfig, 'slices' | 'focus' | 'scoreScale'>, metric: string): ResultsComparison {
  const { baseline, candidate, kind } = aligned;
  const index = sliceIndex(aligned, results.slices);
  const members = (key: SliceKey) => index.get(key.column)?.get(key.value) ?? [];
  const allKeys = [...index].flatMap(([column, byValue]) => [...byValue.keys()].map((value) => ({ column, value })));
  const slices = compareSlices(allKeys, members, baseline, candidate, kind);

  let focus: FocusComparison | null = null;
  const focusKeys = Object.entries(results.focus).flatMap(([column, values]) => values.map((value) => ({ column, value })));
  if (focusKeys.length > 0) {
    for (const key of focusKeys) {
      if (members(key).length === 0) {
        const seen = [...(index.get(key.column)?.keys() ?? [])].slice(0, 10).join(', ');
        throw new UserError(`results.focus.${key.column}: no paired sample has ${key.column} '${key.value}' (values: ${seen})`);
      }
    }
    const pooledIndex = [...new Set(focusKeys.flatMap(members))].sort((a, b) => a - b);
    focus = {
      spec: results.focus,
      pooled: pairedStats(
        pooledIndex.map((i) => baseline[i]),
        pooledIndex.map((i) => candidate[i]),
        kind,
      ),
      slices: compareSlices(focusKeys, members, baseline, candidate, kind),
    };
  }
  const overall = pairedStats(baseline, candidate, kind);
  return {
    kind,
    metric,
    scoreScale: results.scoreScale,
    samples: aligned.samples.length,
    overall,
    focus,
    slices,
    significantlyWorse: slices.filter((s) => s.worse).map(({ column, value }) => ({ column, value })),
    detectableDifference: overall.binary ? overall.binary.detectableDifference : null,
    dropped: aligned.dropped,
    samplesWithLatency: aligned.samplesWithLatency,
  };
}
