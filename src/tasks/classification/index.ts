/** The classification task: class scores per image, top-1/top-5, paired comparison. */
import type { Task } from '../../contracts/task.js';
import { UserError } from '../../errors.js';
import { percent, points } from '../../report/format.js';
import { galleryFromClassification } from './gallery.js';
import { classificationMetrics, compareClassification, type ClassificationComparison, type ClassificationMetrics, type ClassPrediction } from './metrics.js';
import { classificationGates, classificationHeadline, classificationNotices, classificationRows, classificationSections } from './render.js';
import { readClassFolders, readManifest } from './samples.js';

/**
 * The classes of one sample ranked by score, best first. Ties keep the lower index first, as
 * numpy's argmax does, so our top-1 matches a Python evaluation to the sample. NaN ranks last.
 */
export function rankScores(scores: Float32Array, offset: number, classes: number, keep: number): number[] {
  const ranked: number[] = [];
  for (let k = 0; k < classes; k++) {
    const s = scores[offset + k];
    const score = Number.isNaN(s) ? -Infinity : s;
    let pos = ranked.length;
    while (pos > 0) {
      const other = scores[offset + ranked[pos - 1]];
      if ((Number.isNaN(other) ? -Infinity : other) >= score) break;
      pos--;
    }
    if (pos < keep) {
      ranked.splice(pos, 0, k);
      if (ranked.length > keep) ranked.pop();
    }
  }
  return ranked;
}

export const classificationTask: Task<number, ClassPrediction, ClassificationMetrics, ClassificationComparison> = {
  name: 'classification',

  classNames: (config) => ({ names: config.classes, from: `classes in ${config.configPath ?? 'the config'}` }),

  readSamples(root, config, progress) {
    const warn = (message: string) => progress?.warn(message);
    return config.eval.format === 'manifest' ? readManifest(root, config.eval.manifest as string, config.classes, warn) : readClassFolders(root, config.classes, warn);
  },

  checkOutputs(outputs, modelLabel, config) {
    const first = outputs[0];
    if (!first) throw new UserError(`${modelLabel}: the model has no outputs`);
    const dims = first.dims.slice(1).filter((d) => d !== 1);
    const classDim = dims.length === 1 ? dims[0] : dims.length === 0 ? 1 : null;
    if (classDim === null) {
      throw new UserError(`${modelLabel}: output '${first.name}' has shape [${first.dims.join(', ')}]; classification expects [batch, classes]`);
    }
    if (typeof classDim === 'number' && classDim !== config.classes.length) {
      const n = config.classes.length;
      throw new UserError(
        `${modelLabel}: output '${first.name}' gives ${classDim} class scores, but classes in ${config.configPath ?? 'the config'} lists ${n}: ` +
          (classDim > n ? `list all ${classDim} class names, in the model's output order` : `list only the ${classDim} classes the model outputs, in its output order`),
      );
    }
  },

  decodeOutputs(outputs, count, config) {
    const [first] = Object.values(outputs);
    const classes = config.classes.length;
    if (first.data.length !== count * classes) {
      throw new UserError(`model output has ${first.data.length} values for ${count} samples; expected ${count} × ${classes} classes`);
    }
    const keep = Math.min(5, classes);
    const predictions: ClassPrediction[] = [];
    for (let i = 0; i < count; i++) predictions.push({ ranked: rankScores(first.data, i * classes, classes, keep) });
    return predictions;
  },

  // Right at top-1, as top1 counts it, with the true class as a slice (task: results can break it down by class).
  sampleRecords: (predictions, samples, config) => samples.map((s, i) => ({ id: s.id, correct: predictions[i].ranked[0] === s.label, slices: { class: config.classes[s.label] } })),

  score: (predictions, samples, config) =>
    classificationMetrics(
      predictions,
      samples.map((s) => s.label),
      config.classes,
    ),

  compare: (baseline, candidate, samples, config) =>
    compareClassification(
      baseline,
      candidate,
      samples.map((s) => s.label),
      samples.map((s) => s.id),
      config.classes,
    ),

  primary: {
    key: 'Top1',
    label: 'top-1',
    value: (m) => m.top1,
    show: (v) => percent(v),
    showChange: (d, unit = true) => (unit ? points(d) : points(d).replace(/ pt$/, '')),
    unit: 'pt',
    int8Gate: { name: 'max-int8-drop', limit: (config) => config.gates.maxInt8Drop },
  },
  pairedSummary: (c) => ({
    delta: c.deltaTop1,
    ci: c.deltaTop1Ci95,
    errorReduction: c.errorReduction,
    pValue: c.mcnemar.pExact,
    test: { mcnemar: { pExact: c.mcnemar.pExact, pMidP: c.mcnemar.pMidP, baselineOnlyCorrect: c.mcnemar.baselineOnlyCorrect, candidateOnlyCorrect: c.mcnemar.candidateOnlyCorrect } },
  }),
  gates: (comparison, config) => classificationGates(comparison, config.gates),
  gallery: (comparison, samples, baseline, candidate, config, thumbnail) =>
    galleryFromClassification({ flips: comparison.flips, samples, classes: config.classes, baseline, candidate }, thumbnail),
  headline: classificationHeadline,
  tableRows: classificationRows,
  sections: classificationSections,
  notices: (b, c) => classificationNotices(b, c),
};
