/**
 * Readers for results you write yourself: JSONL (one object per line) or CSV (a header row), one
 * row per sample with
 *   id                     required, unique
 *   correct                0/1 or true/false: a right/wrong outcome, or
 *   prediction + label     right when they are equal as text, or
 *   score                  a per-sample metric in [0, results.score-scale], or
 *   <results.metric>       any column named by results.metric (0/1 or a score)
 *   latency_ms|latencyMs   optional, milliseconds for this sample
 *   slices                 JSONL only: an object of slice columns (model-gate's SampleRecord)
 * and any other column usable as a slice (results.slices).
 */
import { UserError } from '../../errors.js';
import { parseCsv, parsePythonJson } from './text.js';
import type { ReadOptions, ResultRecord } from './types.js';
import { parseLatency, parseMetricValue, parseOutcome, sliceValue } from './values.js';

interface Row {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly where: string;
}

type Mode = { kind: 'column'; column: string; binary: boolean } | { kind: 'match' };

function modeOf(first: Row, metric: string | null): Mode {
  const has = (key: string) => first.fields[key] !== undefined && first.fields[key] !== '';
  if (metric !== null) return { kind: 'column', column: metric, binary: false };
  if (has('correct')) return { kind: 'column', column: 'correct', binary: true };
  if (has('prediction') && has('label')) return { kind: 'match' };
  if (has('score')) return { kind: 'column', column: 'score', binary: false };
  throw new UserError(`${first.where}: expected a column 'correct' (0/1), 'prediction' and 'label', or 'score'; or name the column with results.metric`);
}

const metricName = (mode: Mode) => (mode.kind === 'match' ? 'prediction = label' : mode.column);

function recordsOf(rows: readonly Row[], where: string, options: Pick<ReadOptions, 'metric' | 'columns' | 'scoreScale'>): { records: ResultRecord[]; metric: string } {
  if (rows.length === 0) throw new UserError(`${where}: no per-sample rows`);
  const mode = modeOf(rows[0], options.metric);
  const seen = new Map<string, string>();
  const records = rows.map(({ fields, where: at }): ResultRecord => {
    const rawId = fields.id;
    if ((typeof rawId !== 'string' && typeof rawId !== 'number') || String(rawId) === '') throw new UserError(`${at}: no 'id'`);
    const id = String(rawId);
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new UserError(`${at}: id '${id}' appears again (first at ${earlier})`);
    seen.set(id, at);
    let value: number;
    if (mode.kind === 'match') {
      for (const key of ['prediction', 'label']) if (fields[key] === undefined) throw new UserError(`${at}: no '${key}'`);
      value = String(fields.prediction) === String(fields.label) ? 1 : 0;
    } else {
      const raw = fields[mode.column];
      if (raw === undefined || raw === '') throw new UserError(`${at}: no '${mode.column}'${options.metric !== null ? ' (results.metric)' : ''}`);
      value = mode.binary ? parseOutcome(raw, mode.column, at) : parseMetricValue(raw, mode.column, at, options.scoreScale);
    }
    const nested = fields.slices !== null && typeof fields.slices === 'object' ? (fields.slices as Record<string, unknown>) : {};
    const slices: Record<string, string> = {};
    for (const column of options.columns) {
      const found = sliceValue(nested[column] ?? fields[column]);
      if (found !== null && found !== '') slices[column] = found;
    }
    const latencyKey = fields.latency_ms !== undefined ? 'latency_ms' : 'latencyMs';
    return { id, value, slices, latencyMs: parseLatency(fields[latencyKey], latencyKey, at), docHash: null, where: at };
  });
  return { records, metric: metricName(mode) };
}

export function parseJsonlResults(text: string, where: string, options: Pick<ReadOptions, 'metric' | 'columns' | 'scoreScale'>): { records: ResultRecord[]; metric: string } {
  const rows: Row[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = `${where}:${i + 1}`;
    const fields = parsePythonJson(line, at);
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new UserError(`${at}: expected one JSON object per line`);
    rows.push({ fields: fields as Record<string, unknown>, where: at });
  });
  return recordsOf(rows, where, options);
}

export function parseCsvResults(text: string, where: string, options: Pick<ReadOptions, 'metric' | 'columns' | 'scoreScale'>): { records: ResultRecord[]; metric: string } {
  const table = parseCsv(text, where);
  if (!table.header.includes('id')) throw new UserError(`${where}:1: no 'id' column (columns: ${table.header.join(', ')})`);
  const rows = table.rows.map(({ cells, line }) => ({
    fields: Object.fromEntries(table.header.map((name, k) => [name, cells[k]])),
    where: `${where}:${line}`,
  }));
  return recordsOf(rows, where, options);
}
