/**
 * Pairs the two result sets sample by sample (pure). Every id must be in both sets unless
 * results.allow-missing is set; then the intersection is compared and the report says how many
 * were dropped. Both runs must have scored the same document (lm-evaluation-harness doc_hash) and
 * agree on every slice value they both have.
 */
import { UserError } from '../../errors.js';
import type { ResultRecord, ResultSet } from './types.js';

/** A derived slice column: its value is the pattern's first capture group (or whole match) in another column. */
export interface DerivedColumn {
  readonly from: string;
  readonly pattern: string;
  /** The value when the pattern doesn't match; null = no value (the sample is in no slice of this column). */
  readonly default: string | null;
}

export interface AlignOptions {
  readonly allowMissing: boolean;
  readonly derive: Readonly<Record<string, DerivedColumn>>;
}

/** One paired sample: its id and slice values (task, language, …). */
export interface ResultSample {
  readonly id: string;
  readonly slices: Readonly<Record<string, string>>;
}

export interface AlignedResults {
  /** Sorted by id (numbers inside ids compared as numbers), so every resample is reproducible. */
  readonly samples: readonly ResultSample[];
  readonly baseline: readonly number[];
  readonly candidate: readonly number[];
  /** Per-sample latencies, when every paired sample has one on both sides. */
  readonly latencyMs: { readonly baseline: readonly number[]; readonly candidate: readonly number[] } | null;
  /** Paired samples with a latency on both sides (all of them, or latency is not compared). */
  readonly samplesWithLatency: number;
  /** binary when every value of both sets is 0 or 1 (McNemar & co.), else continuous (bootstrap, sign-flip). */
  readonly kind: 'binary' | 'continuous';
  readonly dropped: { readonly baselineOnly: number; readonly candidateOnly: number; readonly examples: readonly string[] };
}

const SHOWN = 5;

/** Natural order: "arc/2" before "arc/10". Locale-free, so the order is the same on every machine. */
export function compareIds(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const numeric = i % 2 === 1;
    if (numeric && pa[i].length !== pb[i].length) return pa[i].length - pb[i].length;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

function mergeSlices(b: ResultRecord, c: ResultRecord): Record<string, string> {
  const slices: Record<string, string> = { ...c.slices, ...b.slices };
  for (const [column, value] of Object.entries(c.slices)) {
    if (b.slices[column] !== undefined && b.slices[column] !== value) {
      throw new UserError(`sample '${b.id}': slice '${column}' is '${b.slices[column]}' in the baseline (${b.where}) but '${value}' in the candidate (${c.where})`);
    }
  }
  return slices;
}

function derived(slices: Record<string, string>, derive: AlignOptions['derive']): Record<string, string> {
  const out = { ...slices };
  for (const [column, rule] of Object.entries(derive)) {
    const source = slices[rule.from];
    const match = source === undefined ? null : new RegExp(rule.pattern).exec(source);
    const value = match ? (match[1] ?? match[0]) : rule.default;
    if (value !== null && value !== undefined) out[column] = value;
  }
  return out;
}

function missingMessage(onlyBase: string[], onlyCand: string[], common: number): string {
  const list = (ids: string[]) =>
    ids
      .slice(0, SHOWN)
      .map((id) => `'${id}'`)
      .join(', ') + (ids.length > SHOWN ? ', …' : '');
  const parts = [];
  if (onlyBase.length > 0) parts.push(`${onlyBase.length} only in the baseline (${list(onlyBase)})`);
  if (onlyCand.length > 0) parts.push(`${onlyCand.length} only in the candidate (${list(onlyCand)})`);
  return `samples in only one result set: ${parts.join('; ')}. Set results.allow-missing: true to compare the ${common} samples both have`;
}

export function alignResults(baseline: ResultSet, candidate: ResultSet, options: AlignOptions): AlignedResults {
  if (baseline.metric !== candidate.metric) {
    throw new UserError(`the baseline's results are '${baseline.metric}' but the candidate's are '${candidate.metric}'; set results.metric to one both have`);
  }
  const candById = new Map(candidate.records.map((r) => [r.id, r]));
  const baseIds = new Set(baseline.records.map((r) => r.id));
  const onlyBase = baseline.records
    .filter((r) => !candById.has(r.id))
    .map((r) => r.id)
    .sort(compareIds);
  const onlyCand = candidate.records
    .filter((r) => !baseIds.has(r.id))
    .map((r) => r.id)
    .sort(compareIds);
  const pairs = baseline.records.filter((r) => candById.has(r.id)).map((b) => [b, candById.get(b.id) as ResultRecord] as const);
  if ((onlyBase.length > 0 || onlyCand.length > 0) && !options.allowMissing) throw new UserError(missingMessage(onlyBase, onlyCand, pairs.length));
  if (pairs.length === 0) throw new UserError('the two result sets have no sample in common');
  pairs.sort(([x], [y]) => compareIds(x.id, y.id));
  for (const [b, c] of pairs) {
    if (b.docHash !== null && c.docHash !== null && b.docHash !== c.docHash) {
      throw new UserError(`sample '${b.id}': the two runs scored different documents (doc_hash differs: ${b.where} vs ${c.where}); same task version and dataset on both sides?`);
    }
  }
  const withLatency = pairs.filter(([b, c]) => b.latencyMs !== null && c.latencyMs !== null).length;
  const values = pairs.flatMap(([b, c]) => [b.value, c.value]);
  return {
    samples: pairs.map(([b, c]) => ({ id: b.id, slices: derived(mergeSlices(b, c), options.derive) })),
    baseline: pairs.map(([b]) => b.value),
    candidate: pairs.map(([, c]) => c.value),
    latencyMs: withLatency === pairs.length ? { baseline: pairs.map(([b]) => b.latencyMs as number), candidate: pairs.map(([, c]) => c.latencyMs as number) } : null,
    samplesWithLatency: withLatency,
    kind: values.every((v) => v === 0 || v === 1) ? 'binary' : 'continuous',
    dropped: { baselineOnly: onlyBase.length, candidateOnly: onlyCand.length, examples: [...onlyBase, ...onlyCand].slice(0, SHOWN) },
  };
}
