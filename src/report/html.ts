/**
 * Renders a report as one self-contained HTML file (pure: data in, one string out), the Action's
 * artifact: the verdict, every table of the Markdown comment in full, the history charts and the
 * regression gallery. It makes no request: CSS is inline, charts are inline SVG, images are
 * data: URLs, there is no script, and a Content-Security-Policy forbids loading anything else.
 * Every string from the report (labels, paths, class names, gate lines) is escaped.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Gallery } from '../contracts/gallery.js';
import type { HistoryChart } from '../contracts/history.js';
import { isResultSet, type AnyReport, type GateResult, type ModelReport, type Report, type ResultSetReport } from '../contracts/report.js';
import type { ReportingTask, TableRow } from '../contracts/task.js';
import { evalSetWarningHtml } from './eval-notes.js';
import { bytes, count, ms, params } from './format.js';
import { renderLineChart } from './html-chart.js';
import { renderGallery } from './html-gallery.js';
import { HTML_STYLE } from './html-style.js';
import { escapeHtml as esc, inlineMarkdown, markdownToHtml } from './html-text.js';
import { gateResultLabel, gatesPassedSummary, latencyMethodNote, shardsNote } from './latency-text.js';
import { latencyRows, metadataSummary, reportNotices } from './markdown.js';
import { int8Row, quantizationSection } from './quantization.js';
import { resultFilesRow, resultFilesSection } from './result-files.js';
import { gateVerdict, verdictLine } from './verdict.js';

export interface HtmlReportInput {
  readonly report: AnyReport;
  /** The task that made the report (tasks/index.ts reportingTaskFor(report.task)). */
  readonly task: ReportingTask<unknown, unknown>;
  /** Shown after "model-gate ·", e.g. the config's name or the task. */
  readonly title: string;
  readonly gallery: Gallery | null;
  /** One chart per metric (top-1, p50 latency, ...), nights oldest first. */
  readonly history?: readonly HistoryChart[];
}

type AnyTask = ReportingTask<unknown, unknown>;

function resultSides(report: AnyReport): { baseline: ResultSetReport<unknown>; candidate: ResultSetReport<unknown> } | null {
  const { baseline, candidate } = report.models;
  return isResultSet(baseline) && isResultSet(candidate) ? { baseline, candidate } : null;
}

function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[], rowClass?: (i: number) => string): string {
  const cell = (tag: 'th' | 'td', html: string, k: number) => `<${tag}${numeric[k] ? ' class="num"' : ''}>${html}</${tag}>`;
  const body = rows.map((r, i) => `<tr${rowClass?.(i) ? ` class="${rowClass(i)}"` : ''}>${r.map((h, k) => cell('td', h, k)).join('')}</tr>`);
  return `<table>\n<thead><tr>${head.map((h, k) => cell('th', h, k)).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** The verdict's colour and badge follow the gates, as its icon does: green pass, red fail, amber not measurable. */
const BADGE = { pass: 'PASS', fail: 'FAIL', 'not-measurable': 'PASS · NOT MEASURABLE' } as const;

function verdictBlock(report: AnyReport, task: AnyTask): string {
  const verdict = gateVerdict(report.gates);
  // Recomputed from the comparison and the gates, as the Markdown does: report.headline is not trusted text.
  const headline = inlineMarkdown(verdictLine(task, report.comparison, report.gates));
  const failed = report.gates.filter((g) => !g.passed);
  const badge = `<span class="badge ${verdict.kind}">${BADGE[verdict.kind]}</span>`;
  const gates =
    failed.length === 0 ? `${badge} gates: ${esc(gatesPassedSummary(report.gates))}` : `${badge} ${failed.map((g) => `gate <code>${esc(g.name)}</code> failed: ${esc(g.line)}`).join('; ')}`;
  const rankFlip =
    report.comparison.quantized?.rankFlip === true ? '<p><strong>⚠️ Rank flip after quantization:</strong> the candidate wins in fp32 but not in int8, the model that ships.</p>' : '';
  const notices = reportNotices(report, task)
    .map((n) => `<p class="notice">${inlineMarkdown(n)}</p>\n`)
    .join('');
  return `<section class="verdict ${verdict.kind}" id="verdict">\n<p class="headline">${headline}</p>\n${rankFlip}${notices}<p class="gates-status">${gates}</p>\n</section>`;
}

function summaryTable(report: AnyReport, task: AnyTask): string {
  const { baseline: b, candidate: c } = report.models;
  const int8 = int8Row(task, b.quantized, c.quantized);
  const sides = resultSides(report);
  const onnx = report as Report;
  const rows: TableRow[] = [
    ...task.tableRows(b.metrics, c.metrics, report.comparison),
    ...(int8 ? [int8 as TableRow] : []),
    ...latencyRows(report),
    sides ? resultFilesRow(sides) : ['params · size', `${params(onnx.models.baseline.params)} · ${bytes(b.bytes)}`, `${params(onnx.models.candidate.params)} · ${bytes(c.bytes)}`, ''],
  ];
  const head = ['', `baseline <code>${esc(b.sha256.slice(0, 7))}</code>`, `candidate <code>${esc(c.sha256.slice(0, 7))}</code>`, 'change'];
  return table(
    head,
    rows.map((r) => r.map(inlineMarkdown)),
    [false, true, true, true],
  );
}

function gatesTable(report: AnyReport): string {
  const cell = (g: GateResult) => {
    const { text, kind } = gateResultLabel(g);
    return `<span class="${kind === 'pass' ? 'ok' : kind === 'fail' ? 'bad' : 'warn'}">${esc(text)}</span>`;
  };
  const rows = report.gates.map((g) => [`<code>${esc(g.name)}</code>`, esc(String(g.limit)), esc(g.line), cell(g)]);
  return table(['gate', 'limit', 'judged', 'result'], rows, [false, true, false, false], (i) => (report.gates[i].passed ? '' : 'fail'));
}

function latencyTable(report: AnyReport): string {
  const rows: string[][] = [];
  for (const role of ['baseline', 'candidate'] as const) {
    for (const s of Object.values(report.models[role].latency)) {
      rows.push([role, String(s.batch), ms(s.p50Ms), ms(s.p90Ms), ms(s.p99Ms), ms(s.minMs), `${s.throughputPerSec.toFixed(0)}/s`, count(s.runs)].map(esc));
    }
  }
  const shards = shardsNote(report);
  const note = esc(`${latencyMethodNote(report.comparison, false)}${shards ? ` This comparison was ${shards}.` : ''}`);
  return `${table(['model', 'batch', 'p50', 'p90', 'p99', 'min', 'throughput', 'runs'], rows, [false, true, true, true, true, true, true, true])}\n<p class="muted">${note}</p>`;
}

function factsTable(report: Report): string {
  const { baseline: b, candidate: c } = report.models;
  const io = (list: ModelReport<unknown>['inputs']) => list.map((t) => `${t.name} ${t.type}[${t.dims.join(',')}]`).join('; ');
  const facts: [string, (m: ModelReport<unknown>) => string][] = [
    ['file', (m) => `<code>${esc(m.label)}</code>`],
    ['sha256', (m) => `<code>${esc(m.sha256)}</code>`],
    ['size', (m) => esc(`${bytes(m.bytes)} (${count(m.bytes)} B)`)],
    ['parameters', (m) => esc(count(m.params))],
    ['opset · IR', (m) => esc(`${m.opset} · ${m.irVersion}`)],
    ['producer', (m) => esc(m.producer || '–')],
    ['execution provider', (m) => esc(m.executionProvider)],
    ['inputs', (m) => esc(io(m.inputs))],
    ['outputs', (m) => esc(io(m.outputs))],
    ...(b.metadata || c.metadata ? [['metadata', (m: ModelReport<unknown>) => esc(metadataSummary(m))] as [string, (m: ModelReport<unknown>) => string]] : []),
  ];
  return table(
    ['', 'baseline', 'candidate'],
    facts.map(([name, f]) => [esc(name), f(b), f(c)]),
    [false, false, false],
  );
}

function environmentTable(report: AnyReport): string {
  const { evalSet: e, environment: env } = report;
  if (resultSides(report)) {
    const rows: [string, string][] = [
      ['paired samples', count(e.samples)],
      ['model run', 'none (task: results compares result files)'],
      ['node', env.node],
      ['platform · cpu', `${env.platform} · ${env.cpu}`],
    ];
    return table(
      ['', ''],
      rows.map(([k, v]) => [esc(k), esc(v)]),
      [false, false],
    );
  }
  const rows: [string, string][] = [
    ['eval set', `${e.source} (${count(e.samples)} samples${e.fromCache ? ', from cache' : ''})`],
    ['eval set sha256', e.sha256 ?? '–'],
    ['execution provider', `${env.executionProvider.toUpperCase()}${env.executionProviderNote ? ` (${env.executionProviderNote})` : ''}`],
    ['threads', String(env.threads)],
    ...(env.latencyThreads !== undefined ? [['latency threads', String(env.latencyThreads)] as [string, string]] : []),
    ['onnxruntime · node', `${env.onnxruntime} · ${env.node}`],
    ['platform · cpu', `${env.platform} · ${env.cpu}`],
    ...Object.entries(report.preprocess).map(([key, value]): [string, string] => [`preprocess.${key}`, JSON.stringify(value) ?? '–']),
  ];
  return table(
    ['', ''],
    rows.map(([k, v]) => [esc(k), esc(v)]),
    [false, false],
  );
}

/** Model facts, or for task: results the result files. */
function factsDetails(report: AnyReport): string {
  const sides = resultSides(report);
  if (!sides) return details('Model facts', factsTable(report as Report), true);
  const files = resultFilesSection(sides);
  return details(files.title, markdownToHtml(files.markdown), true);
}

const section = (id: string, title: string, html: string) => `<section id="${id}">\n<h2>${esc(title)}</h2>\n${html}\n</section>`;
const details = (title: string, html: string, open = false) => `<details${open ? ' open' : ''}><summary>${esc(title)}</summary>\n${html}\n</details>`;

export function renderHtmlReport(input: HtmlReportInput): string {
  const { report, gallery, history } = input;
  const task = input.task as AnyTask;
  if (task.name !== report.task) throw new Error(`a report of task '${report.task}' cannot be rendered as task '${task.name}'`);
  const { baseline: b, candidate: c } = report.models;
  const int8 = quantizationSection(task, report.models, report.comparison.quantized ?? null);
  const taskSections = task.sections(b.metrics, c.metrics, report.comparison);
  const charts = history && history.length > 0 ? section('history', 'History', history.map(renderLineChart).join('\n')) : '';
  const nav = [
    ['summary', 'Summary'],
    ['gates', 'Gates'],
    ...(int8 ? [['int8', 'int8']] : []),
    ...(gallery ? [['gallery', 'Gallery']] : []),
    ...(charts ? [['history', 'History']] : []),
    ['details', 'Details'],
  ]
    .map(([id, name]) => `<a href="#${id}">${name}</a>`)
    .join('');
  const title = `model-gate · ${input.title} · ${basename(b.label)} → ${basename(c.label)}`;
  const body = [
    `<header>\n<h1>model-gate · ${esc(input.title)}</h1>\n<p class="muted"><code>${esc(b.label)}</code> → <code>${esc(c.label)}</code> · ${esc(count(report.evalSet.samples))} ${resultSides(report) ? 'paired samples' : 'eval samples'} · ${esc(report.generatedAt)}</p>\n</header>`,
    verdictBlock(report, task),
    evalSetWarningHtml(report.evalSet.notes, esc),
    `<nav>${nav}</nav>`,
    section('summary', 'Summary', summaryTable(report, task)),
    section('gates', 'Gates', gatesTable(report)),
    int8 ? section('int8', int8.title, markdownToHtml(int8.markdown)) : '',
    gallery ? renderGallery(gallery) : '',
    charts,
    section(
      'details',
      'Details',
      [
        ...taskSections.map((s) => details(s.title, `${markdownToHtml(s.full ?? s.markdown)}${s.figures ? `\n${s.figures}` : ''}`, true)),
        ...(Object.keys(report.models.baseline.latency).length > 0 ? [details('Latency', latencyTable(report), true)] : []),
        factsDetails(report),
        details('Run environment', environmentTable(report)),
      ].join('\n'),
    ),
    `<footer>model-gate ${esc(report.tool.version)} · report schema ${esc(String(report.schemaVersion))} · generated ${esc(report.generatedAt)}</footer>`,
  ].filter((part) => part !== '');
  // The stylesheet is allowed by its hash, so not even an injected style attribute would apply.
  const styleHash = createHash('sha256').update(HTML_STYLE).digest('base64');
  const csp = `default-src 'none'; img-src data:; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // An empty icon, so a browser does not ask a server for /favicon.ico.
    '<link rel="icon" href="data:,">',
    `<title>${esc(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
