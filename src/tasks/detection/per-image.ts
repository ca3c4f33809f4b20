/**
 * Per-image matching, the `COCOeval.evaluate` / `computeIoU` / `evaluateImg` stage of pycocotools,
 * run once per eval into a PerImageMatches cache. Everything afterwards (the 12 numbers,
 * per-class AP, the bootstrap) reads only this cache, never the boxes.
 *
 * Inputs are copied into typed arrays first and the per-cell work reuses scratch buffers: COCO val
 * has ~250k non-empty (image, category) cells, and per-cell allocations would dominate the time.
 */
import { AREA_RANGES, IOU_THRESHOLDS, MAX_DET } from './coco-params.js';
import { boxIou, greedyMatch, ignoredLastOrder } from './match.js';
import type { CocoGroundTruth, Detection, GtBox, PerImageMatches } from './metric-types.js';

const AREAS = AREA_RANGES.length;
const THRESHOLDS = IOU_THRESHOLDS.length;

/** Sorted unique ids (np.unique) and their positions. */
function indexIds(ids: readonly number[]): { sorted: number[]; position: Map<number, number> } {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  return { sorted, position: new Map(sorted.map((id, index) => [id, index])) };
}

/**
 * Groups item indices by cell (category-major: cell = k·I + i), keeping input order inside a cell,
 * like pycocotools' `_gts[imgId, catId]` / `_dts[imgId, catId]` lists. Items whose cell is −1 are dropped.
 */
function groupByCell(cellOf: Int32Array, cellCount: number): { start: Int32Array; items: Int32Array } {
  const start = new Int32Array(cellCount + 1);
  for (const cell of cellOf) if (cell >= 0) start[cell + 1]++;
  for (let c = 0; c < cellCount; c++) start[c + 1] += start[c];
  const fill = start.slice(0, cellCount);
  const items = new Int32Array(start[cellCount]);
  for (let n = 0; n < cellOf.length; n++) if (cellOf[n] >= 0) items[fill[cellOf[n]]++] = n;
  return { start, items };
}

/** Sorts `indices` by descending key, equal keys by ascending index: numpy's stable argsort of −key. */
function sortByScoreStable(indices: Int32Array, key: Float64Array): void {
  if (indices.length <= 32) {
    // Insertion sort: stable, and allocation-free for the many tiny cells.
    for (let n = 1; n < indices.length; n++) {
      const item = indices[n];
      let p = n - 1;
      while (p >= 0 && key[indices[p]] < key[item]) indices[p + 1] = indices[p--];
      indices[p + 1] = item;
    }
    return;
  }
  indices.sort((a, b) => key[b] - key[a] || a - b);
}

interface CellScratch {
  readonly detBoxes: Float64Array;
  readonly matchOfDet: Int32Array;
  gtBoxes: Float64Array;
  crowd: Uint8Array;
  gtIgnore: Uint8Array;
  gtTaken: Uint8Array;
}

export function buildPerImageMatches(gt: CocoGroundTruth, dets: readonly Detection[]): PerImageMatches {
  const images = indexIds(gt.images);
  const categories = indexIds(gt.categories);
  const I = images.sorted.length;
  const K = categories.sorted.length;
  const cellCount = I * K;

  // `_prepare` keeps GT of the listed images and categories (getAnnIds(imgIds, catIds)).
  const gtCell = new Int32Array(gt.boxes.length);
  gt.boxes.forEach((box, n) => {
    const i = images.position.get(box.imageId);
    const k = categories.position.get(box.categoryId);
    gtCell[n] = i === undefined || k === undefined ? -1 : k * I + i;
  });
  // `loadRes` asserts every result's image is in the GT; results of unknown categories are dropped.
  const detCell = new Int32Array(dets.length);
  const detScore = new Float64Array(dets.length);
  dets.forEach((det, n) => {
    const i = images.position.get(det.imageId);
    if (i === undefined) throw new RangeError(`detection ${n} has image id ${det.imageId}, which is not in the ground truth`);
    const k = categories.position.get(det.categoryId);
    detCell[n] = k === undefined ? -1 : k * I + i;
    detScore[n] = det.score;
  });
  const gtGroups = groupByCell(gtCell, cellCount);
  const detGroups = groupByCell(detCell, cellCount);

  let rows = 0;
  for (let cell = 0; cell < cellCount; cell++) rows += Math.min(MAX_DET, detGroups.start[cell + 1] - detGroups.start[cell]);
  const image = new Int32Array(rows);
  const rank = new Int32Array(rows);
  const score = new Float64Array(rows);
  const matched = new Uint16Array(rows * AREAS);
  const ignored = new Uint16Array(rows * AREAS);
  const gtCount = new Int32Array(AREAS * cellCount);
  const categoryStart = new Int32Array(K + 1);

  let largestGtCell = 0;
  for (let cell = 0; cell < cellCount; cell++) largestGtCell = Math.max(largestGtCell, gtGroups.start[cell + 1] - gtGroups.start[cell]);
  const scratch: CellScratch = {
    detBoxes: new Float64Array(4 * MAX_DET),
    matchOfDet: new Int32Array(MAX_DET),
    gtBoxes: new Float64Array(4 * largestGtCell),
    crowd: new Uint8Array(largestGtCell),
    gtIgnore: new Uint8Array(largestGtCell),
    gtTaken: new Uint8Array(largestGtCell),
  };
  let row = 0;
  for (let k = 0; k < K; k++) {
    categoryStart[k] = row;
    for (let i = 0; i < I; i++) {
      const cell = k * I + i;
      const cellGts = gtGroups.items.subarray(gtGroups.start[cell], gtGroups.start[cell + 1]);
      for (let a = 0; a < AREAS; a++) {
        const [lo, hi] = AREA_RANGES[a];
        let counted = 0;
        for (const g of cellGts) {
          const box = gt.boxes[g];
          if (!box.iscrowd && !(box.area < lo || box.area > hi)) counted++;
        }
        gtCount[a * cellCount + cell] = counted;
      }
      const cellDets = detGroups.items.subarray(detGroups.start[cell], detGroups.start[cell + 1]);
      if (cellDets.length === 0) continue;
      // computeIoU / evaluateImg: np.argsort(-score, kind='mergesort')[:maxDet]; ties keep input order.
      sortByScoreStable(cellDets, detScore);
      const kept = cellDets.subarray(0, MAX_DET);
      matchCell(gt.boxes, cellGts, dets, kept, row, scratch, matched, ignored);
      for (let d = 0; d < kept.length; d++) {
        image[row + d] = i;
        rank[row + d] = d;
        score[row + d] = detScore[kept[d]];
      }
      row += kept.length;
    }
  }
  categoryStart[K] = row;

  // accumulate(): np.argsort(-dtScores, kind='mergesort') over the images in id order. Storing the
  // rows in that order once lets every accumulate pass (and every bootstrap resample) read them
  // sequentially; rows are already in image order within a category, so the sort is stable.
  const order = new Int32Array(rows);
  for (let k = 0; k < K; k++) {
    const rowsOfCategory = order.subarray(categoryStart[k], categoryStart[k + 1]);
    for (let n = 0; n < rowsOfCategory.length; n++) rowsOfCategory[n] = categoryStart[k] + n;
    sortByScoreStable(rowsOfCategory, score);
  }
  const permute = <A extends Int32Array | Float64Array | Uint16Array>(source: A, width: number): A => {
    const out = new (source.constructor as new (length: number) => A)(source.length);
    for (let n = 0; n < rows; n++) for (let w = 0; w < width; w++) out[n * width + w] = source[order[n] * width + w];
    return out;
  };
  return {
    imageIds: images.sorted,
    categoryIds: categories.sorted,
    categoryStart,
    image: permute(image, 1),
    rank: permute(rank, 1),
    score: permute(score, 1),
    matched: permute(matched, AREAS),
    ignored: permute(ignored, AREAS),
    gtCount,
  };
}

/**
 * `evaluateImg` for one image and category, for all 4 area ranges and 10 thresholds, writing the
 * matched/ignored bit masks of rows firstRow… . `kept` (indices into `dets`) is already sorted and truncated.
 */
function matchCell(
  boxes: readonly GtBox[],
  cellGts: Int32Array,
  dets: readonly Detection[],
  kept: Int32Array,
  firstRow: number,
  scratch: CellScratch,
  matched: Uint16Array,
  ignored: Uint16Array,
): void {
  const D = kept.length;
  const G = cellGts.length;
  const { detBoxes, gtBoxes, crowd, gtIgnore, gtTaken, matchOfDet } = scratch;
  for (let d = 0; d < D; d++) detBoxes.set(dets[kept[d]].bbox, 4 * d);
  for (let g = 0; g < G; g++) {
    gtBoxes.set(boxes[cellGts[g]].bbox, 4 * g);
    crowd[g] = boxes[cellGts[g]].iscrowd ? 1 : 0;
  }
  const iou = boxIou(detBoxes, D, gtBoxes, G, crowd);
  for (let a = 0; a < AREAS; a++) {
    const [lo, hi] = AREA_RANGES[a];
    // _prepare sets ignore = iscrowd; evaluateImg adds "outside the area range" as `_ignore`.
    for (let g = 0; g < G; g++) {
      const area = boxes[cellGts[g]].area;
      gtIgnore[g] = crowd[g] === 1 || area < lo || area > hi ? 1 : 0;
    }
    const order = ignoredLastOrder(gtIgnore.subarray(0, G));
    for (let t = 0; t < THRESHOLDS; t++) {
      const bit = 1 << t;
      greedyMatch(iou, D, G, order, gtIgnore, crowd, IOU_THRESHOLDS[t], matchOfDet, gtTaken);
      for (let d = 0; d < D; d++) {
        const m = matchOfDet[d];
        const slot = (firstRow + d) * AREAS + a;
        // dtm stores the GT's id and later tests it for truthiness, so a match to id 0 counts as none.
        const matchedId = m > -1 && boxes[cellGts[m]].id !== 0;
        if (matchedId) matched[slot] |= bit;
        // dtIg = gtIg[m] for a match; then unmatched (dtm == 0) detections outside the range are ignored too.
        let ignore = m > -1 && gtIgnore[m] === 1;
        if (!matchedId) {
          const area = detBoxes[4 * d + 2] * detBoxes[4 * d + 3];
          if (area < lo || area > hi) ignore = true;
        }
        if (ignore) ignored[slot] |= bit;
      }
    }
  }
}
