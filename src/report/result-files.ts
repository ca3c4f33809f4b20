/**
 * The parts of the Markdown report that describe what was compared when it is not two ONNX
 * models but two result sets (task: results): the main table's files row, the "Result files"
 * detail section, and the footer (pure).
 */
import { markdownTable } from 'markdown-table';
import type { ReportSection, TableRow } from '../contracts/task.js';
import { bytes, code, count, escapeMarkdown } from './format.js';
import type { AnyReport, ResultSetReport } from '../contracts/report.js';

type Sides = { readonly baseline: ResultSetReport<unknown>; readonly candidate: ResultSetReport<unknown> };

const fileCount = (m: ResultSetReport<unknown>) => `${count(m.files.length)} file${m.files.length === 1 ? '' : 's'}`;

export function resultFilesRow({ baseline: b, candidate: c }: Sides): TableRow {
  return ['result files · size', `${fileCount(b)} · ${bytes(b.bytes)}`, `${fileCount(c)} · ${bytes(c.bytes)}`, ''];
}

/** Tasks and filters of lm-evaluation-harness files, or the file names. */
function contents(m: ResultSetReport<unknown>): string {
  const tasks = m.files.map((f) => f.task).filter((t): t is string => t !== null);
  const shown = (list: string[]) =>
    list
      .slice(0, 12)
      .map((t) => escapeMarkdown(t))
      .join(', ') + (list.length > 12 ? `, … (${list.length - 12} more)` : '');
  return tasks.length > 0 ? `tasks ${shown(tasks)}` : shown(m.files.map((f) => f.name));
}

export function resultFilesSection({ baseline: b, candidate: c }: Sides): ReportSection {
  const variants = (m: ResultSetReport<unknown>) => [...new Set(m.files.map((f) => f.variant))].map(escapeMarkdown).join('; ');
  const filters = (m: ResultSetReport<unknown>) => {
    const list = [...new Set(m.files.map((f) => f.filter).filter((f): f is string => f !== null))];
    return list.length > 0 ? list.map(code).join(', ') : '–';
  };
  const rows = [
    ['path', code(b.label), code(c.label)],
    ['set sha256', code(b.sha256), code(c.sha256)],
    ['format', variants(b), variants(c)],
    ['metric', code(b.metric), code(c.metric)],
    ['filter', filters(b), filters(c)],
    ['records read', count(b.records), count(c.records)],
    ['contents', contents(b), contents(c)],
  ];
  const note = 'The set sha256 is the sha256 of the files\' "<sha256>  <name>" lines sorted by name; report.json lists every file with its own sha256.';
  return { title: 'Result files', markdown: `${markdownTable([['', 'baseline', 'candidate'], ...rows])}\n\n${note}`, detail: true };
}

export function resultFilesFooter(report: AnyReport, sides: Sides): string {
  const c = report.comparison as { dropped?: { baselineOnly: number; candidateOnly: number }; detectableDifference?: number | null };
  // Zero when nothing flipped (ψ = 0): the formula then says nothing, so no figure is given.
  const detectable =
    typeof c.detectableDifference === 'number' && c.detectableDifference > 0 ? ` · these results can detect differences ≥ ${(c.detectableDifference * 100).toFixed(2)} pt` : '';
  const dropped = c.dropped ? c.dropped.baselineOnly + c.dropped.candidateOnly : 0;
  const variants = [...new Set([...sides.baseline.files, ...sides.candidate.files].map((f) => f.variant))].map(escapeMarkdown).join('; ');
  const left = dropped > 0 ? ` (${count(dropped)} in one set only, left out)` : '';
  return `Result files: ${variants}, metric ${code(sides.baseline.metric)} · ${count(report.evalSet.samples)} paired samples${left}${detectable} · no model run by model-gate · model-gate ${report.tool.version}`;
}
