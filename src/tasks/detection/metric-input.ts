/**
 * Reads the two files of `model-gate map`: a COCO ground-truth JSON and a COCO results list
 * (what pycocotools' `COCO(...)` and `loadRes(...)` read). Anything pycocotools would crash on or
 * silently mis-score (duplicate annotation ids, unknown ids, negative sizes) is a UserError that
 * names the file and the entry.
 */
import { UserError } from '../../errors.js';
import type { CocoGroundTruth, Detection, GtBox } from './metric-types.js';

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function finite(value: unknown, what: string, file: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new UserError(`${file}: ${what} must be a finite number, got ${JSON.stringify(value)}`);
  return value;
}

function box(value: unknown, what: string, file: string): [number, number, number, number] {
  if (!Array.isArray(value) || value.length !== 4) throw new UserError(`${file}: ${what}.bbox must be [x, y, w, h], got ${JSON.stringify(value)}`);
  const [x, y, w, h] = value.map((v, n) => finite(v, `${what}.bbox[${n}]`, file));
  if (w < 0 || h < 0) throw new UserError(`${file}: ${what}.bbox [${value.join(', ')}] has a negative width or height`);
  return [x, y, w, h];
}

function idList(root: Json, key: 'images' | 'categories', file: string): number[] {
  const list = root[key];
  if (!Array.isArray(list)) throw new UserError(`${file}: ground truth needs a "${key}" array`);
  const ids = list.map((entry, n) => finite(isRecord(entry) ? entry.id : undefined, `${key}[${n}].id`, file));
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) throw new UserError(`${file}: ${key} id ${id} appears twice`);
    seen.add(id);
  }
  return ids;
}

/** A COCO ground-truth document (already JSON-parsed). `file` names it in errors. */
export function parseCocoGroundTruth(doc: unknown, file: string): CocoGroundTruth {
  if (!isRecord(doc)) throw new UserError(`${file}: ground truth must be a COCO JSON object with images, annotations and categories`);
  const images = idList(doc, 'images', file);
  const categories = idList(doc, 'categories', file);
  const imageSet = new Set(images);
  const categorySet = new Set(categories);
  const annotations = doc.annotations ?? [];
  if (!Array.isArray(annotations)) throw new UserError(`${file}: "annotations" must be an array`);
  const ids = new Set<number>();
  const boxes = annotations.map((entry, n): GtBox => {
    const what = `annotations[${n}]`;
    if (!isRecord(entry)) throw new UserError(`${file}: ${what} is not an object`);
    const id = finite(entry.id, `${what}.id`, file);
    // pycocotools indexes annotations by id, so a repeated id silently replaces the other box.
    if (ids.has(id)) throw new UserError(`${file}: ${what} repeats annotation id ${id}`);
    ids.add(id);
    const imageId = finite(entry.image_id, `${what}.image_id`, file);
    if (!imageSet.has(imageId)) throw new UserError(`${file}: ${what} refers to image id ${imageId}, which is not in "images"`);
    const categoryId = finite(entry.category_id, `${what}.category_id`, file);
    if (!categorySet.has(categoryId)) throw new UserError(`${file}: ${what} has category id ${categoryId}, which is not in "categories"`);
    const area = finite(entry.area, `${what}.area`, file);
    if (area < 0) throw new UserError(`${file}: ${what}.area is negative (${area})`);
    const crowd = entry.iscrowd ?? 0;
    if (crowd !== 0 && crowd !== 1 && typeof crowd !== 'boolean') throw new UserError(`${file}: ${what}.iscrowd must be 0 or 1, got ${JSON.stringify(crowd)}`);
    return { id, imageId, categoryId, bbox: box(entry.bbox, what, file), area, iscrowd: crowd === 1 || crowd === true };
  });
  return { images, categories, boxes };
}

/** A COCO results list: [{image_id, category_id, bbox, score}, …], checked against the ground truth. */
export function parseCocoResults(doc: unknown, gt: CocoGroundTruth, file: string): Detection[] {
  if (!Array.isArray(doc)) throw new UserError(`${file}: detections must be a COCO results list (a JSON array of {image_id, category_id, bbox, score})`);
  const imageSet = new Set(gt.images);
  const categorySet = new Set(gt.categories);
  return doc.map((entry, n): Detection => {
    const what = `[${n}]`;
    if (!isRecord(entry)) throw new UserError(`${file}: entry ${what} is not an object`);
    const imageId = finite(entry.image_id, `${what}.image_id`, file);
    if (!imageSet.has(imageId)) throw new UserError(`${file}: entry ${what} has image id ${imageId}, which is not in the ground truth's images`);
    const categoryId = finite(entry.category_id, `${what}.category_id`, file);
    if (!categorySet.has(categoryId)) throw new UserError(`${file}: entry ${what} has category id ${categoryId}, which is not in the ground truth's categories`);
    return { imageId, categoryId, bbox: box(entry.bbox, what, file), score: finite(entry.score, `${what}.score`, file) };
  });
}
