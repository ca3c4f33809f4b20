/** Whether every fenced code block of a Markdown text is closed (CommonMark: same character, at least as long). */
export function fencesBalanced(text: string): boolean {
  let open: string | null = null;
  for (const line of text.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (!marker) continue;
    if (open === null) open = marker;
    else if (marker[0] === open[0] && marker.length >= open.length && line.trim() === marker) open = null;
  }
  return open === null;
}
