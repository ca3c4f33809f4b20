/**
 * What classification contributes to the report: the accuracy half of the verdict line, the
 * accuracy rows of the main table, the detail sections, and its gates. Pure functions.
 */
import { markdownTable } from 'markdown-table';
import type { GatesConfig } from '../../config/types.js';
import { count, escapeMarkdown, percent, percentRange, points, pointsRange, pValue, signed } from '../../report/format.js';
import type { GateResult } from '../../contracts/report.js';
import type { ReportSection, TableRow } from '../../contracts/task.js';
import { confusionHeatmaps } from '../../report/html-heatmap.js';
import { confusionMatrix, swappedClasses } from './confusion.js';
import type { ClassificationComparison, ClassificationMetrics } from './metrics.js';

/** Significance level for the verdict and the require-significant gate. */
export const ALPHA = 0.05;

const isSignificant = (c: ClassificationComparison) => c.mcnemar.pExact < ALPHA;

export function classificationHeadline(c: ClassificationComparison): { text: string; tone: 'gain' | 'loss' | 'noise' | 'same' } {
  const { baselineOnlyCorrect: b, candidateOnlyCorrect: fixedCount } = c.mcnemar;
  const p = pValue(c.mcnemar.pExact, c.mcnemar.log10PExact);
  const detect = `this eval set can only detect differences ≥ ${(c.detectableDifference * 100).toFixed(2)} pt`;
  if (b === 0 && fixedCount === 0) {
    // Only right/wrong is compared: both models can be wrong on a sample with different labels.
    return { text: `the candidate gets exactly the same samples right as the baseline (none of ${count(c.samples)} flipped)`, tone: 'same' };
  }
  if (!isSignificant(c)) {
    return {
      text: `${points(c.deltaTop1)} top-1 (95% CI ${pointsRange(c.deltaTop1Ci95)}), McNemar ${p}; ${detect}`,
      tone: 'noise',
    };
  }
  if (c.errorReduction !== null && c.errorReductionCi95 !== null && c.deltaTop1 > 0) {
    return {
      text: `the candidate fixes **${percent(c.errorReduction, 1)}** of baseline errors (95% CI ${percentRange(c.errorReductionCi95)}, McNemar ${p})`,
      tone: 'gain',
    };
  }
  if (c.errorReduction !== null && c.errorReductionCi95 !== null) {
    const [lo, hi] = c.errorReductionCi95;
    return {
      text: `the candidate makes **${percent(-c.errorReduction, 1)} more errors** than the baseline (95% CI ${percentRange([-hi, -lo])}, McNemar ${p})`,
      tone: 'loss',
    };
  }
  // The baseline made no errors at all, so a relative reduction is undefined: state points instead.
  return { text: `the candidate loses **${(-c.deltaTop1 * 100).toFixed(2)} pt** top-1 against an error-free baseline (McNemar ${p})`, tone: 'loss' };
}

export function classificationRows(b: ClassificationMetrics, c: ClassificationMetrics, cmp: ClassificationComparison): TableRow[] {
  // The change in the error count: a reduction of 27.7% reads "−27.7%"; no change reads "0.0%".
  const rer = cmp.errorReduction === null ? '' : `${signed(-cmp.errorReduction * 100, 1)}%`;
  const withCi = (m: ClassificationMetrics) => `${percent(m.top1)} (${percentRange(m.top1Ci95, 2)})`;
  const rows: TableRow[] = [
    ['top-1 (95% CI)', withCi(b), withCi(c), `${points(cmp.deltaTop1)} (${pointsRange(cmp.deltaTop1Ci95)})`],
    ['errors', `${count(b.errors)} / ${count(b.samples)}`, `${count(c.errors)} / ${count(c.samples)}`, rer],
    ['fixed / newly broken', '', '', `${count(cmp.mcnemar.candidateOnlyCorrect)} / ${count(cmp.mcnemar.baselineOnlyCorrect)}`],
  ];
  if (b.top5 !== null && c.top5 !== null) rows.push(['top-5', percent(b.top5), percent(c.top5), points(c.top5 - b.top5)]);
  return rows;
}

function perClassSection(cmp: ClassificationComparison): ReportSection {
  const rows = cmp.perClass.map((r) => [
    escapeMarkdown(r.name),
    count(r.samples),
    r.baselineAccuracy === null ? '–' : percent(r.baselineAccuracy),
    r.candidateAccuracy === null ? '–' : percent(r.candidateAccuracy),
    r.delta === null ? '–' : points(r.delta),
    `${count(r.fixed)} / ${count(r.broken)}`,
  ]);
  const table = markdownTable([['class', 'samples', 'baseline', 'candidate', 'change', 'fixed / broken'], ...rows], {
    align: ['l', 'r', 'r', 'r', 'r', 'r'],
  });
  return { title: 'Per-class changes (worst first)', markdown: table, detail: true };
}

/** How many flipped sample ids the HTML report lists; report.json has all of them. */
const FLIPS_SHOWN = 60;

/**
 * The paired counts in the comment; the flipped files' names only in the HTML report and the JSON
 * (in a PR comment they are noise, in the HTML they sit next to the gallery).
 */
function flipsSection(cmp: ClassificationComparison): ReportSection {
  const list = (ids: string[]) =>
    ids.length === 0
      ? 'none'
      : ids
          .slice(0, FLIPS_SHOWN)
          .map((id) => `\`${id.replace(/`/g, "'")}\``)
          .join(', ') + (ids.length > FLIPS_SHOWN ? `, … (${count(ids.length - FLIPS_SHOWN)} more in report.json)` : '');
  const { mcnemar: m } = cmp;
  const counts = `Both right ${count(m.bothCorrect)} · baseline only ${count(m.baselineOnlyCorrect)} · candidate only ${count(m.candidateOnlyCorrect)} · both wrong ${count(m.bothWrong)} · McNemar exact ${pValue(m.pExact, m.log10PExact)}, mid-${pValue(m.pMidP)}`;
  const full = [
    counts,
    '',
    `**Fixed** (${count(cmp.flips.fixed.length)}): ${list(cmp.flips.fixed)}`,
    '',
    `**Newly broken** (${count(cmp.flips.broken.length)}): ${list(cmp.flips.broken)}`,
  ].join('\n');
  return {
    title: 'Samples that flipped',
    markdown: `${counts}\n\nThe files that flipped are listed in the HTML report (with their images) and in report.json (comparison.flips).`,
    full,
    detail: true,
  };
}

/** How many changed confusion pairs the comment shows; the HTML shows every one the comparison kept. */
const CONFUSIONS_IN_COMMENT = 10;

function confusionSection(b: ClassificationMetrics, c: ClassificationMetrics, cmp: ClassificationComparison): ReportSection {
  const changes = cmp.confusionChanges ?? [];
  const table = (shown: typeof changes) =>
    markdownTable(
      [
        ['actual → predicted', 'baseline', 'candidate', 'change'],
        ...shown.map((x) => [
          `${escapeMarkdown(x.actual)} → ${escapeMarkdown(x.predicted)}`,
          count(x.baseline),
          count(x.candidate),
          `${x.candidate > x.baseline ? '+' : '−'}${count(Math.abs(x.candidate - x.baseline))}`,
        ]),
      ],
      { align: ['l', 'r', 'r', 'r'] },
    );
  const note = "Samples of the actual class that the model's top-1 puts in the predicted class; fewer is better.";
  if (changes.length === 0) return { title: 'Confusions that changed most', markdown: 'No confusion pair changed: both models make the same kinds of mistakes, as often.', detail: true };
  const classes = b.perClass.map((k) => k.name);
  const matrix = (m: ClassificationMetrics) =>
    m.confusion
      ? confusionMatrix(
          m.confusion,
          m.perClass.map((k) => k.correct),
        )
      : null;
  const [mb, mc] = [matrix(b), matrix(c)];
  return {
    title: 'Confusions that changed most',
    markdown: `${table(changes.slice(0, CONFUSIONS_IN_COMMENT))}\n\n${note}${changes.length > CONFUSIONS_IN_COMMENT ? ' The HTML report has more, and both confusion matrices.' : ' The HTML report has both confusion matrices.'}`,
    full: `${table(changes)}\n\n${note}`,
    ...(mb && mc ? { figures: confusionHeatmaps(classes, mb, mc) } : {}),
    detail: true,
  };
}

export function classificationSections(b: ClassificationMetrics, c: ClassificationMetrics, cmp: ClassificationComparison): ReportSection[] {
  return [confusionSection(b, c, cmp), perClassSection(cmp), flipsSection(cmp)];
}

/** Classes that look swapped (a wrong `classes` order), per model, in words. */
export function classificationNotices(b: ClassificationMetrics, c: ClassificationMetrics): string[] {
  const notices: string[] = [];
  for (const [role, m] of [
    ['baseline', b],
    ['candidate', c],
  ] as const) {
    const finding = m.confusion ? swappedClasses(m.confusion, m.perClass) : null;
    if (!finding) continue;
    const pairs = finding.suspects.map((s) => `**${escapeMarkdown(s.actual)}** as **${escapeMarkdown(s.predicted)}** (${count(s.count)} of ${count(s.samples)})`).join(', ');
    notices.push(
      `**⚠️ Classes look swapped in the ${role}:** it predicts ${pairs}, while it gets ${percent(finding.restAccuracy, 1)} of its other classes right. ` +
        "Check that `classes` lists the model's output order (and that the eval set's folders or labels are right).",
    );
  }
  return notices;
}

export function classificationGates(cmp: ClassificationComparison, gates: GatesConfig): GateResult[] {
  const results: GateResult[] = [];
  const drop = -cmp.deltaTop1 * 100;
  results.push({
    name: 'max-top1-drop',
    limit: gates.maxTop1Drop,
    value: drop,
    passed: drop <= gates.maxTop1Drop + 1e-12,
    summary: `top-1 ${points(cmp.deltaTop1)} (at most −${gates.maxTop1Drop} pt allowed)`,
    line: `top-1 change ${points(cmp.deltaTop1)} (a drop of at most ${gates.maxTop1Drop} pt is allowed)`,
  });
  // Judged on the CI's upper bound: the gate fails only when the data show the reduction is below the minimum.
  const upper = cmp.errorReductionCi95 ? cmp.errorReductionCi95[1] * 100 : null;
  const noBaselineErrors = cmp.errorReduction === null;
  results.push({
    name: 'min-error-reduction',
    limit: gates.minErrorReduction,
    value: upper,
    passed: noBaselineErrors ? cmp.mcnemar.baselineOnlyCorrect === 0 : (upper as number) >= gates.minErrorReduction,
    summary: noBaselineErrors
      ? 'error reduction undefined (the baseline makes no errors)'
      : `error reduction at most ${percent((upper as number) / 100, 1)} (minimum ${gates.minErrorReduction}%)`,
    line: noBaselineErrors
      ? 'error reduction undefined: the baseline makes no errors'
      : `error reduction ${percent(cmp.errorReduction as number, 1)}, 95% CI upper bound ${percent((upper as number) / 100, 1)} (minimum ${gates.minErrorReduction}%)`,
  });
  if (gates.requireSignificant) {
    const passed = isSignificant(cmp) && cmp.deltaTop1 > 0;
    results.push({
      name: 'require-significant',
      limit: true,
      value: cmp.mcnemar.pExact,
      passed,
      summary: `${passed ? 'significantly better' : 'not significantly better'} (McNemar ${pValue(cmp.mcnemar.pExact, cmp.mcnemar.log10PExact)}, ${points(cmp.deltaTop1)})`,
      line: `candidate must be significantly better (McNemar exact p < ${ALPHA}): ${points(cmp.deltaTop1)}, ${pValue(cmp.mcnemar.pExact, cmp.mcnemar.log10PExact)}`,
    });
  }
  return results;
}
