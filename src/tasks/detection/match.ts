/**
 * The two inner loops of COCO bbox evaluation, mirrored from pycocotools so that our numbers are
 * pycocotools' numbers: box IoU (common/maskApi.c `bbIou`) and the greedy per-image matching of
 * `COCOeval.evaluateImg`. Pure functions on flat typed arrays; the callers own the bookkeeping.
 */

/**
 * IoU of every detection with every ground-truth box, row-major D×G (row = detection).
 * Boxes are flat [x, y, w, h, x, y, w, h, …]. As in `bbIou`: areas come from the boxes (w·h), not
 * from the annotation's `area`; for a crowd GT the union is the detection's own area, so a small
 * detection inside a crowd region scores IoU ≈ 1. Same operation order as the C code, so the
 * doubles are bit-identical (thresholds compare with `<`, so a last-bit difference could flip a match).
 */
export function boxIou(dets: Float64Array, detCount: number, gts: Float64Array, gtCount: number, crowd: Uint8Array): Float64Array {
  const out = new Float64Array(detCount * gtCount);
  for (let g = 0; g < gtCount; g++) {
    const gx = gts[4 * g],
      gy = gts[4 * g + 1],
      gw = gts[4 * g + 2],
      gh = gts[4 * g + 3];
    const gtArea = gw * gh;
    const isCrowd = crowd[g] === 1;
    for (let d = 0; d < detCount; d++) {
      const dx = dets[4 * d],
        dy = dets[4 * d + 1],
        dw = dets[4 * d + 2],
        dh = dets[4 * d + 3];
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w <= 0) continue;
      const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (h <= 0) continue;
      const detArea = dw * dh;
      const inter = w * h;
      const union = isCrowd ? detArea : detArea + gtArea - inter;
      out[d * gtCount + g] = inter / union;
    }
  }
  return out;
}

/**
 * The GT visiting order of `evaluateImg`: `np.argsort(_ignore, kind='mergesort')`, i.e. the
 * non-ignored boxes first, each group in input order.
 */
export function ignoredLastOrder(gtIgnore: Uint8Array): Int32Array {
  const order = new Int32Array(gtIgnore.length);
  let next = 0;
  for (let g = 0; g < gtIgnore.length; g++) if (gtIgnore[g] === 0) order[next++] = g;
  for (let g = 0; g < gtIgnore.length; g++) if (gtIgnore[g] !== 0) order[next++] = g;
  return order;
}

/**
 * Greedy matching at one IoU threshold, the loop body of `COCOeval.evaluateImg`. Detections must
 * already be sorted by score (descending, stable). For each detection, in order, it takes the GT
 * with the highest IoU ≥ threshold among those not yet taken (crowd GT can be taken again and
 * again), visiting GT in `order` (non-ignored first) and stopping at the first ignored GT once a
 * non-ignored one matched, so a real object always wins over an ignore region. Ties go to the
 * later GT in visiting order, as in pycocotools (`if ious[d,g] < iou: continue` lets equal IoU replace).
 *
 * Writes into `matchOfDet` the matched GT index per detection, or −1.
 */
export function greedyMatch(
  iou: Float64Array,
  detCount: number,
  gtCount: number,
  order: Int32Array,
  gtIgnore: Uint8Array,
  crowd: Uint8Array,
  threshold: number,
  matchOfDet: Int32Array,
  gtTaken: Uint8Array,
): void {
  gtTaken.fill(0, 0, gtCount);
  const floor = Math.min(threshold, 1 - 1e-10);
  for (let d = 0; d < detCount; d++) {
    let best = floor;
    let match = -1;
    const row = d * gtCount;
    for (let k = 0; k < gtCount; k++) {
      const g = order[k];
      if (gtTaken[g] === 1 && crowd[g] === 0) continue;
      if (match > -1 && gtIgnore[match] === 0 && gtIgnore[g] === 1) break;
      const value = iou[row + g];
      if (value < best) continue;
      best = value;
      match = g;
    }
    matchOfDet[d] = match;
    if (match > -1) gtTaken[match] = 1;
  }
}
