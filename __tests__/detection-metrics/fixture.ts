/**
 * The test fixtures: fmnist-det (copied from the shared fixture: annotations, the rect reference
 * detections stripped to image_id/category_id/bbox/score, pycocotools' figures) and the synthetic
 * pycocotools cross-check set (fixtures/detection-metrics).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parseCocoGroundTruth, parseCocoResults } from '../../src/tasks/detection/metric-input.js';
import type { CocoGroundTruth, Detection } from '../../src/tasks/detection/cocoeval.js';

export const FIXTURE = join(process.cwd(), '__tests__', 'fixtures', 'fmnist-det');
export const GT_FILE = join(FIXTURE, 'annotations.coco.json');
export const SYNTHETIC = join(process.cwd(), '__tests__', 'fixtures', 'detection-metrics');
export const SYNTHETIC_GT = join(SYNTHETIC, 'synthetic-gt.json');
export const SYNTHETIC_DETS = join(SYNTHETIC, 'synthetic-dets.json.gz');

/** The rect reference detections; v5 decodes to the same detections as v8 (fixture README), so its figures use the v8 file. */
export const REFERENCE_RUNS = ['fmnist-det-small-v1.v8', 'fmnist-det-small-v1.v10', 'fmnist-det-wide-v2.v8', 'fmnist-det-wide-v2.v10'] as const;

let cachedGt: CocoGroundTruth | undefined;
export function fixtureGroundTruth(): CocoGroundTruth {
  cachedGt ??= parseCocoGroundTruth(JSON.parse(readFileSync(GT_FILE, 'utf8')), GT_FILE);
  return cachedGt;
}

export function detectionsFile(run: string): string {
  return join(FIXTURE, 'reference-detections', `${run}.rect.json.gz`);
}

export function fixtureDetections(run: string): Detection[] {
  const file = detectionsFile(run);
  return parseCocoResults(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')), fixtureGroundTruth(), file);
}

export function referenceFigures(): Record<string, number[]> {
  return JSON.parse(readFileSync(join(FIXTURE, 'reference-figures.json'), 'utf8'));
}
