/**
 * "Did you mean …" for a misspelled config key, enum value or command-line flag (pure): the
 * closest known name by edit distance (optimal string alignment: insertions, deletions,
 * substitutions and swaps of two neighbours, case-blind), when it is close enough to be a typo.
 */

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[s.length][t.length];
}

/**
 * The known name `word` most likely meant, or null. A typo is at most a third of the word's
 * letters away (at least 1, at most 3); a word that is the start of exactly one name (batch →
 * batch-size) counts too.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  if (word === '' || candidates.length === 0) return null;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) ((best = candidate), (bestDistance = d));
  }
  if (best !== null && bestDistance <= limit && bestDistance < word.length) return best;
  const prefixed = candidates.filter((c) => word.length >= 3 && c.toLowerCase().startsWith(word.toLowerCase()));
  return prefixed.length === 1 ? prefixed[0] : null;
}

/** "; did you mean X?" or "". */
export function didYouMean(word: string, candidates: readonly string[], show: (name: string) => string = (name) => name): string {
  const match = closest(word, candidates);
  return match === null ? '' : `; did you mean ${show(match)}?`;
}
