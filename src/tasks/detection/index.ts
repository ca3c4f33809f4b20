/**
 * The detection task: YOLO-family outputs (yolov8, yolov5, end2end) → NMS → boxes in original
 * pixels → COCO mAP identical to pycocotools, paired ΔmAP by bootstrap over images, and the
 * letterbox-vs-rect comparison as a preprocessing variant the engine evaluates generically.
 */
import type { Config, DecodeSpec } from '../../config/types.js';
import { UserError } from '../../errors.js';
import { signed } from '../../report/format.js';
import type { Task } from '../../contracts/task.js';
import { decodeBatch, inferLayout, type DecodeOptions, type OutputLayout } from './decode.js';
import { compareDetection, detectionMetrics, type DetectionComparison, type DetectionMetrics, type DetectionPrediction } from './metrics.js';
import { ap, apDelta, detectionGates, detectionHeadline, detectionRows, detectionSections } from './render.js';
import { readDetectionSamples, type DetectionSampleLabel } from './samples.js';

function decodeOptions(config: Config): DecodeOptions {
  const d = config.detection;
  if (!d) throw new Error('detection config missing (task: detection without config.detection)');
  return { conf: d.conf, iou: d.iou, maxNms: d.maxNms, maxDet: d.maxDet, clip: d.clip, multiLabel: d.multiLabel };
}

function classCount(samples: readonly { label: unknown }[] | undefined, config: Config): number {
  const set = (samples?.[0]?.label as DetectionSampleLabel | undefined)?.set;
  return set?.classCount ?? config.detection?.categoryIds?.length ?? config.classes.length;
}

/** The configured layout, or the one the shape implies (inferLayout throws naming the shape when none or several fit). */
function layoutFor(dims: readonly (number | string)[], classes: number, config: Config): { layout: OutputLayout; reason: string | null } {
  const wanted = config.detection?.output ?? 'auto';
  if (wanted !== 'auto') return { layout: wanted, reason: null };
  return inferLayout(dims, classes);
}

/** A fixed dim that contradicts the configured layout: caught before any inference runs. */
function checkExplicitLayout(layout: OutputLayout, dims: readonly (number | string)[], classes: number): string | null {
  const shape = `[${dims.join(', ')}]`;
  if (dims.length !== 3) return `shape ${shape} has ${dims.length} dims; ${layout} expects 3`;
  const fixed = (at: number, expected: number) => typeof dims[at] !== 'number' || dims[at] === expected;
  if (layout === 'yolov8' && !fixed(1, 4 + classes)) return `shape ${shape}: yolov8 expects [B, ${4 + classes}, N] for ${classes} classes`;
  if (layout === 'yolov5' && !fixed(2, 5 + classes)) return `shape ${shape}: yolov5 expects [B, N, ${5 + classes}] for ${classes} classes`;
  if (layout === 'end2end' && !fixed(2, 6)) return `shape ${shape}: end2end expects [B, K, 6]`;
  return null;
}

export const detectionTask: Task<DetectionSampleLabel, DetectionPrediction, DetectionMetrics, DetectionComparison> = {
  name: 'detection',

  readSamples: (root, config, progress) => readDetectionSamples(root, config, progress),

  classNames(config, samples) {
    if (config.classes.length > 0) return { names: config.classes, from: `classes in ${config.configPath ?? 'the config'}` };
    const set = samples?.[0]?.label.set;
    if (!set) return { names: [], from: 'the eval set' };
    // Without classes, model class k is the category set.classToCategory[k] (category-ids, or the categories by id).
    const names = set.classToCategory.map((id) => (id === undefined ? '' : (set.categoryNames.get(id) ?? String(id))));
    return { names, from: `the eval set's categories (${config.detection?.categoryIds ? 'in detection.category-ids order' : 'sorted by id'})` };
  },

  checkOutputs(outputs, modelLabel, config, samples) {
    const first = outputs[0];
    if (!first) throw new UserError(`${modelLabel}: the model has no outputs`);
    const classes = classCount(samples, config);
    const configured = config.detection?.output ?? 'auto';
    try {
      if (configured !== 'auto') {
        const problem = checkExplicitLayout(configured, first.dims, classes);
        if (problem) throw new UserError(`detection output ${problem} (detection.output: ${configured})`);
        return `${modelLabel}: output '${first.name}' [${first.dims.join(', ')}] decoded as ${configured} (detection.output)`;
      }
      if (first.dims.length === 3 && first.dims.slice(1).some((d) => typeof d !== 'number')) {
        // Symbolic dims (a dynamic N, or an exporter that names every dim): the first batch's shape decides.
        try {
          const { layout, reason } = inferLayout(first.dims, classes);
          return `${modelLabel}: output '${first.name}' read as ${layout} (detection.output: auto; ${reason})`;
        } catch {
          return `${modelLabel}: output '${first.name}' has shape [${first.dims.join(', ')}]; detection.output: auto reads the layout from the first batch's shape`;
        }
      }
      const { layout, reason } = inferLayout(first.dims, classes);
      return `${modelLabel}: output '${first.name}' read as ${layout} (detection.output: auto; ${reason})`;
    } catch (error) {
      if (error instanceof UserError) throw new UserError(`${modelLabel}: output '${first.name}': ${error.message}`, { cause: error });
      throw error;
    }
  },

  decodeOutputs(outputs, count, config, batch) {
    const [first] = Object.values(outputs);
    const { layout } = layoutFor(first.dims, classCount(batch.samples, config), config);
    return decodeBatch(first, layout, count, batch.geometry, decodeOptions(config)).map((boxes) => ({ boxes, layout }));
  },

  score: (predictions, samples, config) => detectionMetrics(predictions, samples, config.detection?.operatingConf),
  compare: (baseline, candidate, samples) => compareDetection(baseline, candidate, samples),

  preprocessVariants(config) {
    if (!config.detection?.comparePreprocessing) return [];
    const base: DecodeSpec = { ...config.preprocess };
    // yolo val's own two: square imgsz letterbox, and its rect batches.
    if (base.resize === 'ultralytics-val') {
      return [
        { name: 'letterbox', preprocess: { ...base, rect: false } },
        { name: 'rect', preprocess: { ...base, rect: true } },
      ];
    }
    return [
      { name: 'letterbox', preprocess: { ...base, resize: 'letterbox', auto: false } },
      { name: 'rect', preprocess: { ...base, resize: 'rect', auto: false } },
    ];
  },

  primary: {
    key: 'Map',
    label: 'mAP',
    value: (m) => m.map,
    show: ap,
    showChange: (d, unit = true) => (unit ? apDelta(d) : signed(d * 100, 2)),
    unit: 'AP',
    int8Gate: { name: 'max-int8-map-drop', limit: (config) => config.gates.maxInt8MapDrop ?? null },
  },
  pairedSummary: (c) => ({
    delta: c.deltaMap,
    ci: c.deltaMapCi95,
    errorReduction: null,
    pValue: c.pValue,
    test: { bootstrap: { pValue: c.pValue, ci: c.deltaMapCi95 } },
  }),
  gates: (comparison, config) => detectionGates(comparison, config.gates),
  headline: detectionHeadline,
  tableRows: detectionRows,
  sections: detectionSections,
};
