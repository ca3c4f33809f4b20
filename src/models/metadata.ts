/**
 * What an exporter wrote about the model into its ONNX metadata_props (pure): the class names in
 * output order, and for Ultralytics models the input size, stride and task.
 *
 * - Ultralytics (ultralytics/engine/exporter.py, `export_onnx`) writes each entry of its metadata
 *   dict as `str(value)`: `names` is a Python dict literal ("{0: 'person', 1: 'bicycle'}"),
 *   `imgsz` a list ("[640, 640]"), `stride` and `batch` integers, `task` one of detect, segment,
 *   classify, pose, obb. Its own loader (AutoBackend) reads them back with literal evaluation.
 * - Hugging Face exports carry `id2label`, the model config's JSON object {"0": "label", ...}.
 *
 * Anything that does not parse is reported as unreadable, never guessed at.
 */

export interface ModelMetadata {
  /** Which exporter's keys were found; null when the model carries none of them. */
  readonly source: 'ultralytics' | 'huggingface' | null;
  /** Class names in output order (index k = output k); null when absent or unreadable. */
  readonly names: readonly string[] | null;
  /** The metadata key the names came from. */
  readonly namesKey: 'names' | 'id2label' | null;
  /** [height, width] the model was exported at (Ultralytics imgsz). */
  readonly imgsz: readonly [number, number] | null;
  /** The model's largest stride (Ultralytics). */
  readonly stride: number | null;
  /** Ultralytics' task: detect, segment, classify, pose, obb. */
  readonly task: string | null;
  /** Keys that were there but could not be read, with why. */
  readonly unreadable: readonly string[];
}

class LiteralError extends Error {}

/** A Python string literal (single or double quoted, as repr writes it) at `text[i]`; returns the value and the index after it. */
function pythonString(text: string, i: number): [string, number] {
  const quote = text[i];
  if (quote !== "'" && quote !== '"') throw new LiteralError(`expected a quoted string at ${i}`);
  let out = '';
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === quote) return [out, j + 1];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[++j];
    const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
    if (next in simple) out += simple[next];
    else if (next === 'x' || next === 'u' || next === 'U') {
      const digits = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = text.slice(j + 1, j + 1 + digits);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) throw new LiteralError(`bad \\${next} escape at ${j}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      j += digits;
    } else throw new LiteralError(`unknown escape \\${next} at ${j}`);
  }
  throw new LiteralError('unterminated string');
}

/** `{0: 'a', 1: "b's"}` → ['a', "b's"]; the keys must be 0, 1, 2, … in any order. */
export function parsePythonNames(text: string): string[] {
  const names = new Map<number, string>();
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  skip();
  if (text[i++] !== '{') throw new LiteralError('expected {');
  skip();
  while (text[i] !== '}') {
    const key = /^-?\d+/.exec(text.slice(i))?.[0];
    if (key === undefined) throw new LiteralError(`expected an integer key at ${i}`);
    i += key.length;
    skip();
    if (text[i++] !== ':') throw new LiteralError(`expected : at ${i - 1}`);
    skip();
    const [value, end] = pythonString(text, i);
    names.set(Number(key), value);
    i = end;
    skip();
    if (text[i] === ',') (i++, skip());
    else if (text[i] !== '}') throw new LiteralError(`expected , or } at ${i}`);
  }
  i++;
  skip();
  if (i !== text.length) throw new LiteralError('text after the closing }');
  return consecutive(names);
}

/** {"0": "a", "1": "b"} → ['a', 'b']. */
function parseId2Label(text: string): string[] {
  const data: unknown = JSON.parse(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new LiteralError('expected a JSON object');
  const names = new Map<number, string>();
  for (const [key, value] of Object.entries(data)) {
    if (!/^\d+$/.test(key) || typeof value !== 'string') throw new LiteralError(`expected "index": "label" entries, got "${key}"`);
    names.set(Number(key), value);
  }
  return consecutive(names);
}

function consecutive(names: Map<number, string>): string[] {
  const out = Array.from({ length: names.size }, (_, k) => names.get(k));
  if (out.some((name) => name === undefined)) throw new LiteralError(`the indices are not 0…${names.size - 1}`);
  return out as string[];
}

/** "[640, 640]" or "640" → [640, 640]. */
function parseImgsz(text: string): [number, number] {
  const numbers = text
    .replace(/[[\]()\s]/g, '')
    .split(',')
    .filter((part) => part !== '');
  if (!numbers.every((n) => /^\d+$/.test(n)) || numbers.length < 1 || numbers.length > 2) throw new LiteralError('expected [height, width] or one integer');
  const [h, w = h] = numbers.map(Number);
  if (h < 1 || w < 1) throw new LiteralError('expected positive sizes');
  return [h, w];
}

const ULTRALYTICS_KEYS = ['names', 'imgsz', 'stride', 'task'];

export function readModelMetadata(props: Readonly<Record<string, string>> | undefined): ModelMetadata {
  const meta = props ?? {};
  const has = (key: string) => Object.hasOwn(meta, key);
  const unreadable: string[] = [];
  const attempt = <T>(key: string, parse: (text: string) => T): T | null => {
    if (!has(key)) return null;
    try {
      return parse(meta[key]);
    } catch (error) {
      unreadable.push(`${key} (${(error as Error).message})`);
      return null;
    }
  };
  const ultralytics = ULTRALYTICS_KEYS.some(has) && (has('names') || has('stride') || /ultralytics/i.test(meta.author ?? ''));
  const fromNames = attempt('names', parsePythonNames);
  const fromId2Label = fromNames === null ? attempt('id2label', parseId2Label) : null;
  const stride = attempt('stride', (text) => {
    if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) throw new LiteralError('expected a positive integer');
    return Number(text);
  });
  return {
    source: ultralytics ? 'ultralytics' : has('id2label') ? 'huggingface' : null,
    names: fromNames ?? fromId2Label,
    namesKey: fromNames ? 'names' : fromId2Label ? 'id2label' : null,
    imgsz: attempt('imgsz', parseImgsz),
    stride,
    task: has('task') ? meta.task.trim() : null,
    unreadable,
  };
}
