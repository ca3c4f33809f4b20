/**
 * What reading the eval set warned about (report.evalSet.notes: an empty class folder, files it
 * ignored), shown under the verdict because it changes what the figures mean. The notes come from
 * the eval set's own file names, so they are escaped, shortened and counted out, never trusted to
 * be short: the block stays small enough to be part of the comment that is never cut.
 */
import { escapeMarkdown } from './format.js';

const SHOWN = 5;
const MAX_NOTE = 300;

const shorten = (note: string) => (note.length > MAX_NOTE ? `${note.slice(0, MAX_NOTE - 1)}…` : note);

/** The notes to show, and how many more there are. */
function shown(notes: readonly string[] | undefined): { lines: string[]; more: number } {
  const all = notes ?? [];
  return { lines: all.slice(0, SHOWN).map(shorten), more: Math.max(0, all.length - SHOWN) };
}

/** A GitHub alert block for the Markdown report, or '' when the eval set read cleanly. */
export function evalSetWarningMarkdown(notes: readonly string[] | undefined): string {
  const { lines, more } = shown(notes);
  if (lines.length === 0) return '';
  const rows = lines.map((line) => `> - ${escapeMarkdown(line)}`);
  if (more > 0) rows.push(`> - …and ${more} more (evalSet.notes in the report JSON)`);
  return ['> [!WARNING]', '> **The eval set is not what the figures may suggest:**', ...rows].join('\n');
}

/** The same notes for the HTML report, each line already HTML-escaped by `esc`. */
export function evalSetWarningHtml(notes: readonly string[] | undefined, esc: (text: string) => string): string {
  const { lines, more } = shown(notes);
  if (lines.length === 0) return '';
  const items = [...lines.map((line) => `<li>${esc(line)}</li>`), ...(more > 0 ? [`<li>…and ${more} more (evalSet.notes in the report JSON)</li>`] : [])];
  return `<section id="eval-notes"><p><strong>The eval set is not what the figures may suggest:</strong></p><ul>${items.join('')}</ul></section>`;
}
