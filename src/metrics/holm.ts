/**
 * Holm's step-down correction for m simultaneous tests, as statsmodels'
 * multipletests(p, alpha, method='holm') computes it: sort p ascending; reject the k-th smallest
 * while every p_(j), j <= k, is <= α/(m − j + 1); the adjusted p_(k) is the running maximum of
 * (m − j + 1)·p_(j), capped at 1. Holm controls the family-wise error rate under any dependence
 * between the tests, which matters here: a sample sits in one slice of every column.
 */

export interface HolmResult {
  /** Adjusted p-values, in the order given. */
  readonly adjusted: number[];
  /** Whether each hypothesis is rejected at α, in the order given. */
  readonly rejected: boolean[];
}

export function holm(pValues: readonly number[], alpha = 0.05): HolmResult {
  for (const p of pValues) if (!(p >= 0 && p <= 1)) throw new RangeError(`holm: p-value ${p} is not in [0, 1]`);
  const m = pValues.length;
  // A stable sort: equal p-values get equal adjusted values whatever their order.
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b] || a - b);
  const adjusted = new Array<number>(m);
  const rejected = new Array<boolean>(m).fill(false);
  let running = 0;
  let stillRejecting = true;
  order.forEach((index, k) => {
    const p = pValues[index];
    if (p > alpha / (m - k)) stillRejecting = false;
    rejected[index] = stillRejecting;
    running = Math.max(running, (m - k) * p);
    adjusted[index] = Math.min(1, running);
  });
  return { adjusted, rejected };
}
