/**
 * Reader for lm-evaluation-harness per-sample files. Layouts, from the harness's own source
 * (EleutherAI/lm-evaluation-harness; commits named in README "LLMs and other models you run yourself"):
 *
 * - 0.4.3 and later (`--log_samples --output_path DIR`): DIR/<model>/samples_<task>_<date>.jsonl,
 *   one JSON object per line per document *and filter*: doc_id, doc, target, arguments, resps,
 *   filtered_resps, doc_hash, prompt_hash, target_hash and the metric fields (acc, acc_norm,
 *   exact_match, …). 0.4.7 added `filter` (the filter's name, e.g. "none", "strict-match") and
 *   `metrics` (the metric names). <date> is datetime.isoformat() with ':' → '-'.
 * - 0.4.0 to 0.4.2: DIR/<model_args with / and = as __>_<task>.jsonl holding one JSON *array*
 *   (indent 2) of the same records without hashes, filter or metrics, next to DIR/results.json,
 *   whose "configs" keys name the tasks.
 * - 0.3 (`--write_out --output_base_path DIR`, the 0.3 line after v0.3.0): DIR/<task>_write_out_info.json,
 *   a JSON array (indent 4) of doc_id, prompt_<i>, logit_<i>, truth and each metric as str(value).
 *
 * The task name is only in the file name, so a sample's id is `<task>/<doc_id>`. Before 0.4.7 a
 * task with several filters writes several records per document with nothing telling them apart;
 * such files are refused rather than guessed at.
 */
import { UserError } from '../../errors.js';
import { arrayElementLines, parsePythonJson } from './text.js';
import type { ReadOptions, ResultRecord } from './types.js';
import { parseMetricValue, sliceValue } from './values.js';

const SAMPLES_NAME = /^samples_(.+)_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)\.jsonl$/;
const WRITE_OUT_NAME = /^(.+)_write_out_info\.json$/;
/** Record fields that are not metrics. */
const BOOKKEEPING = new Set(['doc_id', 'doc', 'target', 'arguments', 'resps', 'filtered_resps', 'filter', 'metrics', 'doc_hash', 'prompt_hash', 'target_hash', 'truth']);
const isBookkeeping = (key: string) => BOOKKEEPING.has(key) || /^(prompt|logit)_\d+$/.test(key);

/** Whether a file name is one the harness writes per-sample results to (the 0.4.0–0.4.2 name needs results.json). */
export function lmEvalTaskFromName(name: string): { task: string; date: string | null } | null {
  const samples = SAMPLES_NAME.exec(name);
  if (samples) return { task: samples[1], date: samples[2] };
  const writeOut = WRITE_OUT_NAME.exec(name);
  if (writeOut) return { task: writeOut[1], date: null };
  return null;
}

/**
 * The task of a 0.4.0–0.4.2 file `<model_args>_<task>.jsonl`, from the task names in the run's
 * results.json (the longest one the name ends with; model_args can contain underscores too).
 */
export function legacyTaskName(name: string, tasks: readonly string[]): string | null {
  const stem = name.replace(/\.jsonl$/, '');
  const matches = tasks.filter((t) => stem === t || stem.endsWith(`_${t}`));
  return matches.sort((a, b) => b.length - a.length)[0] ?? null;
}

interface RawRecord {
  readonly fields: Record<string, unknown>;
  readonly line: number;
}

function rawRecords(text: string, where: string): { records: RawRecord[]; array: boolean } {
  const array = text.trimStart().startsWith('[');
  if (array) {
    const data = parsePythonJson(text, where);
    if (!Array.isArray(data)) throw new UserError(`${where}: expected a JSON array of per-sample records`);
    const lines = arrayElementLines(text);
    return {
      array,
      records: data.map((fields, i) => {
        if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new UserError(`${where}:${lines[i]}: expected a JSON object per sample`);
        return { fields: fields as Record<string, unknown>, line: lines[i] };
      }),
    };
  }
  const records: RawRecord[] = [];
  text.split('\n').forEach((lineText, i) => {
    if (lineText.trim() === '') return;
    const fields = parsePythonJson(lineText, `${where}:${i + 1}`);
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new UserError(`${where}:${i + 1}: expected one JSON object per line`);
    records.push({ fields: fields as Record<string, unknown>, line: i + 1 });
  });
  return { records, array };
}

function variantOf(first: Record<string, unknown> | undefined, array: boolean): string {
  if (array && first && !('doc' in first) && Object.keys(first).some((k) => /^(prompt|logit)_\d+$/.test(k) || k === 'truth')) {
    return 'lm-evaluation-harness 0.3 (--write_out JSON array)';
  }
  if (array) return 'lm-evaluation-harness 0.4.0–0.4.2 (--log_samples JSON array)';
  if (first && 'filter' in first) return 'lm-evaluation-harness >= 0.4.7 (samples JSONL with filter)';
  return 'lm-evaluation-harness 0.4.3–0.4.6 (samples JSONL)';
}

function chooseFilter(records: readonly RawRecord[], where: string, wanted: string | null): string | null {
  const withFilter = records.filter((r) => 'filter' in r.fields);
  if (withFilter.length === 0) return null;
  if (withFilter.length !== records.length) {
    const missing = records.find((r) => !('filter' in r.fields)) as RawRecord;
    throw new UserError(`${where}:${missing.line}: no 'filter' field, though other records of this file have one`);
  }
  const filters = [...new Set(records.map((r) => String(r.fields.filter)))];
  if (wanted !== null) {
    if (!filters.includes(wanted)) throw new UserError(`${where}: results.filter is '${wanted}', but this file's records have filter ${filters.map((f) => `'${f}'`).join(', ')}`);
    return wanted;
  }
  if (filters.length > 1) {
    throw new UserError(`${where}: records for several filters (${filters.map((f) => `'${f}'`).join(', ')}); set results.filter to the one to compare`);
  }
  return filters[0];
}

function chooseMetric(first: RawRecord, where: string, wanted: string | null): string {
  if (wanted !== null) return wanted;
  const listed = Array.isArray(first.fields.metrics) ? first.fields.metrics.map(String) : null;
  const candidates = listed ?? Object.keys(first.fields).filter((k) => !isBookkeeping(k));
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) throw new UserError(`${where}:${first.line}: the record has no metric field`);
  throw new UserError(`${where}: records have several metrics (${candidates.join(', ')}); set results.metric to the one to compare`);
}

/** Reads one harness file whose task is already known (see lmEvalTaskFromName / legacyTaskName). */
export function parseLmEvalFile(
  text: string,
  where: string,
  task: string,
  options: Pick<ReadOptions, 'metric' | 'filter' | 'columns' | 'scoreScale'>,
): { records: ResultRecord[]; variant: string; filter: string | null; metric: string } {
  const { records: all, array } = rawRecords(text, where);
  const variant = variantOf(all[0]?.fields, array);
  if (all.length === 0) throw new UserError(`${where}: no per-sample records`);
  const filter = chooseFilter(all, where, options.filter);
  const kept = filter === null ? all : all.filter((r) => String(r.fields.filter) === filter);
  const metric = chooseMetric(kept[0], where, options.metric);
  const seen = new Map<string, number>();
  const records = kept.map(({ fields, line }): ResultRecord => {
    const at = `${where}:${line}`;
    const docId = fields.doc_id;
    if (typeof docId !== 'number' && typeof docId !== 'string') throw new UserError(`${at}: no doc_id`);
    const id = `${task}/${docId}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      const why = filter === null ? ' (lm-evaluation-harness before 0.4.7 writes one record per filter without naming it; use >= 0.4.7, or a task with one filter)' : '';
      throw new UserError(`${at}: doc_id ${docId} appears again (first on line ${earlier})${why}`);
    }
    seen.set(id, line);
    if (!(metric in fields)) {
      const has = Object.keys(fields).filter((k) => !isBookkeeping(k));
      throw new UserError(`${at}: no field '${metric}' (results.metric); this record has ${has.length > 0 ? has.join(', ') : 'no metric fields'}`);
    }
    const slices: Record<string, string> = {};
    const doc = fields.doc !== null && typeof fields.doc === 'object' ? (fields.doc as Record<string, unknown>) : {};
    for (const column of options.columns) {
      const value = column === 'task' ? task : column === 'filter' ? filter : column.startsWith('doc.') ? sliceValue(doc[column.slice(4)]) : null;
      if (value !== null) slices[column] = value;
    }
    return {
      id,
      value: parseMetricValue(fields[metric], metric, at, options.scoreScale),
      slices,
      latencyMs: null,
      docHash: typeof fields.doc_hash === 'string' ? fields.doc_hash : null,
      where: at,
    };
  });
  return { records, variant, filter, metric };
}
