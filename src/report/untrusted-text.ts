/**
 * Text that reaches GitHub but that model-gate did not write: file names and labels, class names,
 * notes, config keys, and in the comment workflow a whole report uploaded by a fork's run. Two
 * things must not happen with it:
 * - it pings people: `@acme/admins` in a class name would notify a team. A zero-width space after
 *   the `@` (what Dependabot does in the release notes it quotes) keeps the text readable and
 *   links nobody;
 * - one string crowds out the verdict: a 9 MB label sits in the heading above the verdict line,
 *   where the comment's size rules (run-comment.ts) cannot give it up. No string is longer than
 *   MAX_TEXT here.
 */

/** Longer than any label, note, gate line or class name model-gate itself writes. */
export const MAX_TEXT = 1000;

const ZERO_WIDTH_SPACE = '\u200b';

/** `@name` and `@org/team` become `@\u200bname`: the same text, and no mention. */
export function neutraliseMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9-])/g, `@${ZERO_WIDTH_SPACE}`);
}

/** neutraliseMentions everywhere but in `keep` (a hidden marker that must stay as it is to be found again). */
export function neutraliseMentionsAround(text: string, keep: string): string {
  return text.split(keep).map(neutraliseMentions).join(keep);
}

/** At most `max` characters, with an ellipsis when cut, never between the halves of a surrogate pair. */
export function shortenText(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * A copy of `value` (a report, a run report) in which every string, keys included, is shortened
 * and has its mentions neutralised, ready to be rendered for GitHub. Numbers, booleans and the
 * shape are kept, so the renderers read it as they read the original.
 */
export function textForGitHub<T>(value: T): T {
  const clean = (text: string) => neutraliseMentions(shortenText(text));
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return clean(node);
    if (Array.isArray(node)) return node.map(visit);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([key, inner]) => [clean(key), visit(inner)]));
    }
    return node;
  };
  return visit(value) as T;
}
