/**
 * `node scripts/bench-map.mjs [--images 5000] [--write DIR]`: times the COCO mAP code at COCO-val
 * scale on a generated set (scripts/synthetic-coco.ts, fixed seed). `--write DIR` also saves the
 * set as DIR/gt.json and DIR/dets.json, so the same data can be timed with pycocotools
 * (COCO(gt) → loadRes(dets) → COCOeval(…, 'bbox').evaluate/accumulate/summarize) for comparison.
 * Also exported as a section for scripts/bench.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bootstrapDeltaMap } from '../src/tasks/detection/bootstrap.js';
import { cocoEvaluate, summaryToArray } from '../src/tasks/detection/cocoeval.js';
import { errorTypes } from '../src/tasks/detection/errors.js';
import { parseCocoGroundTruth, parseCocoResults } from '../src/tasks/detection/metric-input.js';
import { syntheticCoco } from './synthetic-coco.js';

export async function benchMap(options: { images?: number; writeDir?: string; bootstrap?: boolean } = {}): Promise<[string, string][]> {
  const rows: [string, string][] = [];
  const images = options.images ?? 5000;
  const { gt: gtJson, dets: detsJson } = syntheticCoco({ images, detsPerImage: 100, seed: 2017 });
  const gtText = JSON.stringify(gtJson);
  const detsText = JSON.stringify(detsJson);
  if (options.writeDir) {
    mkdirSync(options.writeDir, { recursive: true });
    writeFileSync(join(options.writeDir, 'gt.json'), gtText);
    writeFileSync(join(options.writeDir, 'dets.json'), detsText);
  }
  const ms = (start: number) => `${((performance.now() - start) / 1000).toFixed(3)} s`;
  rows.push(['synthetic set', `${gtJson.images.length} images, ${gtJson.annotations.length} GT boxes, ${detsJson.length} detections`]);

  let start = performance.now();
  const gt = parseCocoGroundTruth(JSON.parse(gtText), 'gt.json');
  const dets = parseCocoResults(JSON.parse(detsText), gt, 'dets.json');
  rows.push(['parse + validate both JSON files', ms(start)]);

  start = performance.now();
  const first = cocoEvaluate(gt, dets);
  rows.push(['cocoEvaluate (match + accumulate + summarize), run 1', ms(start)]);
  start = performance.now();
  cocoEvaluate(gt, dets);
  rows.push(['cocoEvaluate, run 2 (warm JIT)', ms(start)]);
  rows.push([
    'stats',
    summaryToArray(first.summary)
      .map((v) => v.toFixed(4))
      .join(' '),
  ]);
  start = performance.now();
  const errors = errorTypes(gt, dets);
  rows.push([`errorTypes at IoU 0.5 (${errors.missed} missed, ${errors.duplicate} duplicates)`, ms(start)]);

  if (options.bootstrap) {
    const shifted = syntheticCoco({ images, detsPerImage: 100, seed: 2018 });
    const other = cocoEvaluate(gt, parseCocoResults(shifted.dets, gt, 'dets2.json')).perImage;
    start = performance.now();
    const result = bootstrapDeltaMap(gt, first.perImage, other, { resamples: 1000, seed: 1 });
    rows.push([`bootstrapDeltaMap, B = 1000 (Δ ${result.delta.toFixed(4)})`, ms(start)]);
  }
  return rows;
}

const isMain = process.argv[1]?.includes('bench-map');
if (isMain) {
  const { values } = parseArgs({ options: { images: { type: 'string' }, write: { type: 'string' }, bootstrap: { type: 'boolean' } } });
  const rows = await benchMap({ images: values.images ? Number(values.images) : undefined, writeDir: values.write, bootstrap: values.bootstrap });
  for (const [label, value] of rows) process.stdout.write(`${label.padEnd(58)} ${value}\n`);
}
