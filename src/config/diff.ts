/**
 * Which keys a PR changes in model-gate.yml. On a PR the base commit's config is the one that
 * judges (a PR must not loosen its own gate), so the comment lists what the PR would change
 * once merged.
 */
import { parse } from 'yaml';

type Tree = Record<string, unknown>;

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Tree)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
    return;
  }
  out.set(prefix, JSON.stringify(value));
}

function leaves(text: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (text === null) return out;
  try {
    flatten(parse(text) ?? {}, '', out);
  } catch {
    out.set('(unparseable)', text);
  }
  return out;
}

/** Dotted key paths whose value differs, sorted; arrays compare as one value. */
export function changedConfigKeys(baseText: string | null, headText: string | null): string[] {
  const base = leaves(baseText);
  const head = leaves(headText);
  const keys = new Set([...base.keys(), ...head.keys()]);
  return [...keys].filter((k) => base.get(k) !== head.get(k)).sort();
}
