/**
 * Class-wise greedy non-maximum suppression, as torchvision.ops.batched_nms does it (and so
 * Ultralytics' and YOLOv5's non_max_suppression): visit boxes by descending score; keep a box
 * unless a kept box of the same class overlaps it with IoU > iou (strictly greater, so IoU equal
 * to the threshold is kept). Ties in score keep index order, so the result is deterministic.
 *
 * Stopping once maxDet boxes are kept gives the same boxes as suppressing everything and then
 * taking the first maxDet: a box's fate depends only on higher-scored boxes. Each box is compared
 * with the kept boxes of its own class only, in float64 (torchvision's coordinate-offset trick
 * for batching classes costs float32 precision, so rare near-threshold decisions may differ).
 */

/** IoU of boxes i and j in a flat [x1, y1, x2, y2, …] array; 0/0 for two empty boxes gives NaN, which never suppresses. */
export function iouAt(boxes: ArrayLike<number>, i: number, j: number): number {
  const width = Math.max(0, Math.min(boxes[4 * i + 2], boxes[4 * j + 2]) - Math.max(boxes[4 * i], boxes[4 * j]));
  const height = Math.max(0, Math.min(boxes[4 * i + 3], boxes[4 * j + 3]) - Math.max(boxes[4 * i + 1], boxes[4 * j + 1]));
  const intersection = width * height;
  const areaI = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
  const areaJ = (boxes[4 * j + 2] - boxes[4 * j]) * (boxes[4 * j + 3] - boxes[4 * j + 1]);
  return intersection / (areaI + areaJ - intersection);
}

/** Indices into score order (descending, ties by index). */
export function byScoreDescending(scores: ArrayLike<number>, count: number = scores.length): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * Indices of the `limit` best scores, in index order (ties at the cut keep the lower indices).
 * A native sort of the scores finds the cut: sorting all indices with a comparator cost ~0.8 ms
 * for 2,560 boxes, most of the decode time.
 */
export function topByScore(scores: ArrayLike<number>, limit: number): number[] {
  const all = Array.from({ length: scores.length }, (_, i) => i);
  if (scores.length <= limit) return all;
  if (limit <= 0) return [];
  const sorted = Float64Array.from(scores).sort();
  const cut = sorted[scores.length - limit];
  let ties = limit - (scores.length - upperBound(sorted, cut)); // how many scores equal to the cut make it
  return all.filter((i) => scores[i] > cut || (scores[i] === cut && ties-- > 0));
}

/** First index whose value is greater than `value` in an ascending array. */
function upperBound(sorted: Float64Array, value: number): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * boxes: flat [x1, y1, x2, y2] per box; scores and classes one per box. Returns the indices
 * kept, best score first, at most maxDet of them.
 */
export function nmsClassWise(boxes: ArrayLike<number>, scores: ArrayLike<number>, classes: ArrayLike<number>, iou: number, maxDet: number): number[] {
  if (boxes.length !== 4 * scores.length || classes.length !== scores.length) {
    throw new RangeError(`nmsClassWise: ${boxes.length / 4} boxes, ${scores.length} scores and ${classes.length} classes`);
  }
  const keptByClass = new Map<number, number[]>();
  const kept: number[] = [];
  for (const candidate of byScoreDescending(scores)) {
    if (kept.length >= maxDet) break;
    let sameClass = keptByClass.get(classes[candidate]);
    if (!sameClass) keptByClass.set(classes[candidate], (sameClass = []));
    if (overlapsAny(boxes, candidate, sameClass, iou)) continue;
    sameClass.push(candidate);
    kept.push(candidate);
  }
  return kept;
}

function overlapsAny(boxes: ArrayLike<number>, candidate: number, kept: readonly number[], iou: number): boolean {
  for (const other of kept) if (iouAt(boxes, candidate, other) > iou) return true;
  return false;
}
