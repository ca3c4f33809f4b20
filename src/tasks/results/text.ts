/**
 * Text formats the result readers share: Python-flavoured JSON (lm-evaluation-harness writes with
 * json.dumps, which emits NaN and Infinity), line numbers of a JSON array's elements, and CSV.
 */
import { UserError } from '../../errors.js';

const NON_FINITE = /NaN|-?Infinity/y;

/** Replaces the bare NaN / Infinity / -Infinity tokens Python's json.dumps writes with strings, outside string literals. */
function quoteNonFinite(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    NON_FINITE.lastIndex = i;
    const match = NON_FINITE.exec(text);
    if (match) {
      out += `"${match[0]}"`;
      i += match[0].length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

/** Line (1-based) of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * JSON.parse that also reads Python's non-finite tokens, as the strings "NaN", "Infinity" and
 * "-Infinity", so the value checks can name them. `where` is "file" or "file:line" for errors.
 */
export function parsePythonJson(text: string, where: string, firstLine = 1): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    try {
      return JSON.parse(quoteNonFinite(text));
    } catch {
      const message = (error as Error).message;
      const position = /position (\d+)/.exec(message);
      const at = position && !/:\d+$/.test(where) ? `:${firstLine + lineAt(text, Number(position[1])) - 1}` : '';
      throw new UserError(`${where}${at}: not valid JSON (${message.split('\n')[0]})`);
    }
  }
}

/** The line (1-based) on which each element of the top-level JSON array in `text` starts. */
export function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') continue;
    if (depth === 1 && expectValue && ch !== ']') {
      lines.push(line);
      expectValue = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectValue = true;
  }
  return lines;
}

export interface CsvTable {
  readonly header: readonly string[];
  /** Each data row's cells and the line it starts on. */
  readonly rows: readonly { readonly cells: readonly string[]; readonly line: number }[];
}

/** RFC 4180 CSV: comma-separated, "quoted" cells with "" for a quote, LF or CRLF, a header row first. */
export function parseCsv(text: string, where: string): CsvTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let cellStarted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') ((cell += '"'), i++);
      else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && !cellStarted) {
      quoted = true;
      cellStarted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      cellStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      cells.push(cell);
      if (!(cells.length === 1 && cells[0] === '')) records.push({ cells, line: rowLine });
      cells = [];
      cell = '';
      cellStarted = false;
      line++;
      rowLine = line;
    } else {
      if (ch === '"') throw new UserError(`${where}:${line}: a quote inside an unquoted CSV cell`);
      cell += ch;
      cellStarted = true;
    }
  }
  if (quoted) throw new UserError(`${where}:${rowLine}: a quoted CSV cell is never closed`);
  if (cellStarted || cells.length > 0) {
    cells.push(cell);
    records.push({ cells, line: rowLine });
  }
  if (records.length === 0) throw new UserError(`${where}: empty CSV file (expected a header row)`);
  const [head, ...rows] = records;
  const header = head.cells.map((h) => h.trim());
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '') throw new UserError(`${where}:${head.line}: an empty column name in the header`);
    if (seen.has(name)) throw new UserError(`${where}:${head.line}: column '${name}' appears twice in the header`);
    seen.add(name);
  }
  for (const row of rows) {
    if (row.cells.length !== header.length) {
      throw new UserError(`${where}:${row.line}: ${row.cells.length} cells, but the header has ${header.length} columns`);
    }
  }
  return { header, rows };
}
