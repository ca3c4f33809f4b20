/**
 * A deterministic synthetic COCO ground truth + results list, for timing the mAP code at COCO-val
 * scale (5,000 images, ~36k GT boxes, 100 detections each) and for cross-checking it against
 * pycocotools on cases the fmnist fixture lacks: crowd regions, score ties, a category without
 * GT, `area` ≠ w·h, more than 100 detections for one image and category.
 *
 * Shape of the data, loosely like COCO val2017: COCO's 80 non-contiguous category ids with a
 * skewed frequency, 1–14 objects per image (mean ≈ 7.3) and some empty images, box sides
 * log-uniform in 4–400 px (≈ 45% small, 25% medium, 30% large), annotation area 50–95% of the box
 * (a segment inside its box), ~1% crowd boxes. Detections: 0–3 jittered copies per object
 * (sometimes with the wrong class), the rest random background boxes; scores rounded to 3
 * decimals (as many results files are), which makes ties common.
 */
import { createRng } from '../src/metrics/random.js';

export interface SyntheticOptions {
  images: number;
  detsPerImage: number;
  seed: number;
  /** Use only the first n COCO category ids. */
  categories?: number;
  /** Images that get 130 extra detections of one category (exercises the per-cell maxDet 100). */
  crowdedImages?: number;
}

export interface CocoJson {
  images: { id: number; width: number; height: number; file_name: string }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: number[]; area: number; iscrowd: number }[];
  categories: { id: number; name: string }[];
}
export interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}

const MISSING_COCO_IDS = new Set([12, 26, 29, 30, 45, 66, 68, 69, 71, 83]);
export const COCO_CATEGORY_IDS = Array.from({ length: 90 }, (_, n) => n + 1).filter((id) => !MISSING_COCO_IDS.has(id));
const WIDTH = 640;
const HEIGHT = 480;

export function syntheticCoco(options: SyntheticOptions): { gt: CocoJson; dets: CocoResult[] } {
  const rng = createRng(options.seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng();
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  const categoryIds = COCO_CATEGORY_IDS.slice(0, options.categories ?? 80);
  // The last category gets detections but never GT: pycocotools must leave it out of the mean.
  const gtCategoryIds = categoryIds.slice(0, -1);
  const pickCategory = (ids: number[]) => ids[Math.floor(ids.length * rng() ** 2)];

  const randomBox = (): number[] => {
    const side = Math.exp(uniform(Math.log(4), Math.log(400)));
    const aspect = Math.exp(uniform(-0.7, 0.7));
    const w = Math.min(WIDTH - 1, side * aspect);
    const h = Math.min(HEIGHT - 1, side / aspect);
    return [round(uniform(0, WIDTH - w), 2), round(uniform(0, HEIGHT - h), 2), round(w, 2), round(h, 2)];
  };
  const jitter = ([x, y, w, h]: number[], amount: number): number[] => {
    const nw = Math.max(1, w * (1 + uniform(-amount, amount)));
    const nh = Math.max(1, h * (1 + uniform(-amount, amount)));
    return [round(x + w * uniform(-amount, amount), 2), round(y + h * uniform(-amount, amount), 2), round(nw, 2), round(nh, 2)];
  };

  const gt: CocoJson = { images: [], annotations: [], categories: categoryIds.map((id) => ({ id, name: `class-${id}` })) };
  const dets: CocoResult[] = [];
  for (let n = 0; n < options.images; n++) {
    const imageId = 1000 + 7 * n; // sparse ids, like COCO's
    gt.images.push({ id: imageId, width: WIDTH, height: HEIGHT, file_name: `${imageId}.jpg` });
    const imageDets: CocoResult[] = [];
    const objects = rng() < 0.01 ? 0 : 1 + Math.floor(rng() * 13.6);
    for (let o = 0; o < objects; o++) {
      const bbox = randomBox();
      const categoryId = pickCategory(gtCategoryIds);
      const iscrowd = rng() < 0.01 ? 1 : 0;
      const area = round(bbox[2] * bbox[3] * uniform(0.5, 0.95), 2);
      gt.annotations.push({ id: gt.annotations.length + 1, image_id: imageId, category_id: categoryId, bbox, area, iscrowd });
      const copies = Math.floor(rng() * 4);
      for (let c = 0; c < copies; c++) {
        const quality = rng();
        const category = rng() < 0.9 ? categoryId : pickCategory(categoryIds);
        imageDets.push({ image_id: imageId, category_id: category, bbox: jitter(bbox, 0.35 * (1 - quality)), score: round(0.3 + 0.7 * quality * rng(), 3) });
      }
    }
    while (imageDets.length < options.detsPerImage) {
      imageDets.push({ image_id: imageId, category_id: pickCategory(categoryIds), bbox: randomBox(), score: round(0.5 * rng() ** 2, 3) });
    }
    dets.push(...imageDets.slice(0, options.detsPerImage));
    if (n < (options.crowdedImages ?? 0)) {
      const categoryId = gt.annotations.at(-1)?.image_id === imageId ? gt.annotations.at(-1)!.category_id : categoryIds[0];
      for (let extra = 0; extra < 130; extra++) {
        dets.push({ image_id: imageId, category_id: categoryId, bbox: randomBox(), score: round(rng(), 2) });
      }
    }
  }
  return { gt, dets };
}
