/**
 * GitHub's size limit for a comment or issue body, the hidden marker line that finds a sticky
 * comment again, and the one function that cuts Markdown to a size (pure).
 *
 * Renderers fit their text by leaving whole blocks out, least important first (detail sections,
 * then notes), so the verdict line and the gate table always stay; capComment is what cuts when
 * something must still give, and it never leaves a code fence or a <details> open.
 */

/** GitHub refuses a comment, issue or pull request body longer than this (in characters). */
export const COMMENT_LIMIT = 65_536;

/** The hidden marker; the name loses `--`, `<` and `>` so it cannot end the HTML comment early. */
export function markerComment(marker: string): string {
  const safe =
    marker
      .replace(/[<>\r\n]/g, '')
      .replace(/-{2,}/g, '-')
      .trim() || 'default';
  return `<!-- model-gate:${safe} -->`;
}

const NOTICE = "\n\n_… comment cut to fit GitHub's size limit; the full report is in the report artifact._\n";
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** What must be appended after `text` to close the fence and the <details> blocks it leaves open. */
function closers(text: string): string {
  let fence: string | null = null;
  let details = 0;
  for (const line of text.split('\n')) {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== null) {
      // A closing fence: the same character, at least as long, nothing after it.
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      continue;
    }
    if (marker) fence = marker;
    else details += (line.match(/<details\b/gi)?.length ?? 0) - (line.match(/<\/details>/gi)?.length ?? 0);
  }
  return `${fence === null ? '' : `\n${fence}`}${'\n</details>'.repeat(Math.max(0, details))}`;
}

/**
 * `body` when it fits `limit`; otherwise its longest start that fits with a notice saying it was
 * cut. The cut is at a line end when one is in the second half of the room (mid-line only for a
 * giant line), never between the two halves of a surrogate pair, and an open code fence and open
 * <details> are closed, so the notice and anything after the comment render as text.
 */
export function capComment(body: string, limit = COMMENT_LIMIT): string {
  if (body.length <= limit) return body;
  const notice = NOTICE.length * 2 < limit ? NOTICE : '';
  let room = limit - notice.length;
  for (;;) {
    let cut = Math.max(room, 0);
    const lineEnd = body.lastIndexOf('\n', cut - 1);
    if (lineEnd >= cut / 2) cut = lineEnd;
    const code = body.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // do not split a surrogate pair
    const kept = body.slice(0, cut);
    const text = kept + closers(kept);
    if (text.length + notice.length <= limit || cut === 0) return (text + notice).slice(0, limit);
    // The closers did not fit: cut again, shorter by what they need.
    room = cut - (text.length - kept.length);
  }
}
