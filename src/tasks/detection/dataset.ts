/**
 * Reads a detection eval set: COCO JSON (`images`, `annotations`, `categories`) or YOLO txt
 * (`class cx cy w h` normalised, one file per image). Both give COCO pixel boxes [x, y, w, h].
 *
 * Category ids map to model class indices explicitly: COCO takes a map (default: categories
 * sorted by id → 0, 1, 2, …, which is model index = id − 1 for ids 1..C); YOLO's class k is
 * category id k + 1 (1-based like COCO). Samples are in path order; YOLO image and box ids are
 * 1, 2, 3, … in that order, COCO keeps its own.
 *
 * Boxes are kept exactly as written, so the metric equals pycocotools on the same file:
 * - negative or non-finite size, or a box entirely outside the image → UserError naming the file;
 * - a box reaching more than 1 px past the image edge, or of zero width/height → one warning per
 *   file with a count (pycocotools scores them as they are; a detector's boxes are clipped, so
 *   they may never match well);
 * - an annotation with an unknown category or image, or a repeated id → UserError; an image listed
 *   but missing → UserError;
 * - a YOLO label file without an image → warning; an image without a label file → counted and
 *   warned about once; an empty file or an image without annotations is an image with no objects.
 * COCO images are checked against their files' headers (a width/height that disagrees is an error).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../../errors.js';
import { imageSize } from '../../preprocess/index.js';
import type { EvalSample } from '../../contracts/task.js';

export interface DetectionBox {
  categoryId: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: boolean;
  id: number;
}
export interface DetectionLabel {
  boxes: DetectionBox[];
  width: number;
  height: number;
  imageId: number;
}
export interface Category {
  id: number;
  name: string;
}
export interface DetectionDataset {
  samples: EvalSample<DetectionLabel>[];
  /** Every category, sorted by id. */
  categories: Category[];
  /** category id → model class index, as used (the given map, or the default). */
  categoryToClass: Map<number, number>;
  /** Problems that do not stop the run; the caller shows them (progress.warn). */
  warnings: string[];
}

/** How far (px) a box may reach past the image before it is reported: exporters often write x + w = W + 1. */
const EDGE_TOLERANCE = 1;
const IMAGE_EXTENSIONS = new Set(['.bmp', '.gif', '.jpeg', '.jpg', '.png', '.tif', '.tiff', '.webp']);
/** How many image sizes are read at once: header reads, mostly waiting on the disk. */
const SIZE_CONCURRENCY = 16;

const toId = (root: string, file: string) => relative(root, file).split(sep).join('/');
const isInside = (root: string, file: string) => file.startsWith(root.endsWith(sep) ? root : root + sep);
const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export async function readCocoDataset(
  root: string,
  annotationsPath: string,
  categoryToClass: ReadonlyMap<number, number> | null,
  options: { imagesDir?: string | null } = {},
): Promise<DetectionDataset> {
  const file = resolve(root, annotationsPath);
  if (!isInside(root, file)) throw new UserError(`eval.annotations: '${annotationsPath}' points outside the eval set`);
  const coco = await readJson(file);
  const fail = (what: string): never => {
    throw new UserError(`${file}: ${what}`);
  };
  const list = (key: string, required: boolean): Record<string, unknown>[] => {
    const value = coco[key];
    if (value === undefined && !required) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null)) fail(`'${key}' must be a list of objects`);
    return value as Record<string, unknown>[];
  };
  const categories: Category[] = list('categories', true).map((c, i) => {
    if (!Number.isInteger(c.id)) fail(`categories[${i}] has no integer 'id'`);
    return { id: c.id as number, name: String(c.name ?? c.id) };
  });
  categories.sort((a, b) => a.id - b.id);
  categories.forEach((c, i) => i > 0 && c.id === categories[i - 1].id && fail(`category id ${c.id} is listed twice`));
  const known = new Set(categories.map((c) => c.id));

  const imagesBase = options.imagesDir ? resolve(root, options.imagesDir) : dirname(file);
  const byImageId = new Map<number, EvalSample<DetectionLabel>>();
  for (const [i, image] of list('images', true).entries()) {
    const { id, file_name: name, width, height } = image;
    if (!Number.isInteger(id) || typeof name !== 'string') fail(`images[${i}] needs an integer 'id' and a 'file_name'`);
    if (byImageId.has(id as number)) fail(`image id ${id} is listed twice`);
    const imageFile = resolve(imagesBase, name as string);
    if (!isInside(root, imageFile)) fail(`image '${name}' points outside the eval set`);
    const size = { width: finite(width) ? width : 0, height: finite(height) ? height : 0 };
    byImageId.set(id as number, { id: toId(root, imageFile), file: imageFile, label: { boxes: [], ...size, imageId: id as number } });
  }
  await forEachLimited([...byImageId.values()], async (sample) => {
    const actual = await imageSize(sample.file).catch((error: unknown) => {
      const hint = options.imagesDir ? '' : ' (file_name is read relative to the annotations file; set the images folder if they live elsewhere)';
      throw new UserError(`${sample.file}: image listed in ${file} cannot be read${hint}: ${(error as Error).message}`, { cause: error });
    });
    const label = sample.label;
    if (label.width === 0 && label.height === 0) Object.assign(label, actual);
    else if (label.width !== actual.width || label.height !== actual.height) {
      fail(`image ${label.imageId} ('${sample.id}') is ${label.width}x${label.height} in the annotations but ${actual.width}x${actual.height} in the file`);
    }
  });

  const check = new BoxChecker();
  const annotationIds = new Set<number>();
  // Annotations without an id get ids after the largest one (pycocotools needs them unique).
  let nextId = 1 + list('annotations', false).reduce((max, a) => (Number.isInteger(a.id) ? Math.max(max, a.id as number) : max), 0);
  for (const [i, annotation] of list('annotations', false).entries()) {
    const where = `annotation ${Number.isInteger(annotation.id) ? `id ${annotation.id}` : `#${i}`}`;
    const sample = byImageId.get(annotation.image_id as number);
    if (!sample) fail(`${where} refers to image_id ${String(annotation.image_id)}, which is not in 'images'`);
    if (!known.has(annotation.category_id as number)) fail(`${where} has category_id ${String(annotation.category_id)}, which is not in 'categories'`);
    // pycocotools indexes annotations by id: a repeated id silently replaces the other box.
    if (Number.isInteger(annotation.id) && annotationIds.has(annotation.id as number)) fail(`annotation id ${annotation.id} is listed twice`);
    annotationIds.add(annotation.id as number);
    const bbox = annotation.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(finite)) fail(`${where}: bbox must be 4 finite numbers [x, y, w, h]`);
    const box = bbox as [number, number, number, number];
    const { label } = sample as EvalSample<DetectionLabel>;
    check.box(box, label, `${file}: ${where}`);
    label.boxes.push({
      categoryId: annotation.category_id as number,
      bbox: box,
      area: finite(annotation.area) ? annotation.area : box[2] * box[3],
      iscrowd: Boolean(annotation.iscrowd),
      id: Number.isInteger(annotation.id) ? (annotation.id as number) : nextId++,
    });
  }

  const mapping = resolveMapping(categories, categoryToClass, byImageId.values(), file);
  return { samples: sortedSamples([...byImageId.values()], root), categories, categoryToClass: mapping, warnings: check.warnings(file) };
}

export async function readYoloDataset(root: string, imagesDir: string, labelsDir: string, classes: readonly string[]): Promise<DetectionDataset> {
  const imagesRoot = resolve(root, imagesDir);
  const labelsRoot = resolve(root, labelsDir);
  const imageFiles = (await listFiles(imagesRoot, `eval.images '${imagesDir}'`)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()));
  const labelFiles = new Set((await listFiles(labelsRoot, `eval.labels '${labelsDir}'`)).filter((f) => extname(f) === '.txt'));
  const samples = sortedSamples(
    imageFiles.map((file): EvalSample<DetectionLabel> => ({ id: toId(root, file), file, label: { boxes: [], width: 0, height: 0, imageId: 0 } })),
    root,
  );
  const warnings: string[] = [];
  const withoutLabels: string[] = [];
  let nextBoxId = 1;
  await forEachLimited(samples, async (sample) => Object.assign(sample.label, await imageSize(sample.file)));
  for (const [index, sample] of samples.entries()) {
    const label = sample.label;
    label.imageId = index + 1;
    const stem = relative(imagesRoot, sample.file).slice(0, -extname(sample.file).length);
    const labelFile = join(labelsRoot, `${stem}.txt`);
    if (!labelFiles.delete(labelFile)) {
      withoutLabels.push(sample.id);
      continue;
    }
    const check = new BoxChecker();
    const lines = (await readFile(labelFile, 'utf8')).split(/\r?\n/);
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const where = `${labelFile}:${i + 1}`;
      const fields = line.trim().split(/\s+/);
      if (fields.length !== 5) {
        throw new UserError(`${where}: expected 'class cx cy w h', got ${fields.length} values${fields.length > 5 ? ' (polygon labels are not supported)' : ''}`);
      }
      const [classIndex, cx, cy, w, h] = fields.map(Number);
      if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes.length) {
        throw new UserError(`${where}: class '${fields[0]}' is not an index into the ${classes.length} classes`);
      }
      if (![cx, cy, w, h].every(Number.isFinite)) throw new UserError(`${where}: '${line.trim()}' has a value that is not a number`);
      const box: [number, number, number, number] = [(cx - w / 2) * label.width, (cy - h / 2) * label.height, w * label.width, h * label.height];
      check.box(box, label, where);
      label.boxes.push({ categoryId: classIndex + 1, bbox: box, area: box[2] * box[3], iscrowd: false, id: nextBoxId++ });
    }
    warnings.push(...check.warnings(labelFile));
  }
  if (withoutLabels.length > 0) {
    warnings.push(`${withoutLabels.length} of ${samples.length} images have no label file under ${labelsRoot} (e.g. ${withoutLabels[0]}); they count as images with no objects`);
  }
  for (const orphan of [...labelFiles].sort()) warnings.push(`${orphan}: label file with no image under ${imagesRoot}; ignored`);
  const categories = classes.map((name, i) => ({ id: i + 1, name }));
  return { samples, categories, categoryToClass: new Map(categories.map((c, i) => [c.id, i])), warnings };
}

/** Checks one pixel box against its image; errors throw at once, edge cases are counted per file. */
class BoxChecker {
  private pastEdge = 0;
  private zeroSize = 0;
  private example = '';

  box([x, y, w, h]: readonly number[], image: { width: number; height: number }, where: string): void {
    if (w < 0 || h < 0) throw new UserError(`${where}: box [${[x, y, w, h].join(', ')}] has a negative width or height`);
    if (x >= image.width || y >= image.height || x + w <= 0 || y + h <= 0) {
      throw new UserError(`${where}: box [${[x, y, w, h].join(', ')}] lies entirely outside the ${image.width}x${image.height} image`);
    }
    if (w === 0 || h === 0) this.zeroSize++;
    if (x < -EDGE_TOLERANCE || y < -EDGE_TOLERANCE || x + w > image.width + EDGE_TOLERANCE || y + h > image.height + EDGE_TOLERANCE) {
      if (this.pastEdge++ === 0) this.example = `${where.split(': ').pop()}: [${[x, y, w, h].map((v) => +v.toFixed(2)).join(', ')}] in ${image.width}x${image.height}`;
    }
  }

  warnings(file: string): string[] {
    const out: string[] = [];
    if (this.pastEdge > 0)
      out.push(`${file}: ${this.pastEdge} box(es) reach more than ${EDGE_TOLERANCE} px past the image edge (first: ${this.example}); kept as written, as pycocotools would`);
    if (this.zeroSize > 0) out.push(`${file}: ${this.zeroSize} box(es) have zero width or height and can never be matched`);
    return out;
  }
}

/** The given map, checked; or categories sorted by id → 0, 1, 2, …. Every category that has boxes needs a class. */
function resolveMapping(categories: readonly Category[], given: ReadonlyMap<number, number> | null, samples: Iterable<EvalSample<DetectionLabel>>, file: string): Map<number, number> {
  const mapping = new Map(given ?? categories.map((c, i) => [c.id, i]));
  const seen = new Map<number, number>();
  for (const [categoryId, classIndex] of mapping) {
    if (!Number.isInteger(classIndex) || classIndex < 0) throw new UserError(`category ${categoryId} maps to class index ${classIndex}, which is not an index`);
    const other = seen.get(classIndex);
    if (other !== undefined) throw new UserError(`categories ${other} and ${categoryId} both map to model class ${classIndex}`);
    seen.set(classIndex, categoryId);
  }
  for (const sample of samples) {
    for (const box of sample.label.boxes) {
      if (!mapping.has(box.categoryId)) {
        const name = categories.find((c) => c.id === box.categoryId)?.name;
        throw new UserError(`${file}: category ${box.categoryId} ('${name}') has boxes but no model class in the category mapping`);
      }
    }
  }
  return mapping;
}

function sortedSamples<T extends EvalSample<DetectionLabel>>(samples: T[], root: string): T[] {
  if (samples.length === 0) throw new UserError(`${root}: the eval set has no images`);
  samples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < samples.length; i++) {
    if (samples[i].id === samples[i - 1].id) throw new UserError(`${root}: image '${samples[i].id}' is listed twice`);
  }
  return samples;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`${file}: annotations file not found in the eval set`);
  }
  try {
    const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`${file}: not a COCO JSON file (${(error as Error).message})`);
  }
}

async function listFiles(dir: string, what: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => {
    throw new UserError(`${dir}: ${what} is not a folder in the eval set`);
  });
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => join(e.parentPath ?? e.path, e.name));
}

async function forEachLimited<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(SIZE_CONCURRENCY, items.length) }, worker));
}
