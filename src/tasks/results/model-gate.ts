/**
 * Reader for model-gate's own report.json: the per-sample records a run stored under
 * models.<role>.samples (SampleRecord), so a sharded or earlier run can be gated again. A path
 * may end in #baseline or #candidate to pick the side; without it the side being read is used
 * (a baseline set reads models.baseline.samples).
 */
import { UserError } from '../../errors.js';
import { parsePythonJson } from './text.js';
import type { ReadOptions, ResultRecord } from './types.js';
import { parseLatency, parseMetricValue, sliceValue } from './values.js';

export function parseModelGateReport(
  text: string,
  where: string,
  side: 'baseline' | 'candidate',
  options: Pick<ReadOptions, 'metric' | 'columns' | 'scoreScale'>,
): { records: ResultRecord[]; metric: string } {
  const data = parsePythonJson(text, where) as { schemaVersion?: unknown; models?: Record<string, { samples?: unknown; metric?: unknown }> };
  if (data === null || typeof data !== 'object' || data.schemaVersion !== 1) throw new UserError(`${where}: not a model-gate report.json (schemaVersion 1)`);
  const model = data.models?.[side];
  const path = `models.${side}.samples`;
  if (!model || !Array.isArray(model.samples)) {
    throw new UserError(`${where}: no ${path}: this report has no per-sample records (task: results writes them; classification writes them with --samples)`);
  }
  const stored = typeof model.metric === 'string' ? model.metric : null;
  if (options.metric !== null && stored !== null && options.metric !== stored) {
    throw new UserError(`${where}: results.metric is '${options.metric}', but these samples are '${stored}'`);
  }
  const seen = new Set<string>();
  let kind: 'correct' | 'score' | null = null;
  const records = model.samples.map((raw: unknown, i: number): ResultRecord => {
    const at = `${where}: ${path}[${i}]`;
    const r = raw as Record<string, unknown>;
    if (r === null || typeof r !== 'object' || typeof r.id !== 'string' || r.id === '') throw new UserError(`${at}: expected { id, correct | score, slices?, latencyMs? }`);
    if (seen.has(r.id)) throw new UserError(`${at}: id '${r.id}' appears again`);
    seen.add(r.id);
    const has = r.correct !== undefined ? 'correct' : r.score !== undefined ? 'score' : null;
    if (has === null || (r.correct !== undefined && r.score !== undefined)) throw new UserError(`${at}: expected exactly one of 'correct' and 'score'`);
    if (kind !== null && has !== kind) throw new UserError(`${at}: '${has}', but earlier records have '${kind}'`);
    kind = has;
    if (has === 'correct' && typeof r.correct !== 'boolean') throw new UserError(`${at}: 'correct' must be true or false`);
    const value = has === 'correct' ? (r.correct ? 1 : 0) : parseMetricValue(r.score, 'score', at, options.scoreScale);
    const nested = r.slices !== null && typeof r.slices === 'object' ? (r.slices as Record<string, unknown>) : {};
    const slices: Record<string, string> = {};
    for (const column of options.columns) {
      const found = sliceValue(nested[column]);
      if (found !== null) slices[column] = found;
    }
    return { id: r.id, value, slices, latencyMs: parseLatency(r.latencyMs, 'latencyMs', at), docHash: null, where: at };
  });
  if (records.length === 0) throw new UserError(`${where}: ${path} is empty`);
  return { records, metric: stored ?? (kind as unknown as string) };
}
