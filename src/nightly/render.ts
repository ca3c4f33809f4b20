/**
 * The nightly run in Markdown (pure): the verdict, each finding, tonight's figures per model, and
 * Mermaid trend charts of the last 30 nights (GitHub renders Mermaid; no image host needed).
 * Used for the job summary and the tracking issue, so it fits GitHub's limit: charts are left out
 * (last first) before anything else.
 */
import { markdownTable } from 'markdown-table';
import { DEFAULT_MIN_POINTS, latencyWindow } from '../history/drift.js';
import { COMMENT_LIMIT, markerComment } from '../report/comment-limit.js';
import { code, escapeMarkdown, ms, percent } from '../report/format.js';
import { historyTrendCharts } from '../report/mermaid.js';
import { markerName } from '../report/run-comment.js';
import type { NightlyReport } from './run.js';

export const TRACKING_LABEL = 'model-gate-regression';

/** Room the tracking issue adds around the text: its marker line, or the closing comment's first line. */
const ISSUE_PREFACE = 80;

/** `limit` is the whole issue body's, including the marker line syncTrackingIssue puts on top. */
export function renderNightly(report: NightlyReport, configPath: string, limit = COMMENT_LIMIT): string {
  const room = limit - Math.max(markerComment(markerName(configPath)).length + 1, ISSUE_PREFACE);
  const night = report.records[0]?.timestamp.slice(0, 10) ?? '';
  const commit = report.records[0]?.commit.slice(0, 7) ?? '';
  // A clean night only claims the checks that had something to compare against (not on a first night).
  const names = (list: readonly { model: { name: string } }[]) => list.map((r) => code(r.model.name)).join(', ');
  const noAccuracyBaseline = report.records.filter((r) => r.evalSha256 === null || !report.history.some((h) => h.model.sha256 === r.model.sha256 && h.evalSha256 === r.evalSha256));
  const noLatencyBaseline = report.records.filter((r) => latencyWindow(report.history, r).length < DEFAULT_MIN_POINTS);
  const clean = [
    noAccuracyBaseline.length === 0
      ? 'Accuracy is identical to the last night with the same model and eval set'
      : `Accuracy not compared for ${names(noAccuracyBaseline)}: no earlier night with the same model and eval set`,
    noLatencyBaseline.length === 0
      ? 'p50 latency is within its usual range.'
      : `p50 latency not judged for ${names(noLatencyBaseline)}: fewer than ${DEFAULT_MIN_POINTS} comparable nights so far.`,
  ].join(noAccuracyBaseline.length === 0 && noLatencyBaseline.length === 0 ? ', and ' : '; ');
  const status =
    report.findings.length === 0
      ? `**✅ No drift or regression.** ${clean}`
      : `**❌ ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}:**\n\n${report.findings.map((f) => `- ${escapeMarkdown(f.message)}`).join('\n')}`;
  const rows = report.records.map((r) => [
    code(r.model.name),
    percent(r.metrics.top1),
    r.quantized ? percent(r.quantized.metrics.top1) : '–',
    ms(r.latency.batch1.p50Ms),
    ms(r.latency.batch1.p90Ms),
    `${r.executionProvider.toUpperCase()}${r.runner.gpu ? ` · ${escapeMarkdown(r.runner.gpu)}` : ''}`,
  ]);
  const table = markdownTable([['model', 'top-1', 'int8 top-1', 'p50 (batch 1)', 'p90', 'provider'], ...rows], { align: ['l', 'r', 'r', 'r', 'r', 'l'] });
  const all = [...report.history, ...report.records];
  const charts = report.records.map((r) => `<details><summary>${escapeMarkdown(r.model.name)}: last 30 nights</summary>\n\n${historyTrendCharts(all, r.model.name, 30)}\n\n</details>`);
  const assemble = (kept: readonly string[]) => {
    const left = charts.length - kept.length;
    const note = left > 0 ? [`_${left} chart${left === 1 ? '' : 's'} left out to fit the comment limit; the history file has every night._`] : [];
    return [`### model-gate nightly · ${night} · commit \`${commit}\` · ${code(configPath)}`, status, table, ...kept, ...note].join('\n\n') + '\n';
  };
  for (let keep = charts.length; keep > 0; keep--) {
    const text = assemble(charts.slice(0, keep));
    if (text.length <= room) return text;
  }
  return assemble([]);
}
