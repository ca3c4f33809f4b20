/**
 * What task: results contributes to the report (pure): the verdict's first half, which says how
 * the candidate does where it matters (results.focus) before the average; the main-table rows;
 * the slice tables; and the gates. Differences are in points, 1/100 of the score scale
 * (percentage points for right/wrong outcomes).
 */
import { markdownTable } from 'markdown-table';
import type { GatesConfig } from '../../config/types.js';
import { count, escapeMarkdown, percent, percentRange, points, pointsRange, pValue, signed } from '../../report/format.js';
import type { GateResult } from '../../contracts/report.js';
import type { ReportSection, TableRow } from '../../contracts/task.js';
import { ALPHA, type PairedStats, type SliceDelta } from './compare.js';
import type { ResultsComparison, ResultsMetrics } from './metrics.js';

type Tone = 'gain' | 'loss' | 'noise' | 'same';
type Scaled = Pick<ResultsComparison, 'scoreScale' | 'kind'>;

const pt = (c: Scaled, delta: number) => points(delta / c.scoreScale);
const ptRange = (c: Scaled, [lo, hi]: readonly [number, number]) => pointsRange([lo / c.scoreScale, hi / c.scoreScale]);
const testName = (s: PairedStats) => (s.test === 'mcnemar-exact' ? 'McNemar' : 'sign-flip');
const pOf = (s: PairedStats) => `${testName(s)} ${pValue(s.pValue, s.log10PValue)}`;

/** A mean as the table shows it: 61.25% for right/wrong, 41.23 points of the scale for scores. */
function level(c: Scaled, value: number, ci?: readonly [number, number] | null): string {
  if (c.kind === 'binary') return ci ? `${percent(value)} (${percentRange(ci, 2)})` : percent(value);
  const scaled = (v: number) => ((v / c.scoreScale) * 100).toFixed(2);
  return ci ? `${scaled(value)} (${scaled(ci[0])}–${scaled(ci[1])})` : scaled(value);
}

/** "language de": plain text for gate lines (the gates table escapes them), escaped for Markdown. */
const plainSlice = (s: { column: string; value: string }) => `${s.column} ${s.value}`;
export const sliceLabel = (s: { column: string; value: string }) => escapeMarkdown(plainSlice(s));

const plainFocus = (spec: Readonly<Record<string, readonly string[]>>) =>
  Object.entries(spec)
    .map(([column, values]) => `${column} ${values.join(', ')}`)
    .join('; ');
export const focusLabel = (spec: Readonly<Record<string, readonly string[]>>) => escapeMarkdown(plainFocus(spec));

/** A p-value for a table cell whose header already says p: "0.012", "< 1e-30". */
const pCell = (p: number, log10p?: number) => pValue(p, log10p).replace(/^p = /, '').replace(/^p < /, '< ');

const noFlips = (s: PairedStats) => s.binary !== null && s.binary.baselineOnlyCorrect === 0 && s.binary.candidateOnlyCorrect === 0;
const detectable = (s: PairedStats) =>
  s.binary && s.binary.detectableDifference > 0 ? `; this set can only detect differences ≥ ${(s.binary.detectableDifference * 100).toFixed(2)} pt` : '';

function change(c: ResultsComparison, s: PairedStats): string {
  return `${pt(c, s.delta)} (95% CI ${ptRange(c, s.deltaCi95)}, ${pOf(s)})`;
}

/** The average, always said second when there is a focus: it is what a benchmark table shows. */
function average(c: ResultsComparison): string {
  return `on average over all ${count(c.samples)} samples: ${change(c, c.overall)}`;
}

function focusHeadline(c: ResultsComparison, focus: NonNullable<ResultsComparison['focus']>): { text: string; tone: Tone } {
  const where = focusLabel(focus.spec);
  const worse = focus.slices.filter((s) => s.worse);
  if (worse.length > 0) {
    const w = worse[0];
    const more = worse.length > 1 ? ` (and ${worse.length - 1} more focus slice${worse.length > 2 ? 's' : ''})` : '';
    return {
      tone: 'loss',
      text: `worse where it matters: **${pt(c, w.delta)}** ${escapeMarkdown(c.metric)} on ${sliceLabel(w)} (${count(w.samples)} samples; 95% CI ${ptRange(c, w.deltaCi95)}, Holm-adjusted ${pValue(w.holmP)})${more}; ${average(c)}`,
    };
  }
  const p = focus.pooled;
  if (noFlips(p)) return { tone: 'same', text: `where it matters (${where}) the candidate gets exactly the same samples right (none of ${count(p.samples)} flipped); ${average(c)}` };
  const on = `${escapeMarkdown(c.metric)} on ${where} (${count(p.samples)} samples; 95% CI ${ptRange(c, p.deltaCi95)}, ${pOf(p)})`;
  if (p.pValue < ALPHA) {
    return { tone: p.delta > 0 ? 'gain' : 'loss', text: `${p.delta > 0 ? 'better' : 'worse'} where it matters: **${pt(c, p.delta)}** ${on}; ${average(c)}` };
  }
  return { tone: 'noise', text: `no measurable change where it matters: ${pt(c, p.delta)} ${on}${detectable(p)}; ${average(c)}` };
}

export function resultsHeadline(c: ResultsComparison): { text: string; tone: Tone } {
  if (c.focus) return focusHeadline(c, c.focus);
  const s = c.overall;
  if (noFlips(s)) return { tone: 'same', text: `the candidate gets exactly the same samples right as the baseline (none of ${count(s.samples)} flipped)` };
  const what = `${escapeMarkdown(c.metric)} over all ${count(s.samples)} samples (95% CI ${ptRange(c, s.deltaCi95)}, ${pOf(s)})`;
  if (s.pValue >= ALPHA) return { tone: 'noise', text: `${pt(c, s.delta)} ${what}${detectable(s)}` };
  const worst = c.slices.find((x) => x.worse);
  const but = s.delta > 0 && worst ? `, but ${sliceLabel(worst)} is significantly worse (${pt(c, worst.delta)}, Holm-adjusted ${pValue(worst.holmP)})` : '';
  return { tone: s.delta > 0 ? 'gain' : 'loss', text: `the candidate ${s.delta > 0 ? 'gains' : 'loses'} **${pt(c, s.delta)}** ${what}${but}` };
}

export function resultsRows(b: ResultsMetrics, c: ResultsMetrics, cmp: ResultsComparison): TableRow[] {
  const o = cmp.overall;
  const rows: TableRow[] = [[`${escapeMarkdown(cmp.metric)} (95% CI)`, level(cmp, b.mean, b.meanCi95), level(cmp, c.mean, c.meanCi95), `${pt(cmp, o.delta)} (${ptRange(cmp, o.deltaCi95)})`]];
  if (cmp.focus) {
    const f = cmp.focus.pooled;
    rows.push([
      `… on ${focusLabel(cmp.focus.spec)} (${count(f.samples)})`,
      level(cmp, f.baseline, f.baselineCi95),
      level(cmp, f.candidate, f.candidateCi95),
      `${pt(cmp, f.delta)} (${ptRange(cmp, f.deltaCi95)})`,
    ]);
  }
  if (o.binary) rows.push(['fixed / newly broken', '', '', `${count(o.binary.candidateOnlyCorrect)} / ${count(o.binary.baselineOnlyCorrect)}`]);
  return rows;
}

function sliceTable(cmp: ResultsComparison, slices: readonly SliceDelta[]): string {
  const binary = cmp.kind === 'binary';
  const head = ['slice', 'samples', 'baseline', 'candidate', 'change (95% CI)', ...(binary ? ['fixed / broken'] : []), 'p', 'Holm p', ''];
  const rows = slices.map((s) => [
    sliceLabel(s),
    count(s.samples),
    level(cmp, s.baseline),
    level(cmp, s.candidate),
    `${pt(cmp, s.delta)} (${ptRange(cmp, s.deltaCi95)})`,
    ...(binary && s.binary ? [`${count(s.binary.candidateOnlyCorrect)} / ${count(s.binary.baselineOnlyCorrect)}`] : []),
    pCell(s.pValue, s.log10PValue),
    pCell(s.holmP),
    s.worse ? '⬇️ worse' : s.better ? '⬆️ better' : '',
  ]);
  return markdownTable([head, ...rows], { align: ['l', 'r', 'r', 'r', 'r', ...(binary ? ['r'] : []), 'r', 'r', 'l'] });
}

function worseLine(cmp: ResultsComparison): string {
  const family = `Holm's correction over ${count(cmp.slices.length)} slice${cmp.slices.length === 1 ? '' : 's'}`;
  const worse = cmp.slices.filter((s) => s.worse);
  if (worse.length === 0) return `No slice is significantly worse after ${family} (α = ${ALPHA}).`;
  const list = worse.map((s) => `${sliceLabel(s)} (${pt(cmp, s.delta)}, Holm-adjusted ${pValue(s.holmP)})`).join(', ');
  return `**Significantly worse after ${family}** (α = ${ALPHA}): ${list}.`;
}

function testSection(cmp: ResultsComparison): ReportSection {
  const o = cmp.overall;
  const lines: string[] = [];
  if (o.binary) {
    const m = o.binary;
    lines.push(
      `Both right ${count(m.bothCorrect)} · baseline only ${count(m.baselineOnlyCorrect)} · candidate only ${count(m.candidateOnlyCorrect)} · both wrong ${count(m.bothWrong)} · McNemar exact ${pValue(o.pValue, o.log10PValue)}, mid-${pValue(m.pMidP)}.`,
      '',
      `Per model: Wilson 95% intervals; change: Newcombe's paired interval (method 10)${m.errorReduction !== null && m.errorReductionCi95 ? `; error reduction ${percent(m.errorReduction, 1)} (95% CI ${percentRange(m.errorReductionCi95)})` : ''}.`,
    );
  } else if (o.continuous) {
    const k = o.continuous;
    lines.push(
      `Change: mean of the per-sample differences, paired percentile bootstrap (${count(k.bootstrapResamples)} resamples, seeded) for the 95% CI; two-sided sign-flip permutation test of the same mean, ${k.signFlip.exact ? `exhaustive over ${count(k.signFlip.resamples)} sign patterns` : `${count(k.signFlip.resamples)} random sign patterns`}: ${pValue(o.pValue)}.`,
      '',
      `Wilcoxon signed-rank (scipy.stats.wilcoxon defaults, ${k.wilcoxon.method}; ${count(k.wilcoxon.zeros)} zero difference${k.wilcoxon.zeros === 1 ? '' : 's'} dropped): W = ${k.wilcoxon.statistic}, ${pValue(k.wilcoxon.pValue)}.`,
    );
  }
  return { title: 'Paired test', markdown: lines.join('\n'), detail: true };
}

export function resultsSections(cmp: ResultsComparison): ReportSection[] {
  const sections: ReportSection[] = [];
  if (cmp.dropped.baselineOnly + cmp.dropped.candidateOnly > 0) {
    const d = cmp.dropped;
    sections.push({
      title: 'Samples left out',
      markdown: `${count(d.baselineOnly)} sample${d.baselineOnly === 1 ? ' is' : 's are'} only in the baseline's results and ${count(d.candidateOnly)} only in the candidate's (e.g. ${d.examples.map((id) => `\`${id.replace(/`/g, "'")}\``).join(', ')}); results.allow-missing compares the ${count(cmp.samples)} both have.`,
      detail: false,
    });
  }
  if (cmp.focus) {
    const f = cmp.focus;
    const note = `Each focus slice is tested on its own samples; Holm's correction is over the ${count(f.slices.length)} focus slice${f.slices.length === 1 ? '' : 's'} (α = ${ALPHA}).`;
    sections.push({ title: `Where it matters: ${focusLabel(f.spec)}`, markdown: `${sliceTable(cmp, f.slices)}\n\n${note}`, detail: false });
  }
  sections.push({ title: 'Slices', markdown: worseLine(cmp), detail: false });
  sections.push({ title: `Per-slice changes (worst first, ${count(cmp.slices.length)} slices)`, markdown: sliceTable(cmp, cmp.slices), detail: true });
  sections.push(testSection(cmp));
  return sections;
}

export function resultsGates(cmp: ResultsComparison, gates: GatesConfig): GateResult[] {
  const results: GateResult[] = [];
  const maxDrop = gates.maxMetricDrop ?? 0.5;
  const drop = (-cmp.overall.delta / cmp.scoreScale) * 100;
  results.push({
    name: 'max-metric-drop',
    limit: maxDrop,
    value: drop,
    passed: drop <= maxDrop + 1e-12,
    summary: `${cmp.metric} ${pt(cmp, cmp.overall.delta)} over all samples (at most −${maxDrop} pt allowed)`,
    line: `${cmp.metric} change ${pt(cmp, cmp.overall.delta)} over all ${count(cmp.samples)} samples (a drop of at most ${maxDrop} pt is allowed)`,
  });
  if (gates.requireSignificant) {
    const o = cmp.overall;
    results.push({
      name: 'require-significant',
      limit: true,
      value: o.pValue,
      passed: o.pValue < ALPHA && o.delta > 0,
      summary: `${o.pValue < ALPHA && o.delta > 0 ? 'significantly better' : 'not significantly better'} over all samples (${testName(o)} ${pValue(o.pValue, o.log10PValue)})`,
      line: `candidate must be significantly better over all samples (${testName(o)} p < ${ALPHA}): ${pt(cmp, o.delta)}, ${pValue(o.pValue, o.log10PValue)}`,
    });
  }
  const focus = cmp.focus;
  if (focus && gates.minFocusGain !== null && gates.minFocusGain !== undefined) {
    const lower = (focus.pooled.deltaCi95[0] / cmp.scoreScale) * 100;
    results.push({
      name: 'min-focus-gain',
      limit: gates.minFocusGain,
      value: lower,
      passed: lower >= gates.minFocusGain - 1e-12,
      summary: `${plainFocus(focus.spec)}: shown gain at least ${signed(lower)} pt (needs ${signed(gates.minFocusGain)} pt)`,
      line: `change on ${plainFocus(focus.spec)} ${pt(cmp, focus.pooled.delta)}, 95% CI lower bound ${signed(lower)} pt (at least ${signed(gates.minFocusGain)} pt must be shown)`,
    });
  }
  if (focus && gates.noWorseFocusSlice) {
    const worse = focus.slices.filter((s) => s.worse);
    results.push({
      name: 'no-worse-focus-slice',
      limit: true,
      value: worse.length,
      passed: worse.length === 0,
      summary: worse.length === 0 ? 'no focus slice significantly worse' : `significantly worse on ${worse.map((s) => `${plainSlice(s)} ${pt(cmp, s.delta)}`).join(', ')}`,
      line:
        worse.length === 0
          ? `no focus slice significantly worse (Holm over ${focus.slices.length} focus slice${focus.slices.length === 1 ? '' : 's'}, α = ${ALPHA})`
          : worse.map((s) => `${plainSlice(s)} ${pt(cmp, s.delta)} (Holm-adjusted ${pValue(s.holmP)})`).join('; '),
    });
  }
  return results;
}
