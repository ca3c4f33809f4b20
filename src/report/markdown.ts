/**
 * Renders a report as Markdown (pure). The verdict line comes first because it is the product;
 * then the main table, the gates, and detail sections in <details>. When the text would pass
 * `limit` (GitHub's comment limit by default), detail sections are dropped (last first), never
 * the verdict, the main table or the gates; this renderer never cuts text (see comment-limit.ts).
 */
import { basename } from 'node:path';
import { markdownTable } from 'markdown-table';
import { isResultSet, type AnyReport, type ModelReport, type Report, type ResultSetReport } from '../contracts/report.js';
import type { ReportSection, ReportingTask, TableRow } from '../contracts/task.js';
import { COMMENT_LIMIT } from './comment-limit.js';
import { evalSetWarningMarkdown } from './eval-notes.js';
import { bytes, code, count, escapeMarkdown, ms, params, ratio } from './format.js';
import { gateResultLabel, gatesPassedSummary, latencyMethodNote, shardsNote } from './latency-text.js';
import { accuracyLatencyChart } from './mermaid.js';
import { int8Row, quantizationSection } from './quantization.js';
import { resultFilesFooter, resultFilesRow, resultFilesSection } from './result-files.js';
import { verdictLine } from './verdict.js';

export interface RenderOptions {
  /** Hidden marker that lets the Action find its own sticky comment again. */
  readonly marker?: string;
  /** Title shown after "model-gate ·"; defaults to the task name. */
  readonly title?: string;
  readonly limit?: number;
}

function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** The two sides as result sets, when the report is task: results'. */
function resultSides(report: AnyReport): { baseline: ResultSetReport<unknown>; candidate: ResultSetReport<unknown> } | null {
  const { baseline, candidate } = report.models;
  return isResultSet(baseline) && isResultSet(candidate) ? { baseline, candidate } : null;
}

/**
 * The main table's p50 rows, one per measured batch size; the HTML report shows the same rows.
 * None when nothing was timed (result files without latencies): absent, never zero.
 */
export function latencyRows(report: AnyReport): TableRow[] {
  const { baseline: b, candidate: c } = report.models;
  const { environment: env } = report;
  const fromFiles = resultSides(report) !== null;
  const rows: TableRow[] = [];
  for (const key of Object.keys(b.latency)) {
    const lb = b.latency[key];
    const lc = c.latency[key];
    if (!lc) continue;
    const threads = env.latencyThreads ?? env.threads;
    const where = fromFiles ? 'per sample, from the result files' : `batch ${lb.batch}, ${env.executionProvider.toUpperCase()}, ${threads} thread${threads === 1 ? '' : 's'}`;
    const change =
      lb.batch === 1 && report.comparison.latencyRatioP50 !== null && report.comparison.latencyRatioP50Ci95
        ? `${ratio(report.comparison.latencyRatioP50)} (${report.comparison.latencyRatioP50Ci95.map((v) => v.toFixed(2)).join('–')})`
        : ratio(lc.p50Ms / lb.p50Ms);
    rows.push([`p50 latency (${where})`, ms(lb.p50Ms), ms(lc.p50Ms), change]);
  }
  return rows;
}

function latencySection(report: AnyReport): ReportSection | null {
  const rows: string[][] = [];
  for (const role of ['baseline', 'candidate'] as const) {
    for (const s of Object.values(report.models[role].latency)) {
      rows.push([role, String(s.batch), ms(s.p50Ms), ms(s.p90Ms), ms(s.p99Ms), ms(s.minMs), `${s.throughputPerSec.toFixed(0)}/s`, count(s.runs)]);
    }
  }
  const table = markdownTable([['model', 'batch', 'p50', 'p90', 'p99', 'min', 'throughput', 'runs'], ...rows], {
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  });
  if (rows.length === 0) return null;
  return { title: 'Latency', markdown: `${table}\n\n${latencyMethodNote(report.comparison, Boolean(resultSides(report)))}`, detail: true };
}

function paramsRow(b: ModelReport<unknown>, c: ModelReport<unknown>): TableRow {
  return ['params · size', `${params(b.params)} · ${bytes(b.bytes)}`, `${params(c.params)} · ${bytes(c.bytes)}`, ''];
}

function signature(m: ModelReport<unknown>): string {
  const io = (list: ModelReport<unknown>['inputs']) => list.map((t) => `${t.name} ${t.type}[${t.dims.join(',')}]`).join('; ');
  return `${io(m.inputs)} → ${io(m.outputs)}`;
}

/** "Ultralytics: 10 names, imgsz 640×640, stride 32, task detect", or '–'. */
export function metadataSummary(m: ModelReport<unknown>): string {
  const meta = m.metadata;
  if (!meta) return '–';
  const parts = [
    meta.names ? `${meta.names.length} class names` : null,
    meta.imgsz ? `imgsz ${meta.imgsz[0]}×${meta.imgsz[1]}` : null,
    meta.stride !== null ? `stride ${meta.stride}` : null,
    meta.task ? `task ${meta.task}` : null,
  ].filter((p): p is string => p !== null);
  return `${meta.source === 'ultralytics' ? 'Ultralytics' : 'Hugging Face'}: ${parts.join(', ') || 'no keys model-gate reads'}`;
}

function factsSection(report: Report): ReportSection {
  const { baseline: b, candidate: c } = report.models;
  const metadataRow = b.metadata || c.metadata ? [['metadata', escapeMarkdown(metadataSummary(b)), escapeMarkdown(metadataSummary(c))]] : [];
  const rows = [
    ['file', code(b.label), code(c.label)],
    ['sha256', code(b.sha256), code(c.sha256)],
    ['size', `${bytes(b.bytes)} (${count(b.bytes)} B)`, `${bytes(c.bytes)} (${count(c.bytes)} B)`],
    ['parameters', count(b.params), count(c.params)],
    ['opset · IR', `${b.opset} · ${b.irVersion}`, `${c.opset} · ${c.irVersion}`],
    ['producer', escapeMarkdown(b.producer || '–'), escapeMarkdown(c.producer || '–')],
    ['signature', escapeMarkdown(signature(b)), escapeMarkdown(signature(c))],
    ...metadataRow,
  ];
  return { title: 'Model facts', markdown: markdownTable([['', 'baseline', 'candidate'], ...rows]), detail: true };
}

/** The compact accuracy-vs-latency chart (Mermaid renders in comments; no image host needed). */
function chartSection(report: AnyReport, task: Pick<ReportingTask<unknown, unknown>, 'primary'>): ReportSection | null {
  const points: { label: string; latencyMs: number; accuracy: number }[] = [];
  for (const role of ['baseline', 'candidate'] as const) {
    const m = report.models[role];
    if (m.latency.batch1) points.push({ label: role, latencyMs: m.latency.batch1.p50Ms, accuracy: task.primary.value(m.metrics) });
    const q = m.quantized;
    const qLatency = (q?.latency as Record<string, { p50Ms: number }> | null | undefined)?.batch1;
    if (q?.metrics && qLatency) points.push({ label: `${role} int8`, latencyMs: qLatency.p50Ms, accuracy: task.primary.value(q.metrics) });
  }
  if (points.length === 0) return null;
  return { title: `${task.primary.label} vs p50 latency`, markdown: accuracyLatencyChart(points, task.primary.label), detail: true };
}

function gatesBlock(report: AnyReport): string {
  const failed = report.gates.filter((g) => !g.passed);
  const neutral = report.gates.filter((g) => g.outcome === 'not-measurable');
  const status =
    failed.length === 0
      ? [`**Gates: ${neutral.length > 0 ? '⚠️' : '✅'} ${gatesPassedSummary(report.gates)}.**`, ...neutral.map((g) => `**⚠️ Gate ${code(g.name)}:** ${escapeMarkdown(g.line)}.`)].join('\n')
      : failed.map((g) => `**❌ Gate ${code(g.name)} failed:** ${escapeMarkdown(g.line)}.`).join('\n');
  const table = markdownTable([
    ['gate', 'limit', 'judged', 'result'],
    ...report.gates.map((g) => [code(g.name), escapeMarkdown(String(g.limit)), escapeMarkdown(g.line), gateResultLabel(g).text]),
  ]);
  return `${status}\n\n${table}`;
}

function footer(report: Report, comparisonNote: string): string {
  const { evalSet: e, environment: env } = report;
  const sha = e.sha256 ? ` sha256 \`${e.sha256.slice(0, 12)}…\`` : '';
  const ep = `${env.executionProvider.toUpperCase()} EP${env.executionProviderNote ? ` (${escapeMarkdown(env.executionProviderNote)})` : ''}`;
  const shards = shardsNote(report);
  return `Eval set ${code(basename(e.source))}${sha}, ${count(e.samples)} images${comparisonNote}${shards ? ` · ${escapeMarkdown(shards)}` : ''} · onnxruntime ${env.onnxruntime}, ${ep}, ${env.threads} thread${env.threads === 1 ? '' : 's'} · model-gate ${report.tool.version}`;
}

/**
 * What a reader must see before the tables: the task's notices (classes that look swapped) and
 * the run's warnings (the model's metadata against the config), as Markdown paragraphs. Warnings
 * are plain text from the report, so they are escaped.
 */
export function reportNotices<M, C>(report: AnyReport<M, C>, task: Pick<ReportingTask<M, C>, 'notices'>): string[] {
  const { baseline: b, candidate: c } = report.models;
  const fromTask = task.notices?.(b.metrics, c.metrics, report.comparison) ?? [];
  const fromRun = (report.warnings ?? []).map((w) => `**⚠️** ${escapeMarkdown(w)}`);
  return [...fromTask, ...fromRun];
}

function details(section: ReportSection): string {
  if (!section.detail) return `#### ${section.title}\n\n${section.markdown}`;
  return `<details><summary>${section.title}</summary>\n\n${section.markdown}\n\n</details>`;
}

export function renderMarkdown<M, C>(report: AnyReport<M, C>, task: ReportingTask<M, C>, options: RenderOptions = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const { baseline: b, candidate: c } = report.models;
  const sides = resultSides(report as AnyReport);
  const head =
    [
      ...(options.marker ? [`<!-- ${options.marker} -->`] : []),
      `### model-gate · ${escapeMarkdown(options.title ?? report.task)} · ${code(basename(b.label))} → ${code(basename(c.label))}`,
      // Recomputed rather than read from report.headline: the comment workflow re-renders reports
      // that came from an untrusted run, and every string in it must come from our own formatting.
      verdictLine(task, report.comparison, report.gates),
      ...(report.comparison.quantized?.rankFlip === true ? [`**⚠️ Rank flip after quantization:** the candidate wins in fp32 but not in int8, the model that ships.`] : []),
    ].join('\n') + (evalSetWarningMarkdown(report.evalSet.notes) ? `\n\n${evalSetWarningMarkdown(report.evalSet.notes)}` : '');
  const rows: TableRow[] = [
    ...task.tableRows(b.metrics, c.metrics, report.comparison),
    ...(int8Row(task, b.quantized, c.quantized) ? [int8Row(task, b.quantized, c.quantized) as TableRow] : []),
    ...latencyRows(report as AnyReport),
    sides ? resultFilesRow(sides) : paramsRow(b as ModelReport<M>, c as ModelReport<M>),
  ];
  const main = markdownTable([['', `baseline \`${shortSha(b.sha256)}\``, `candidate \`${shortSha(c.sha256)}\``, 'change'], ...rows.map((r) => [...r])], { align: ['l', 'r', 'r', 'r'] });
  const detectable = (report.comparison as { detectableDifference?: number }).detectableDifference;
  // Zero when nothing flipped (ψ = 0): the formula then says nothing, so no figure is given.
  const note = typeof detectable === 'number' && detectable > 0 ? ` · this eval set can detect differences ≥ ${(detectable * 100).toFixed(2)} pt` : '';
  const int8 = quantizationSection(task, report.models, report.comparison.quantized ?? null);
  const measured = [chartSection(report as AnyReport, task), latencySection(report as AnyReport)].filter((s): s is ReportSection => s !== null);
  const taskSections = task.sections(b.metrics, c.metrics, report.comparison).filter((s) => !s.htmlOnly);
  // Result sets have no model facts; their slice tables are the substance and come first.
  const sections = sides ? [...taskSections, ...measured, resultFilesSection(sides)] : [...(int8 ? [int8] : []), ...measured, factsSection(report as Report), ...taskSections];
  const closing = sides ? resultFilesFooter(report as AnyReport, sides) : footer(report as Report, note);
  const warnings = reportNotices(report, task);
  const assemble = (kept: ReportSection[], dropped: number) =>
    [
      head,
      ...(warnings.length > 0 ? [warnings.join('\n\n')] : []),
      main,
      gatesBlock(report as AnyReport),
      ...kept.map(details),
      ...(dropped > 0 ? [`_${dropped} detail section${dropped === 1 ? '' : 's'} left out to fit the comment limit; see the full report._`] : []),
      closing,
    ].join('\n\n') + '\n';
  // Drop detail sections from the end until it fits; the verdict, main table and gates always
  // stay, even past the limit (a caller fitting several reports asks for limit 0 to measure them).
  for (let keep = sections.length; keep > 0; keep--) {
    const text = assemble(sections.slice(0, keep), sections.length - keep);
    if (text.length <= limit) return text;
  }
  return assemble([], sections.length);
}
