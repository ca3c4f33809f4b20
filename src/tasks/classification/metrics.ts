/**
 * Classification metrics (pure): per-model top-1/top-5 with Wilson intervals and per-class
 * accuracy, and the paired comparison that answers "is the upgrade real": Newcombe CI of
 * Δtop-1, relative error reduction with its log-ratio CI, McNemar, the eval set's detectable
 * difference, which samples flipped, and which confusions changed (confusion.ts).
 */
import { confusionCells, confusionChanges, type ConfusionCell, type ConfusionChange } from './confusion.js';
import { detectableDifference, errorReduction, log10McnemarExact, mcnemar, newcombePairedDiff, wilsonInterval, type Interval, type PairedTable } from '../../metrics/index.js';

/** The model's classes ranked by score, best first (at most five). */
export interface ClassPrediction {
  readonly ranked: readonly number[];
}

export interface ClassMetrics {
  readonly name: string;
  readonly samples: number;
  readonly correct: number;
  readonly accuracy: number | null;
}

export interface ClassificationMetrics {
  readonly samples: number;
  readonly top1: number;
  readonly top1Ci95: Interval;
  /** null when there are five classes or fewer, where top-5 is trivially 1. */
  readonly top5: number | null;
  readonly errors: number;
  readonly perClass: ClassMetrics[];
  /** Top-1 mistakes as [actual, predicted, count] class indices, most frequent first (off-diagonal cells only). */
  readonly confusion: ConfusionCell[];
}

export interface ClassDelta {
  readonly name: string;
  readonly samples: number;
  readonly baselineAccuracy: number | null;
  readonly candidateAccuracy: number | null;
  readonly delta: number | null;
  readonly fixed: number;
  readonly broken: number;
}

export interface ClassificationComparison {
  readonly samples: number;
  readonly deltaTop1: number;
  readonly deltaTop1Ci95: Interval;
  /** (err_b − err_c)/err_b; null when the baseline makes no errors. */
  readonly errorReduction: number | null;
  readonly errorReductionCi95: Interval | null;
  /** Smallest Δtop-1 this eval set detects with 80% power at α = 0.05, given the observed discordance. */
  readonly detectableDifference: number;
  readonly mcnemar: {
    readonly bothCorrect: number;
    readonly baselineOnlyCorrect: number;
    readonly candidateOnlyCorrect: number;
    readonly bothWrong: number;
    readonly pExact: number;
    readonly pMidP: number;
    /** log10 of pExact, finite even where pExact underflows to 0. */
    readonly log10PExact: number;
  };
  /** Sample ids (paths in the eval set) the candidate fixed and newly broke. */
  readonly flips: { readonly fixed: string[]; readonly broken: string[] };
  /** Per-class changes, worst first. */
  readonly perClass: ClassDelta[];
  /** The confusion pairs whose counts changed most (candidate vs baseline), largest change first. */
  readonly confusionChanges: ConfusionChange[];
}

const isTop1 = (p: ClassPrediction, label: number) => p.ranked[0] === label;
const isTop5 = (p: ClassPrediction, label: number) => p.ranked.slice(0, 5).includes(label);

export function classificationMetrics(predictions: readonly ClassPrediction[], labels: readonly number[], classes: readonly string[]): ClassificationMetrics {
  const n = labels.length;
  let correct = 0;
  let correct5 = 0;
  const perClassCorrect = new Array<number>(classes.length).fill(0);
  const perClassSamples = new Array<number>(classes.length).fill(0);
  for (let i = 0; i < n; i++) {
    perClassSamples[labels[i]]++;
    if (isTop1(predictions[i], labels[i])) (correct++, perClassCorrect[labels[i]]++);
    if (isTop5(predictions[i], labels[i])) correct5++;
  }
  return {
    samples: n,
    top1: correct / n,
    top1Ci95: wilsonInterval(correct, n),
    top5: classes.length > 5 ? correct5 / n : null,
    errors: n - correct,
    perClass: classes.map((name, k) => ({
      name,
      samples: perClassSamples[k],
      correct: perClassCorrect[k],
      accuracy: perClassSamples[k] > 0 ? perClassCorrect[k] / perClassSamples[k] : null,
    })),
    confusion: confusionCells(
      predictions.map((p) => p.ranked[0] ?? -1),
      labels,
      classes.length,
    ),
  };
}

export function pairedTable(baseline: readonly boolean[], candidate: readonly boolean[]): PairedTable {
  const t = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < baseline.length; i++) {
    if (baseline[i] && candidate[i]) t.a++;
    else if (baseline[i]) t.b++;
    else if (candidate[i]) t.c++;
    else t.d++;
  }
  return t;
}

export function compareClassification(
  baseline: readonly ClassPrediction[],
  candidate: readonly ClassPrediction[],
  labels: readonly number[],
  ids: readonly string[],
  classes: readonly string[],
): ClassificationComparison {
  const n = labels.length;
  const baseOk = labels.map((label, i) => isTop1(baseline[i], label));
  const candOk = labels.map((label, i) => isTop1(candidate[i], label));
  const table = pairedTable(baseOk, candOk);
  const diff = newcombePairedDiff(table);
  const rer = errorReduction(table);
  const p = mcnemar(table);
  const fixed: string[] = [];
  const broken: string[] = [];
  const perClass = classes.map((name) => ({ name, samples: 0, base: 0, cand: 0, fixed: 0, broken: 0 }));
  for (let i = 0; i < n; i++) {
    const row = perClass[labels[i]];
    row.samples++;
    if (baseOk[i]) row.base++;
    if (candOk[i]) row.cand++;
    if (candOk[i] && !baseOk[i]) (fixed.push(ids[i]), row.fixed++);
    if (baseOk[i] && !candOk[i]) (broken.push(ids[i]), row.broken++);
  }
  const deltas: ClassDelta[] = perClass.map((r) => {
    const baselineAccuracy = r.samples ? r.base / r.samples : null;
    const candidateAccuracy = r.samples ? r.cand / r.samples : null;
    const delta = r.samples ? (r.cand - r.base) / r.samples : null;
    return { name: r.name, samples: r.samples, baselineAccuracy, candidateAccuracy, delta, fixed: r.fixed, broken: r.broken };
  });
  // Worst first; classes with no samples have nothing to say and go last.
  deltas.sort((x, y) => (x.delta ?? Infinity) - (y.delta ?? Infinity));
  return {
    samples: n,
    deltaTop1: diff.delta,
    deltaTop1Ci95: diff.ci,
    errorReduction: rer ? rer.value : null,
    errorReductionCi95: rer ? rer.ci : null,
    detectableDifference: detectableDifference(n, (table.b + table.c) / n),
    mcnemar: {
      bothCorrect: table.a,
      baselineOnlyCorrect: table.b,
      candidateOnlyCorrect: table.c,
      bothWrong: table.d,
      pExact: p.exact,
      pMidP: p.midP,
      log10PExact: log10McnemarExact(table),
    },
    flips: { fixed, broken },
    perClass: deltas,
    confusionChanges: confusionChanges(
      confusionCells(
        baseline.map((p) => p.ranked[0] ?? -1),
        labels,
        classes.length,
      ),
      confusionCells(
        candidate.map((p) => p.ranked[0] ?? -1),
        labels,
        classes.length,
      ),
      classes,
    ),
  };
}
