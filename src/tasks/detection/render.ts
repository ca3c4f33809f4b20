/**
 * What detection contributes to the report (pure): the accuracy half of the verdict line, the mAP
 * rows of the main table, the per-class, per-size, error-type and decoding sections, and its
 * gates. AP figures are shown as points (0.3404 → 34.04) as in every detection paper; the JSON
 * keeps fractions.
 */
import { markdownTable } from 'markdown-table';
import type { GatesConfig } from '../../config/types.js';
import { count, escapeMarkdown, pValue, signed } from '../../report/format.js';
import { preprocessingSection, type PreprocessingComparison } from '../../report/preprocessing.js';
import type { GateResult } from '../../contracts/report.js';
import type { ReportSection, TableRow } from '../../contracts/task.js';
import type { ErrorTypeCounts } from './errors.js';
import type { DetectionComparison, DetectionMetrics } from './metrics.js';

/** Significance level for the verdict and the require-significant gate. */
export const ALPHA = 0.05;

/** AP as points with one decimal more than papers give, so small deltas stay visible: 0.34044 → "34.04". */
export const ap = (value: number) => (value === -1 ? '–' : (value * 100).toFixed(2));
/** A difference in AP points: "+1.20 AP" (unit "AR" for a recall figure). */
export const apDelta = (delta: number, unit: 'AP' | 'AR' = 'AP') => `${signed(delta * 100, 2)} ${unit}`;
export const apRange = ([lo, hi]: readonly [number, number]) => `${signed(lo * 100, 2)} to ${signed(hi * 100, 2)}`;

const isSignificant = (c: DetectionComparison) => c.pValue < ALPHA;

export function detectionHeadline(c: DetectionComparison): { text: string; tone: 'gain' | 'loss' | 'noise' | 'same' } {
  const test = `paired bootstrap over ${count(c.images)} images, ${pValue(c.pValue)}`;
  if (c.deltaMap === 0 && c.deltaMapCi95[0] === 0 && c.deltaMapCi95[1] === 0) {
    return { text: `the two models score the same mAP@[.5:.95] on all ${count(c.images)} images`, tone: 'same' };
  }
  const interval = `95% CI ${apRange(c.deltaMapCi95)}, ${test}`;
  if (!isSignificant(c)) return { text: `${apDelta(c.deltaMap)} mAP@[.5:.95] (${interval})`, tone: 'noise' };
  if (c.deltaMap > 0) return { text: `the candidate gains **${apDelta(c.deltaMap)}** mAP@[.5:.95] (${interval})`, tone: 'gain' };
  return { text: `the candidate loses **${(Math.abs(c.deltaMap) * 100).toFixed(2)} AP** mAP@[.5:.95] (${interval})`, tone: 'loss' };
}

export function detectionRows(b: DetectionMetrics, c: DetectionMetrics, cmp: DetectionComparison): TableRow[] {
  const row = (label: string, key: 'map50' | 'map75' | 'ar100'): TableRow => [label, ap(b[key]), ap(c[key]), apDelta(c[key] - b[key], key === 'ar100' ? 'AR' : 'AP')];
  const size = (label: string, key: 'small' | 'medium' | 'large'): TableRow => {
    const s = cmp.perSize[key];
    return s ? [label, ap(s.baseline), ap(s.candidate), `${apDelta(s.delta)} (${apRange(s.ci95)})`] : [label, '–', '–', 'no objects of this size'];
  };
  return [
    ['mAP@[.5:.95] (95% CI of Δ)', ap(b.map), ap(c.map), `${apDelta(cmp.deltaMap)} (${apRange(cmp.deltaMapCi95)})`],
    row('AP50', 'map50'),
    row('AP75', 'map75'),
    size('AP small (< 32²)', 'small'),
    size('AP medium', 'medium'),
    size('AP large (> 96²)', 'large'),
    row('AR@100', 'ar100'),
    ...precisionRecallRow(b, c),
  ];
}

/** A fraction as a percentage with one decimal, '–' for none. */
const pct = (value: number | null | undefined) => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '–');
const pctDelta = (b: number | null | undefined, c: number | null | undefined) => (typeof b === 'number' && typeof c === 'number' ? `${signed((c - b) * 100, 1)} pt` : '');

/** P · R at the operating threshold, as Ultralytics prints them (reports from before it have none). */
function precisionRecallRow(b: DetectionMetrics, c: DetectionMetrics): TableRow[] {
  const pb = b.precisionRecall;
  const pc = c.precisionRecall;
  if (!pb || !pc) return [];
  return [
    [
      `P · R (conf > ${pb.conf}, IoU 0.5)`,
      `${pct(pb.precision)} · ${pct(pb.recall)}`,
      `${pct(pc.precision)} · ${pct(pc.recall)}`,
      `${pctDelta(pb.precision, pc.precision)} · ${pctDelta(pb.recall, pc.recall)}`,
    ],
  ];
}

function precisionRecallSection(b: DetectionMetrics, c: DetectionMetrics): ReportSection | null {
  const pb = b.precisionRecall;
  const pc = c.precisionRecall;
  if (!pb || !pc) return null;
  const of = (list: typeof pc.perClass, id: number) => list.find((k) => k.categoryId === id);
  const rows = pb.perClass
    .filter((k) => k.gtCount > 0 || (of(pc.perClass, k.categoryId)?.falsePositives ?? 0) + k.falsePositives > 0)
    .map((k) => {
      const other = of(pc.perClass, k.categoryId);
      return [escapeMarkdown(k.name), count(k.gtCount), pct(k.precision), pct(other?.precision), pct(k.recall), pct(other?.recall), pctDelta(k.recall, other?.recall)];
    });
  const table = markdownTable(
    [
      ['class', 'objects', 'baseline P', 'candidate P', 'baseline R', 'candidate R', 'Δ R'],
      ['**all (mean)**', count(pb.perClass.reduce((sum, k) => sum + k.gtCount, 0)), pct(pb.precision), pct(pc.precision), pct(pb.recall), pct(pc.recall), pctDelta(pb.recall, pc.recall)],
      ...rows,
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'] },
  );
  const note =
    `Detections scoring above ${pb.conf} (\`detection.operating-conf\`; Ultralytics' default for predictions is 0.25), matched at IoU 0.5 as pycocotools matches them. ` +
    'P = right detections / detections, R = objects found / objects; the mean is over the classes with objects, as Ultralytics averages them ' +
    "(its `yolo val` prints P and R at the confidence that maximises each model's mean F1 instead; one threshold keeps the two models comparable).";
  return { title: `Precision and recall at conf > ${pb.conf}`, markdown: `${table}\n\n${note}`, detail: true };
}

function perClassSection(b: DetectionMetrics, c: DetectionMetrics, cmp: DetectionComparison): ReportSection {
  const gtOf = new Map(b.perClass.map((k) => [k.categoryId, k.gtCount]));
  const ap50Of = (m: DetectionMetrics, id: number) => m.perClass.find((k) => k.categoryId === id)?.ap50 ?? null;
  const rows = cmp.perClass.map((r) => {
    const b50 = ap50Of(b, r.categoryId);
    const c50 = ap50Of(c, r.categoryId);
    return [escapeMarkdown(r.name), count(gtOf.get(r.categoryId) ?? 0), ap(r.baseline), ap(r.candidate), apDelta(r.delta), b50 === null || c50 === null ? '–' : apDelta(c50 - b50)];
  });
  const table = markdownTable([['class', 'objects', 'baseline AP', 'candidate AP', 'Δ AP', 'Δ AP50'], ...rows], { align: ['l', 'r', 'r', 'r', 'r', 'r'] });
  return { title: 'Per-class AP (worst change first)', markdown: table, detail: true };
}

function perSizeSection(cmp: DetectionComparison): ReportSection {
  const rows = (['small', 'medium', 'large'] as const).map((key) => {
    const s = cmp.perSize[key];
    return s ? [key, ap(s.baseline), ap(s.candidate), apDelta(s.delta), apRange(s.ci95), pValue(s.pValue)] : [key, '–', '–', '–', 'no objects of this size', ''];
  });
  const table = markdownTable([['size', 'baseline AP', 'candidate AP', 'Δ', '95% CI', 'bootstrap'], ...rows], { align: ['l', 'r', 'r', 'r', 'r', 'r'] });
  const note =
    "Sizes by the annotation's area: small < 32², medium 32²–96², large > 96² px (COCO). CIs: the same paired image resamples as the headline, B = " + `${count(cmp.bootstrap.resamples)}.`;
  return { title: 'AP by object size', markdown: `${table}\n\n${note}`, detail: true };
}

const ERROR_ROWS: readonly [keyof ErrorTypeCounts, string][] = [
  ['truePositives', 'true positives'],
  ['missed', 'missed (no detection aimed at the object)'],
  ['duplicate', 'duplicate (object already found)'],
  ['wrongClass', 'wrong class (IoU ≥ 0.5 with another class)'],
  ['poorLocalisation', 'poor localisation (IoU 0.1–0.5, right class)'],
  ['both', 'wrong class and poor box'],
  ['background', 'background (IoU < 0.1 with everything)'],
];

function errorSection(b: DetectionMetrics, c: DetectionMetrics, cmp: DetectionComparison): ReportSection {
  const all = cmp.errorTypes;
  const atConf = b.errorTypesAtConf && c.errorTypesAtConf ? { baseline: b.errorTypesAtConf, candidate: c.errorTypesAtConf } : null;
  const conf = b.precisionRecall?.conf;
  const change = (x: number, y: number) => (y === x ? '0' : `${y > x ? '+' : '−'}${count(Math.abs(y - x))}`);
  const head = atConf
    ? ['at IoU 0.5', `baseline (conf > ${conf})`, `candidate (conf > ${conf})`, 'change', 'baseline (all scored)', 'candidate (all scored)']
    : ['at IoU 0.5', 'baseline', 'candidate', 'change'];
  const rows = ERROR_ROWS.map(([key, label]) =>
    atConf
      ? [label, count(atConf.baseline[key]), count(atConf.candidate[key]), change(atConf.baseline[key], atConf.candidate[key]), count(all.baseline[key]), count(all.candidate[key])]
      : [label, count(all.baseline[key]), count(all.candidate[key]), change(all.baseline[key], all.candidate[key])],
  );
  const table = markdownTable([head, ...rows], { align: ['l', 'r', 'r', 'r', 'r', 'r'] });
  const scored = (m: ErrorTypeCounts) => count(m.truePositives + m.duplicate + m.wrongClass + m.poorLocalisation + m.both + m.background);
  const note =
    `Of ${count(all.baseline.gtCount)} objects. Each false positive at IoU 0.5 gets the first type that applies, in TIDE's order (Bolya et al. 2020); ` +
    'a missed object that a wrong-class or poorly placed detection was aimed at is counted there, not as missed. ' +
    (atConf
      ? `"All scored" counts every detection kept for mAP (${scored(all.baseline)} and ${scored(all.candidate)}, up to 100 per image and class, down to detection.conf): ` +
        'most of its background detections are low-confidence boxes that cost mAP little; the columns at conf > ' +
        `${conf} are what a user of the model at that threshold sees.`
      : 'All scored detections count (up to 100 per image and class), most of the background ones with a low confidence.');
  return { title: 'Error types', markdown: `${table}\n\n${note}`, detail: true };
}

function decodingSection(b: DetectionMetrics, c: DetectionMetrics): ReportSection {
  const rows = [
    ['output layout', b.outputLayout ?? '–', c.outputLayout ?? '–'],
    ['detections scored', count(b.detections), count(c.detections)],
    ['per image', (b.detections / b.images).toFixed(1), (c.detections / c.images).toFixed(1)],
    ...(b.unmappedDetections + c.unmappedDetections > 0 ? [['dropped: class maps to no category', count(b.unmappedDetections), count(c.unmappedDetections)]] : []),
  ];
  const table = markdownTable([['', 'baseline', 'candidate'], ...rows], { align: ['l', 'r', 'r'] });
  return { title: 'Decoding', markdown: `${table}\n\nBoxes are mapped back to original image pixels before scoring; mAP is pycocotools' COCOeval (bbox).`, detail: true };
}

export function detectionSections(b: DetectionMetrics, c: DetectionMetrics, cmp: DetectionComparison & { preprocessing?: PreprocessingComparison }): ReportSection[] {
  const pr = precisionRecallSection(b, c);
  const sections = [perSizeSection(cmp), perClassSection(b, c, cmp), ...(pr ? [pr] : []), errorSection(b, c, cmp)];
  if (cmp.preprocessing) sections.push(preprocessingSection(cmp.preprocessing, 'mAP', (v) => ap(v)));
  sections.push(decodingSection(b, c));
  return sections;
}

export function detectionGates(cmp: DetectionComparison, gates: GatesConfig): GateResult[] {
  const limit = gates.maxMapDrop ?? 0.5;
  const drop = -cmp.deltaMap * 100;
  const results: GateResult[] = [
    {
      name: 'max-map-drop',
      limit,
      value: drop,
      passed: drop <= limit + 1e-12,
      summary: `mAP@[.5:.95] ${apDelta(cmp.deltaMap)} (at most −${limit} AP allowed)`,
      line: `mAP@[.5:.95] change ${apDelta(cmp.deltaMap)} (a drop of at most ${limit} AP is allowed)`,
    },
  ];
  if (gates.requireSignificant) {
    results.push({
      name: 'require-significant',
      limit: true,
      value: cmp.pValue,
      passed: isSignificant(cmp) && cmp.deltaMap > 0,
      summary: `${isSignificant(cmp) && cmp.deltaMap > 0 ? 'significantly better' : 'not significantly better'} (paired bootstrap ${pValue(cmp.pValue)}, ${apDelta(cmp.deltaMap)})`,
      line: `candidate must be significantly better (paired bootstrap p < ${ALPHA}): ${apDelta(cmp.deltaMap)}, ${pValue(cmp.pValue)}`,
    });
  }
  return results;
}
