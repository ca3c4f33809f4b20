/**
 * Error-type counts at IoU 0.5, after TIDE (Bolya et al., ECCV 2020), with its thresholds
 * t_f = 0.5 (foreground) and t_b = 0.1 (background). They say *why* AP50 is lost: a model that
 * misses small objects needs other fixes than one that fires twice on the same object.
 *
 * True positives are exactly pycocotools' at IoU 0.5, area 'all', 100 detections per image and
 * category (same greedy matching, crowd GT ignored). Each remaining detection (a false positive
 * of AP50) gets the first type that applies, in TIDE's order; "IoU with GT" means non-crowd GT of
 * the same image:
 *   1. wrongClass:       IoU ≥ 0.5 with a GT of another class.
 *   2. duplicate:        IoU ≥ 0.5 with a GT of its class, which a higher-scoring detection
 *                        already took (greedy matching would otherwise have matched it).
 *   3. poorLocalisation: best IoU with a GT of its class in [0.1, 0.5).
 *   4. both:             best IoU with a GT of another class in [0.1, 0.5) (wrong class and box).
 *   5. background:       IoU < 0.1 with every GT.
 * missed: non-crowd GT that no true positive found, and that no wrongClass or poorLocalisation
 * detection was aimed at (its best-IoU GT), as in TIDE: those GT are already explained by that error.
 */
import { greedyMatch } from './match.js';
import type { CocoGroundTruth, Detection, GtBox } from './metric-types.js';
import { MAX_DET } from './coco-params.js';

export interface ErrorTypeCounts {
  truePositives: number;
  missed: number;
  duplicate: number;
  wrongClass: number;
  poorLocalisation: number;
  both: number;
  background: number;
  /** Non-crowd GT boxes. */
  gtCount: number;
}

const FOREGROUND = 0.5;
const BACKGROUND = 0.1;

/** IoU as pycocotools' bbIou (crowd: the detection's area as denominator). */
function iou(d: readonly number[], g: readonly number[], crowd: boolean): number {
  const w = Math.min(d[2] + d[0], g[2] + g[0]) - Math.max(d[0], g[0]);
  if (w <= 0) return 0;
  const h = Math.min(d[3] + d[1], g[3] + g[1]) - Math.max(d[1], g[1]);
  if (h <= 0) return 0;
  const inter = w * h;
  const detArea = d[2] * d[3];
  return inter / (crowd ? detArea : detArea + g[2] * g[3] - inter);
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function errorTypes(gt: CocoGroundTruth, dets: readonly Detection[]): ErrorTypeCounts {
  const categories = new Set(gt.categories);
  const counts: ErrorTypeCounts = { truePositives: 0, missed: 0, duplicate: 0, wrongClass: 0, poorLocalisation: 0, both: 0, background: 0, gtCount: 0 };
  const gtByImage = groupBy(
    gt.boxes.filter((b) => categories.has(b.categoryId)),
    (b) => b.imageId,
  );
  const detsByImage = groupBy(
    dets.filter((d) => categories.has(d.categoryId)),
    (d) => d.imageId,
  );
  for (const imageId of new Set(gt.images)) {
    const imageGts = gtByImage.get(imageId) ?? [];
    const real = imageGts.filter((g) => !g.iscrowd);
    counts.gtCount += real.length;
    const found = new Set<GtBox>();
    const explained = new Set<GtBox>();
    for (const det of falsePositives(imageGts, detsByImage.get(imageId) ?? [], found)) {
      let sameBest = 0,
        sameGt: GtBox | undefined;
      let otherBest = 0,
        otherGt: GtBox | undefined;
      for (const g of real) {
        const value = iou(det.bbox, g.bbox, false);
        if (g.categoryId === det.categoryId) {
          if (value > sameBest) ((sameBest = value), (sameGt = g));
        } else if (value > otherBest) ((otherBest = value), (otherGt = g));
      }
      if (otherBest >= FOREGROUND) (counts.wrongClass++, explained.add(otherGt!));
      else if (sameBest >= FOREGROUND) counts.duplicate++;
      else if (sameBest >= BACKGROUND) (counts.poorLocalisation++, explained.add(sameGt!));
      else if (otherBest >= BACKGROUND) counts.both++;
      else counts.background++;
    }
    counts.truePositives += found.size;
    for (const g of real) if (!found.has(g) && !explained.has(g)) counts.missed++;
  }
  return counts;
}

/**
 * pycocotools' matching at IoU 0.5, area 'all', per category of one image: adds the GT found by
 * true positives to `found` and returns the detections that are false positives (not ignored).
 */
function falsePositives(imageGts: readonly GtBox[], imageDets: readonly Detection[], found: Set<GtBox>): Detection[] {
  const out: Detection[] = [];
  for (const [categoryId, catDets] of groupBy(imageDets, (d) => d.categoryId)) {
    const sorted = catDets
      .map((det, n) => ({ det, n }))
      .sort((x, y) => y.det.score - x.det.score || x.n - y.n)
      .slice(0, MAX_DET)
      .map((x) => x.det);
    const gts = imageGts.filter((g) => g.categoryId === categoryId);
    const crowd = Uint8Array.from(gts, (g) => (g.iscrowd ? 1 : 0));
    const order = Int32Array.from([...gts.keys()].sort((x, y) => crowd[x] - crowd[y] || x - y));
    const ious = new Float64Array(sorted.length * gts.length);
    sorted.forEach((d, i) => gts.forEach((g, j) => (ious[i * gts.length + j] = iou(d.bbox, g.bbox, g.iscrowd))));
    const matchOfDet = new Int32Array(sorted.length);
    greedyMatch(ious, sorted.length, gts.length, order, crowd, crowd, FOREGROUND, matchOfDet, new Uint8Array(gts.length));
    sorted.forEach((det, i) => {
      const m = matchOfDet[i];
      if (m > -1 && !gts[m].iscrowd) found.add(gts[m]);
      else if (m === -1 && det.bbox[2] * det.bbox[3] <= 1e10) out.push(det);
    });
  }
  return out;
}
