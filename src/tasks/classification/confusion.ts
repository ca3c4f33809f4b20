/**
 * Confusions (pure): which class each model's top-1 mistakes went to, the confusion pairs whose
 * counts changed most between the two models, and the pattern that gives away a wrong `classes`
 * order: a class the model almost never gets right because it predicts one other class for it,
 * while the rest of its classes are right.
 *
 * A confusion is stored as a [actual, predicted, count] triple of class indices, off-diagonal
 * cells only (the diagonal is perClass[k].correct), so an ImageNet report stays small.
 */

export type ConfusionCell = readonly [actual: number, predicted: number, count: number];

/** Off-diagonal cells with a count, most frequent first (ties by actual, then predicted class). */
export function confusionCells(predicted: readonly number[], labels: readonly number[], classCount: number): ConfusionCell[] {
  const counts = new Map<number, number>();
  const stride = Math.max(1, classCount);
  for (let i = 0; i < labels.length; i++) {
    if (predicted[i] === labels[i] || !(predicted[i] >= 0 && predicted[i] < stride)) continue;
    const key = labels[i] * stride + predicted[i];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]): ConfusionCell => [Math.floor(key / stride), key % stride, count]).sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]);
}

export interface ConfusionChange {
  readonly actual: string;
  readonly predicted: string;
  readonly baseline: number;
  readonly candidate: number;
}

/** How many changes the comparison keeps (the comment shows fewer; both matrices are in the metrics). */
export const CONFUSION_CHANGES_KEPT = 20;

/**
 * The confusion pairs whose counts changed most, by the size of the change (ties: the more
 * frequent pair first, then class order). Pairs with no change are left out.
 */
export function confusionChanges(baseline: readonly ConfusionCell[], candidate: readonly ConfusionCell[], classes: readonly string[], keep = CONFUSION_CHANGES_KEPT): ConfusionChange[] {
  const pairs = new Map<string, { actual: number; predicted: number; baseline: number; candidate: number }>();
  const entry = (actual: number, predicted: number) => {
    const key = `${actual}:${predicted}`;
    let found = pairs.get(key);
    if (!found) pairs.set(key, (found = { actual, predicted, baseline: 0, candidate: 0 }));
    return found;
  };
  for (const [a, p, n] of baseline) entry(a, p).baseline = n;
  for (const [a, p, n] of candidate) entry(a, p).candidate = n;
  const name = (k: number) => classes[k] ?? `class ${k}`;
  return [...pairs.values()]
    .filter((c) => c.baseline !== c.candidate)
    .sort(
      (x, y) =>
        Math.abs(y.candidate - y.baseline) - Math.abs(x.candidate - x.baseline) ||
        Math.max(y.baseline, y.candidate) - Math.max(x.baseline, x.candidate) ||
        x.actual - y.actual ||
        x.predicted - y.predicted,
    )
    .slice(0, keep)
    .map((c) => ({ actual: name(c.actual), predicted: name(c.predicted), baseline: c.baseline, candidate: c.candidate }));
}

/** The full C×C count matrix ([actual][predicted]) from the off-diagonal cells and the per-class correct counts. */
export function confusionMatrix(cells: readonly ConfusionCell[], correct: readonly number[]): number[][] {
  const matrix = correct.map((n, k) => correct.map((_, j) => (j === k ? n : 0)));
  for (const [a, p, n] of cells) if (matrix[a] && p < matrix[a].length) matrix[a][p] = n;
  return matrix;
}

/**
 * The thresholds of the swapped-classes warning. A class counts as "almost always wrong in favour
 * of one other class" when the model gets at most MAX_ACCURACY of its samples right and predicts
 * one other class for at least MIN_SHARE of them; "the rest are right" when the model's accuracy
 * on the classes that do not look swapped is at least MIN_REST_ACCURACY. A genuinely hard class
 * (Fashion-MNIST's Shirt is right ~60% of the time, its errors spread over four classes) is far
 * from these.
 */
export const SWAP_RULE = { minSamples: 20, maxAccuracy: 0.2, minShare: 0.5, minRestAccuracy: 0.6 } as const;

export interface SwapSuspect {
  readonly actual: string;
  readonly predicted: string;
  /** Samples of `actual` predicted as `predicted`. */
  readonly count: number;
  readonly samples: number;
}

export interface SwapFinding {
  readonly suspects: SwapSuspect[];
  /** The model's accuracy over the classes that do not look swapped. */
  readonly restAccuracy: number;
}

/** The classes of one model that look swapped, or null when the pattern is not there. */
export function swappedClasses(
  cells: readonly ConfusionCell[],
  perClass: readonly { readonly name: string; readonly samples: number; readonly correct: number }[],
  rule = SWAP_RULE,
): SwapFinding | null {
  const topWrong = new Map<number, ConfusionCell>();
  for (const cell of cells) if (!topWrong.has(cell[0])) topWrong.set(cell[0], cell); // cells are most frequent first
  const suspects: { k: number; suspect: SwapSuspect }[] = [];
  perClass.forEach((c, k) => {
    const top = topWrong.get(k);
    if (c.samples < rule.minSamples || !top) return;
    if (c.correct / c.samples <= rule.maxAccuracy && top[2] / c.samples >= rule.minShare) {
      suspects.push({ k, suspect: { actual: c.name, predicted: perClass[top[1]]?.name ?? `class ${top[1]}`, count: top[2], samples: c.samples } });
    }
  });
  if (suspects.length === 0) return null;
  const flagged = new Set(suspects.map((s) => s.k));
  const rest = perClass.filter((_, k) => !flagged.has(k));
  const restSamples = rest.reduce((sum, c) => sum + c.samples, 0);
  if (restSamples === 0) return null;
  const restAccuracy = rest.reduce((sum, c) => sum + c.correct, 0) / restSamples;
  return restAccuracy >= rule.minRestAccuracy ? { suspects: suspects.map((s) => s.suspect), restAccuracy } : null;
}
