/**
 * The detection eval set as the task sees it: dataset.ts's COCO or YOLO reader, the explicit
 * category ↔ model-class mapping from the config, and one shared `set` object every sample's
 * label points to, holding the ground truth in the metric's form (built once per run) and the
 * category names. Warnings from the readers go to progress.warn, each naming its file.
 */
import type { Config } from '../../config/types.js';
import { UserError } from '../../errors.js';
import type { Progress } from '../../progress.js';
import type { EvalSample } from '../../contracts/task.js';
import { readCocoDataset, readYoloDataset, type Category, type DetectionLabel } from './dataset.js';
import type { CocoGroundTruth } from './metric-types.js';

/** What every sample of one eval set shares. */
export interface DetectionSet {
  readonly categories: readonly Category[];
  /** classToCategory[i]: the category id of model class i, or undefined (detections of that class are dropped). */
  readonly classToCategory: readonly (number | undefined)[];
  /** How many classes the model is expected to output (for the output-layout check). */
  readonly classCount: number;
  readonly gt: CocoGroundTruth;
  readonly categoryNames: ReadonlyMap<number, string>;
}

export type DetectionSampleLabel = DetectionLabel & { readonly set: DetectionSet };

function categoryMap(config: Config): Map<number, number> | null {
  const ids = config.detection?.categoryIds;
  return ids ? new Map(ids.map((id, index) => [id, index])) : null;
}

export async function readDetectionSamples(root: string, config: Config, progress?: Progress): Promise<EvalSample<DetectionSampleLabel>[]> {
  const configFile = config.configPath ?? 'config';
  const dataset =
    config.eval.format === 'yolo'
      ? await readYoloDataset(root, config.eval.images ?? 'images', config.eval.labels ?? 'labels', config.classes)
      : await readCocoDataset(root, config.eval.annotations ?? '', categoryMap(config), { imagesDir: config.eval.images ?? null });
  for (const warning of dataset.warnings) progress?.warn(warning);

  const known = new Set(dataset.categories.map((c) => c.id));
  for (const id of config.detection?.categoryIds ?? []) {
    if (!known.has(id)) throw new UserError(`${configFile}: detection.category-ids lists category ${id}, which is not in the eval set's categories (${[...known].join(', ')})`);
  }
  const classCount = config.detection?.categoryIds?.length ?? Math.max(config.classes.length, dataset.categories.length);
  const classToCategory = new Array<number | undefined>(classCount).fill(undefined);
  for (const [categoryId, classIndex] of dataset.categoryToClass) {
    if (classIndex >= classCount) {
      throw new UserError(`${configFile}: category ${categoryId} maps to model class ${classIndex}, but the model has ${classCount} classes`);
    }
    classToCategory[classIndex] = categoryId;
  }
  const unmapped = dataset.categories.filter((c) => !dataset.categoryToClass.has(c.id));
  if (unmapped.length > 0) {
    progress?.warn(
      `${configFile}: categor${unmapped.length === 1 ? 'y' : 'ies'} ${unmapped.map((c) => c.id).join(', ')} of the eval set map to no model class (detection.category-ids); they have no boxes, so they do not count`,
    );
  }
  const names = new Map(dataset.categories.map((c) => [c.id, c.name]));
  if (config.eval.format === 'coco' && config.classes.length > 0) {
    // Names from the config win for display when given (model output order).
    classToCategory.forEach((id, i) => id !== undefined && config.classes[i] && names.set(id, config.classes[i]));
  }
  const gt: CocoGroundTruth = {
    images: dataset.samples.map((s) => s.label.imageId),
    categories: dataset.categories.map((c) => c.id),
    boxes: dataset.samples.flatMap((s) => s.label.boxes.map((b) => ({ ...b, imageId: s.label.imageId }))),
  };
  const set: DetectionSet = { categories: dataset.categories, classToCategory, classCount, gt, categoryNames: names };
  const boxes = gt.boxes.length;
  const empty = dataset.samples.filter((s) => s.label.boxes.length === 0).length;
  if (empty > 0) progress?.info(`eval set: ${boxes.toLocaleString('en-US')} boxes; ${empty} image(s) without objects (valid: every detection on them is a false positive)`);
  return dataset.samples.map((s) => ({ ...s, label: { ...s.label, set } }));
}
