/**
 * Builds the HTML report's regression gallery from a classification comparison: flipped sample
 * ids → their files, labels and both models' top-1 predictions as class names. Thumbnails come
 * from a function the caller passes in (src/preprocess/thumbnail.ts in the engine), so this
 * module reads no file itself and is tested without images.
 */
import type { Gallery, GalleryItem } from '../../contracts/gallery.js';
import type { EvalSample } from '../../contracts/task.js';
import { GALLERY_LIMIT } from '../../report/html-gallery.js';
import type { ClassificationComparison, ClassPrediction } from './metrics.js';

export interface ClassificationGalleryInput {
  readonly flips: ClassificationComparison['flips'];
  /** The eval set's samples, in the order the predictions are. */
  readonly samples: readonly EvalSample<number>[];
  /** Label index → class name (the model's output order). */
  readonly classes: readonly string[];
  readonly baseline: readonly ClassPrediction[];
  readonly candidate: readonly ClassPrediction[];
}

/**
 * At most `limit` items per list (thumbnails are made only for those); brokenTotal/fixedTotal
 * keep the full counts so the report can say how many more there are.
 */
export async function galleryFromClassification(input: ClassificationGalleryInput, thumbnail: (file: string) => Promise<string>, limit = GALLERY_LIMIT): Promise<Gallery> {
  const { samples, classes, baseline, candidate } = input;
  if (baseline.length !== samples.length || candidate.length !== samples.length) {
    throw new Error(`gallery: ${samples.length} samples but ${baseline.length} baseline and ${candidate.length} candidate predictions`);
  }
  const indexOf = new Map(samples.map((s, i) => [s.id, i]));
  const name = (k: number | undefined) => (k === undefined ? '–' : (classes[k] ?? `class ${k}`));
  const item = async (id: string): Promise<GalleryItem> => {
    const i = indexOf.get(id);
    if (i === undefined) throw new Error(`gallery: flipped sample '${id}' is not in the eval set`);
    const sample = samples[i];
    return {
      id,
      label: name(sample.label),
      baseline: name(baseline[i].ranked[0]),
      candidate: name(candidate[i].ranked[0]),
      thumbnail: await thumbnail(sample.file),
    };
  };
  // Sequential on purpose: sharp already uses a thread pool per image, and 2 × limit images is small.
  const items = async (ids: readonly string[]) => {
    const out: GalleryItem[] = [];
    for (const id of ids.slice(0, limit)) out.push(await item(id));
    return out;
  };
  return {
    broken: await items(input.flips.broken),
    fixed: await items(input.flips.fixed),
    brokenTotal: input.flips.broken.length,
    fixedTotal: input.flips.fixed.length,
  };
}
