/**
 * The one PR comment of a run (pure): a note when the PR changes the config,
 * one section per model, and notes. Each model's section gets an equal share of GitHub's 65,536
 * characters, and drops its own detail tables first, so the verdict lines always survive.
 */
import { COMMENT_LIMIT, renderMarkdown } from '../report/markdown.js';
import { code, escapeMarkdown } from '../report/format.js';
import type { TaskName } from '../config/types.js';
import { reportingTaskFor } from '../tasks/index.js';
import type { RunReport } from './run-report.js';

/** The name in the hidden marker that finds this config's sticky comment again: one comment per config. */
export function markerName(configPath: string): string {
  return configPath.replace(/[^A-Za-z0-9._/-]/g, '_');
}

function header(run: RunReport): string[] {
  const lines: string[] = [];
  if (run.configChangedKeys.length > 0) {
    const keys = run.configChangedKeys.slice(0, 20).map(code).join(', ') + (run.configChangedKeys.length > 20 ? ', …' : '');
    lines.push(
      `> [!NOTE]\n> This PR changes ${code(run.configPath)}: ${keys}. The base branch's config judged this run; the change applies once it is merged.`,
    );
  }
  return lines;
}

/**
 * `runUrl` is the workflow run whose artifact holds the full report; it comes from the trusted
 * context (this run, or the workflow_run event), never from the report.
 */
export function composeComment(run: RunReport, runUrl: string | null = null, limit = COMMENT_LIMIT): string {
  const top = header(run).join('\n\n');
  const artifactLine = run.comparisons.length > 0
    ? [`Full report with the gallery of flipped images: ${runUrl ? `[artifact \`model-gate-report\`](${runUrl})` : 'artifact `model-gate-report`'} (${run.comparisons.map((c) => code(`${c.name}.html`)).join(', ')}).`]
    : [];
  const notes = [run.notes.map((n) => `- ${escapeMarkdown(n)}`).join('\n'), ...artifactLine].filter((part) => part !== '').join('\n\n');
  // Room for the marker line the publisher adds, the separators and the notes.
  const reserve = top.length + notes.length + 300;
  const share = Math.floor((limit - reserve) / Math.max(1, run.comparisons.length));
  const sections = run.comparisons.map(({ name, report }) =>
    renderMarkdown(report, reportingTaskFor(report.task as TaskName), { title: name, limit: share }).trim(),
  );
  if (sections.length === 0 && run.verdict === 'skipped') sections.push(`**model-gate:** no model listed in ${code(run.configPath)} changed; nothing to compare.`);
  const body = [top, sections.join('\n\n---\n\n'), notes].filter((part) => part !== '').join('\n\n');
  return body.length <= limit ? `${body}\n` : `${body.slice(0, limit - 40)}\n\n_(truncated to fit)_\n`;
}

/** The job summary's one line for a run with nothing to compare. */
export function skippedSummary(run: RunReport): string {
  return `model-gate: no model listed in \`${run.configPath}\` changed; skipped.`;
}
