/**
 * Text helpers for the HTML report (pure): HTML escaping, the data: URL check that keeps the
 * report free of network requests, and a converter for the small Markdown subset our own report
 * code emits (tables from markdown-table, paragraphs, **bold**, `code`, backslash escapes). The
 * tasks and the int8 section render their detail sections as Markdown; converting that subset
 * keeps one source of truth for what those sections say, in both the comment and the HTML.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element or a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

/**
 * Only base64 raster images may become an <img src>: anything else (http:, javascript:, SVG that
 * could fetch, a file path) would break the no-network promise or run code, so it is refused.
 */
const SAFE_IMAGE_URL = /^data:image\/(?:png|webp|jpeg|gif);base64,[A-Za-z0-9+/]+={0,2}$/;

export function isSafeImageDataUrl(url: string): boolean {
  return SAFE_IMAGE_URL.test(url);
}

/** What code() in format.ts writes for text with a pipe or a backtick: no markup inside but character references. */
const CODE_ELEMENT = /^<code>(?:[^<>&]|&#\d{1,7};)*<\/code>/;

/** The characters escapeMarkdown() in format.ts puts a backslash before. */
const MARKDOWN_ESCAPABLE = '\\`*_[]<>|';

/**
 * Inline Markdown of our own making → HTML. Everything that is not markup is escaped, so text
 * that came from a user (class names, paths) can never become a tag.
 */
export function inlineMarkdown(text: string): string {
  let html = '';
  let bold = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length && MARKDOWN_ESCAPABLE.includes(text[i + 1])) {
      html += escapeHtml(text[i + 1]);
      i += 2;
    } else if (ch === '`') {
      // A code span closes at the next run of exactly as many backticks (CommonMark).
      const fence = /^`+/.exec(text.slice(i))![0];
      const close = findFence(text, i + fence.length, fence.length);
      if (close < 0) {
        html += escapeHtml(fence);
        i += fence.length;
      } else {
        html += `<code>${escapeHtml(text.slice(i + fence.length, close))}</code>`;
        i = close + fence.length;
      }
    } else if (text.startsWith('<code>', i) && CODE_ELEMENT.test(text.slice(i))) {
      // format.ts code() for text with a pipe or backtick: only character references inside.
      const element = CODE_ELEMENT.exec(text.slice(i))![0];
      html += element;
      i += element.length;
    } else if (text.startsWith('**', i)) {
      html += bold ? '</strong>' : '<strong>';
      bold = !bold;
      i += 2;
    } else {
      html += escapeHtml(ch);
      i++;
    }
  }
  return bold ? `${html}</strong>` : html;
}

function findFence(text: string, from: number, length: number): number {
  const pattern = new RegExp(`(?<!\`)\`{${length}}(?!\`)`, 'g');
  pattern.lastIndex = from;
  const match = pattern.exec(text);
  return match ? match.index : -1;
}

/** Splits a Markdown table row into cells: unescaped pipes outside code spans separate them. */
export function splitTableRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\' && i + 1 < body.length) {
      cell += ch + body[i + 1];
      i++;
    } else if (ch === '`') {
      const fence = /^`+/.exec(body.slice(i))![0];
      const close = findFence(body, i + fence.length, fence.length);
      const end = close < 0 ? i + fence.length : close + fence.length;
      cell += body.slice(i, end);
      i = end - 1;
    } else if (ch === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

const DELIMITER_ROW = /^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$/;

function tableToHtml(lines: string[]): string {
  const align = splitTableRow(lines[1]).map((c) => (c.endsWith(':') ? (c.startsWith(':') ? 'center' : 'num') : ''));
  const row = (cells: string[], tag: 'th' | 'td') => `<tr>${cells.map((c, k) => `<${tag}${align[k] === 'num' ? ' class="num"' : ''}>${inlineMarkdown(c)}</${tag}>`).join('')}</tr>`;
  const head = row(splitTableRow(lines[0]), 'th');
  const body = lines
    .slice(2)
    .map((l) => row(splitTableRow(l), 'td'))
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Blocks separated by blank lines: a table when its second line is a delimiter row, else a paragraph. */
export function markdownToHtml(markdown: string): string {
  return markdown
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').filter((l) => l.trim() !== ''))
    .filter((lines) => lines.length > 0)
    .map((lines) => (lines.length >= 2 && lines[0].trim().startsWith('|') && DELIMITER_ROW.test(lines[1].trim()) ? tableToHtml(lines) : `<p>${lines.map(inlineMarkdown).join('<br>')}</p>`))
    .join('\n');
}
