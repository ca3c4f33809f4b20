/**
 * One nightly result per model, stored as one JSON Lines record in the history file (issue 6).
 * Parsing never throws on a bad line: a writer killed mid-append leaves a torn last line, and one
 * unreadable night must not make every later night fail. Bad lines are returned as `skipped` so
 * the caller can warn about them.
 */
import type { HistoryRecord } from '../contracts/history.js';

export interface ParsedHistory {
  records: HistoryRecord[];
  /** 1-based line numbers of the lines that were not records, and why. */
  skipped: { line: number; reason: string }[];
}

/**
 * One record as one line, '\n'-terminated (JSON.stringify never emits a raw newline). Fields are
 * written in the order and nothing else is written, whatever object the caller built.
 */
export function serializeRecord(record: HistoryRecord): string {
  const problem = recordProblem(record);
  if (problem) throw new TypeError(`Not a valid history record: ${problem}`);
  const { model, runner, metrics, latency, quantized } = record;
  const canonical: HistoryRecord = {
    timestamp: record.timestamp,
    commit: record.commit,
    model: { name: model.name, path: model.path, sha256: model.sha256 },
    evalSha256: record.evalSha256,
    executionProvider: record.executionProvider,
    runner: { cpu: runner.cpu, gpu: runner.gpu },
    metrics: { top1: metrics.top1, top5: metrics.top5 },
    latency: { batch1: { p50Ms: latency.batch1.p50Ms, p90Ms: latency.batch1.p90Ms } },
    ...(quantized === undefined ? {} : { quantized: { metrics: { top1: quantized.metrics.top1 } } }),
  };
  return `${JSON.stringify(canonical)}\n`;
}

/**
 * Parses a JSON Lines history. Blank lines are ignored; a line that is not valid JSON or not a
 * record is skipped with a reason naming `file` and the line. A last line without its '\n' is a
 * writer that was killed mid-line: it is kept if it happens to be a whole record, else skipped.
 */
export function parseHistory(text: string, file: string): ParsedHistory {
  const records: HistoryRecord[] = [];
  const skipped: ParsedHistory['skipped'] = [];
  const lines = text.split('\n');
  const tornTail = !text.endsWith('\n') && text.length > 0;
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const where = `${file}:${index + 1}`;
    const isLast = index === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const why = isLast && tornTail ? 'the last line is cut short (a writer was interrupted); ignored' : 'not valid JSON';
      skipped.push({ line: index + 1, reason: `${where}: ${why}` });
      return;
    }
    const problem = recordProblem(value);
    if (problem) skipped.push({ line: index + 1, reason: `${where}: not a history record (${problem})` });
    else records.push(value as HistoryRecord);
  });
  return { records, skipped };
}

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isNonEmptyString: Check = (v) => typeof v === 'string' && v !== '';
const isFiniteNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isFraction: Check = (v) => isFiniteNumber(v) && (v as number) >= 0 && (v as number) <= 1;
const isDuration: Check = (v) => isFiniteNumber(v) && (v as number) >= 0;
const orNull =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field paths and what each must hold; `quantized` is checked only when present. */
const REQUIRED: [string, Check, string][] = [
  ['timestamp', (v) => isString(v) && !Number.isNaN(Date.parse(v as string)), 'an ISO 8601 date'],
  ['commit', isNonEmptyString, 'a commit sha'],
  ['model.name', isNonEmptyString, 'a string'],
  ['model.path', isString, 'a string'],
  ['model.sha256', isNonEmptyString, 'a sha256'],
  ['evalSha256', orNull(isNonEmptyString), 'a sha256 or null'],
  ['executionProvider', isNonEmptyString, 'a string'],
  ['runner.cpu', isString, 'a string'],
  ['runner.gpu', orNull(isString), 'a string or null'],
  ['metrics.top1', isFraction, 'a fraction 0..1'],
  ['metrics.top5', orNull(isFraction), 'a fraction 0..1 or null'],
  ['latency.batch1.p50Ms', isDuration, 'milliseconds'],
  ['latency.batch1.p90Ms', isDuration, 'milliseconds'],
];

function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (!isObject(current) || !(key in current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The first thing wrong with `value` as a record, or null. */
function recordProblem(value: unknown): string | null {
  if (!isObject(value)) return 'not an object';
  for (const [path, check, expected] of REQUIRED) {
    const field = at(value, path);
    if (field === undefined) return `${path} is missing`;
    if (!check(field)) return `${path} should be ${expected}, got ${JSON.stringify(field)}`;
  }
  if (value.quantized !== undefined && !isFraction(at(value, 'quantized.metrics.top1'))) {
    return 'quantized.metrics.top1 should be a fraction 0..1';
  }
  return null;
}
