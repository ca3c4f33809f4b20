/**
 * The one PR comment of an Action run (pure): a note when the PR changes the config, one section
 * per model compared, the notes and the link to the report artifact. It is also the job summary
 * and report.md.
 *
 * It always fits GitHub's limit, and what gives way is chosen, never cut at random: every model
 * first gets its verdict line, main table and gate table; the notes may then take up to half of
 * what is left; the models share the rest equally for their detail sections (dropped last first);
 * the notes then fill whatever room the details left and are cut if they still do not fit (a run
 * can carry megabytes of notes). Only when the models' verdicts and gate tables alone do not fit
 * (dozens of models) is the comment cut at its end, at one place: capComment.
 */
import type { RunReport } from '../contracts/run.js';
import type { ReportingTask } from '../contracts/task.js';
import { capComment, COMMENT_LIMIT, markerComment } from './comment-limit.js';
import { code, escapeMarkdown } from './format.js';
import { renderMarkdown } from './markdown.js';
import { textForGitHub } from './untrusted-text.js';

/** The task that made a report; the caller passes tasks/index.ts reportingTaskFor (report/ never picks a task itself). */
export type TaskOf = (name: string) => ReportingTask<unknown, unknown>;

/** The name in the hidden marker that finds this config's sticky comment again: one comment per config. */
export function markerName(configPath: string): string {
  return configPath.replace(/[^A-Za-z0-9._/-]/g, '_');
}

/** The job summary's one line for a run with nothing to compare. */
export function skippedSummary(run: RunReport): string {
  return `model-gate: no model listed in \`${run.configPath}\` changed; skipped.`;
}

/** Config keys come from the PR's own config: long ones are shortened so they cannot crowd out a verdict. */
const MAX_KEY_LENGTH = 80;
const MAX_KEYS = 20;
const SEPARATOR = '\n\n---\n\n';

function header(run: RunReport): string {
  if (run.configChangedKeys.length === 0) return '';
  const shown = run.configChangedKeys.slice(0, MAX_KEYS).map((key) => code(key.length > MAX_KEY_LENGTH ? `${key.slice(0, MAX_KEY_LENGTH - 1)}…` : key));
  const keys = shown.join(', ') + (run.configChangedKeys.length > MAX_KEYS ? ', …' : '');
  return `> [!NOTE]\n> This PR changes ${code(run.configPath)}: ${keys}. The base branch's config judged this run; the change applies once it is merged.`;
}

const join = (parts: readonly string[]) => parts.filter((part) => part !== '').join('\n\n');

/**
 * `runUrl` is the workflow run whose artifact holds the full report; it comes from the trusted
 * context (this run, or the workflow_run event), never from the report. `limit` is the whole
 * comment's, including the marker line the publisher puts on top (markerComment(markerName(…))).
 * `uploadFailure` is why the report artifact could not be uploaded: then the comment says so and
 * links to no artifact.
 */
export function composeComment(untrusted: RunReport, taskOf: TaskOf, runUrl: string | null = null, limit = COMMENT_LIMIT, uploadFailure: string | null = null): string {
  // No string of the run pings anyone or is long enough to push a verdict out (untrusted-text.ts).
  const run = textForGitHub(untrusted);
  const room = limit - markerComment(markerName(run.configPath)).length - 1;
  const top = header(run);
  const pages = run.comparisons.map((c) => code(`${c.name}.html`)).join(', ');
  const artifactLine =
    run.comparisons.length === 0
      ? ''
      : uploadFailure !== null
        ? `The full report (${pages}, report.json) could not be uploaded as artifact \`model-gate-report\`: ${escapeMarkdown(uploadFailure)}.`
        : `Full report with the gallery of flipped images: ${runUrl ? `[artifact \`model-gate-report\`](${runUrl})` : 'artifact `model-gate-report`'} (${pages}).`;
  const notes = run.notes.map((n) => `- ${escapeMarkdown(n)}`).join('\n');
  const render = (limitOfEach: (essential: number) => number) =>
    run.comparisons.map(({ name, report }) => {
      const task = taskOf(report.task);
      const essential = renderMarkdown(report, task, { title: name, limit: 0 }).trim().length;
      return renderMarkdown(report, task, { title: name, limit: limitOfEach(essential) }).trim();
    });
  const assemble = (sections: readonly string[], notesText: string) => {
    const body = sections.length > 0 ? sections.join(SEPARATOR) : run.verdict === 'skipped' ? `**model-gate:** no model listed in ${code(run.configPath)} changed; nothing to compare.` : '';
    return join([top, body, notesText, artifactLine]);
  };

  // Verdicts, main tables and gates first; what is left goes to details and notes.
  const essentials = assemble(
    render(() => 0),
    '',
  );
  const left = Math.max(0, room - essentials.length - 2);
  const detailRoom = left - Math.min(notes.length, Math.floor(left / 2));
  const share = Math.floor(detailRoom / Math.max(1, run.comparisons.length));
  const sections = render((essential) => essential + share);
  const withoutNotes = assemble(sections, '');
  const notesRoom = room - withoutNotes.length - 2;
  const fittedNotes = notes.length <= notesRoom ? notes : notesRoom > 200 ? capComment(notes, notesRoom).trimEnd() : '';
  const body = assemble(sections, fittedNotes);
  return `${body.length <= room ? body : capComment(body, room).trimEnd()}\n`;
}
