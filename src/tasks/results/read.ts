/**
 * Reads one side's result set from disk: a file, or a folder of files (not recursive), in one of
 * the formats of ./types.ts. The only module of task: results that touches the file system; the
 * parsers it calls are pure functions of the text.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ResultsRef } from '../../config/types.js';
import { UserError } from '../../errors.js';
import { parseCsvResults, parseJsonlResults } from './generic.js';
import { legacyTaskName, lmEvalTaskFromName, parseLmEvalFile } from './lm-eval.js';
import { parseModelGateReport } from './model-gate.js';
import type { ReadOptions, ResultFileFacts, ResultFormat, ResultRecord, ResultSet } from './types.js';

export type { ResultsRef } from '../../config/types.js';

/** The harness's aggregate files, which sit next to the samples and hold no per-sample records. */
const AGGREGATE = /^results(_.*)?\.json$/;
const EXTENSIONS: Record<ResultFormat, readonly string[]> = { 'lm-eval': ['.jsonl', '.json'], jsonl: ['.jsonl'], csv: ['.csv'], 'model-gate': ['.json'] };

function detectFormat(name: string, text: string): ResultFormat {
  if (lmEvalTaskFromName(name)) return 'lm-eval';
  const ext = extname(name).toLowerCase();
  if (ext === '.csv') return 'csv';
  const head = text.trimStart();
  if (ext === '.json') return head.startsWith('[') ? 'lm-eval' : 'model-gate';
  if (head.startsWith('[')) return 'lm-eval';
  const firstLine = head.split('\n', 1)[0];
  return /"doc_id"\s*:/.test(firstLine) ? 'lm-eval' : 'jsonl';
}

async function filesOf(path: string, format: ResultFormat | 'auto'): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new UserError(`${path}: cannot read the result files (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!info.isDirectory()) return [path];
  const allowed = format === 'auto' ? ['.jsonl', '.json', '.csv'] : EXTENSIONS[format];
  const names = (await readdir(path)).filter((n) => allowed.includes(extname(n).toLowerCase()) && !AGGREGATE.test(n)).sort();
  if (names.length === 0) {
    throw new UserError(`${path}: no result files (${allowed.join(', ')}); lm-evaluation-harness writes samples_<task>_<date>.jsonl to <output_path>/<model>/ with --log_samples`);
  }
  return names.map((n) => join(path, n));
}

/** Task names from the harness's results.json next to 0.4.0–0.4.2 sample files, if there is one. */
async function legacyTasks(folder: string): Promise<string[]> {
  const names = (await readdir(folder)).filter((n) => AGGREGATE.test(n));
  const tasks = new Set<string>();
  for (const name of names) {
    try {
      const data = JSON.parse(await readFile(join(folder, name), 'utf8')) as { configs?: object; results?: object };
      for (const key of Object.keys(data.configs ?? data.results ?? {})) tasks.add(key);
    } catch {
      // Not the harness's results file; the stem fallback below still applies.
    }
  }
  return [...tasks];
}

/**
 * Metric and filter names reach the comment inside code spans and table cells, where a backtick
 * or a pipe would end them; the harness's are plain names (acc_norm, exact_match, strict-match,
 * pass@1), so anything else in a file is refused rather than rendered.
 */
const PLAIN_NAME = /^[\w.@:+\-/ =(),]{1,120}$/;

function checkPlainName(kind: 'metric' | 'filter', name: string, file: string): void {
  if (!PLAIN_NAME.test(name)) throw new UserError(`${file}: the ${kind} name ${JSON.stringify(name.slice(0, 60))} is not a plain name (letters, digits and _ . @ : + - / = ( ) , or spaces)`);
}

function splitSide(path: string): { file: string; side: 'baseline' | 'candidate' | null } {
  const match = /#(baseline|candidate)$/.exec(path);
  return match ? { file: path.slice(0, -match[0].length), side: match[1] as 'baseline' | 'candidate' } : { file: path, side: null };
}

export async function readResultSet(ref: ResultsRef, options: ReadOptions): Promise<ResultSet> {
  const { file: root, side } = splitSide(ref.path);
  const paths = await filesOf(root, options.format);
  const files: ResultFileFacts[] = [];
  const records: ResultRecord[] = [];
  const formats = new Map<ResultFormat, string>();
  const metrics = new Map<string, string>();
  const tasks = new Map<string, string>();
  for (const path of paths) {
    const bytes = await readFile(path);
    const text = bytes.toString('utf8');
    const name = basename(path);
    const format = options.format === 'auto' ? detectFormat(name, text) : options.format;
    formats.set(format, formats.get(format) ?? path);
    let parsed: { records: ResultRecord[]; metric: string };
    let variant: string;
    let task: string | null = null;
    let filter: string | null = null;
    if (format === 'lm-eval') {
      task = lmEvalTaskFromName(name)?.task ?? legacyTaskName(name, await legacyTasks(dirname(path))) ?? name.replace(/\.(jsonl|json)$/, '');
      const earlier = tasks.get(task);
      if (earlier) throw new UserError(`${path}: a second file for task '${task}' (the first is ${earlier}); keep one run per task in the folder, or point at the file`);
      tasks.set(task, path);
      const lm = parseLmEvalFile(text, path, task, options);
      parsed = lm;
      variant = lm.variant;
      filter = lm.filter;
    } else if (format === 'csv') {
      parsed = parseCsvResults(text, path, options);
      variant = 'CSV';
    } else if (format === 'jsonl') {
      parsed = parseJsonlResults(text, path, options);
      variant = 'JSONL';
    } else {
      parsed = parseModelGateReport(text, path, side ?? ref.role, options);
      variant = `model-gate report.json (models.${side ?? ref.role}.samples)`;
    }
    checkPlainName('metric', parsed.metric, path);
    if (filter !== null) checkPlainName('filter', filter, path);
    metrics.set(parsed.metric, metrics.get(parsed.metric) ?? path);
    records.push(...parsed.records);
    files.push({ name, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, records: parsed.records.length, variant, task, filter });
  }
  if (formats.size > 1) {
    const [[a, fa], [b, fb]] = [...formats];
    throw new UserError(`${root}: mixed formats: ${fa} is ${a}, ${fb} is ${b}; keep one format per result set`);
  }
  if (metrics.size > 1) {
    const list = [...metrics].map(([m, f]) => `${m} (${basename(f)})`).join(', ');
    throw new UserError(`${root}: the files use different metrics: ${list}; set results.metric to one every file has`);
  }
  const seen = new Map<string, string>();
  for (const r of records) {
    const earlier = seen.get(r.id);
    if (earlier) throw new UserError(`${r.where}: sample '${r.id}' is also in ${earlier}`);
    seen.set(r.id, r.where);
  }
  return { role: ref.role, label: ref.label, path: root, format: [...formats.keys()][0], metric: [...metrics.keys()][0], files, records };
}
