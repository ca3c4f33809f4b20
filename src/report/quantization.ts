/**
 * Post-quantization figures (pure): each model's int8 accuracy, its drop from fp32 with the
 * task's paired test (fp32 vs int8 of the same model, on the same images), the int8 comparison
 * of candidate over baseline, and the rank flip a reviewer must not miss: the candidate wins in
 * fp32 but not in int8, which is what ships. Int8 is meant to be faster and smaller; when a
 * model's int8 batch-1 p50 is not below its fp32 p50, or its file is not smaller, the section
 * says so in words (latencyRatioToFp32, bytesRatioToFp32 in the JSON).
 */
import { markdownTable } from 'markdown-table';
import type { Config } from '../config/types.js';
import type { GateResult, LatencyStats } from '../contracts/report.js';
import type { EvalSample, ReportingTask, ReportSection, Task } from '../contracts/task.js';
import type { ModelFile } from '../models/index.js';
import { bytes as formatBytes, code, escapeMarkdown, ms, percent, pValue } from './format.js';

export interface QuantizedRun<Prediction> {
  readonly source: 'provided' | 'static-int8';
  /** null when there is no int8 model to evaluate (see note). */
  readonly file: ModelFile | null;
  readonly predictions: readonly Prediction[] | null;
  readonly latency: Record<string, LatencyStats> | null;
  /** Why there is no int8 result (already quantized, failed to load), or other facts. */
  readonly note: string | null;
  readonly calibration: { readonly source: string; readonly samples: number } | null;
  readonly perChannel: boolean | null;
  readonly floatNodes: readonly { op: string; name: string; reason: string }[];
  /** Float initializers left in the int8 model (built-in quantizer only). */
  readonly floatWeights?: readonly { name: string; elements: number; readers: readonly string[] }[];
}

/** What the int8 model is measured against: the same model's fp32 file and latency. */
export interface Fp32Facts {
  readonly bytes: number;
  readonly latency: Readonly<Record<string, LatencyStats>> | null;
}

/** int8 p50 / fp32 p50 at batch 1, or null when either is missing. */
export function latencyRatioToFp32(int8: Readonly<Record<string, LatencyStats>> | null, fp32: Fp32Facts['latency']): number | null {
  const a = int8?.batch1?.p50Ms;
  const b = fp32?.batch1?.p50Ms;
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
}

export type QuantizedReport = Record<string, unknown> & {
  readonly source: 'provided' | 'static-int8';
  readonly path: string | null;
  readonly metrics: unknown;
  readonly note: string | null;
};

/**
 * models.<role>.quantized: source, path, metrics, latency, drop<Primary>, the paired test, and
 * latencyRatioToFp32 / bytesRatioToFp32 against the same model's fp32 figures.
 */
export function quantizedModelReport<L, P, M, C>(
  task: Task<L, P, M, C>,
  samples: readonly EvalSample<L>[],
  config: Config,
  fp32Predictions: readonly P[],
  run: QuantizedRun<P>,
  fp32?: Fp32Facts,
): QuantizedReport {
  const base = {
    source: run.source,
    path: run.file?.path ?? null,
    sha256: run.file?.sha256 ?? null,
    bytes: run.file?.bytes ?? null,
    perChannel: run.perChannel,
    calibration: run.calibration,
    floatNodes: run.floatNodes,
    floatWeights: run.floatWeights ?? [],
    note: run.note,
    bytesRatioToFp32: fp32 && run.file ? run.file.bytes / fp32.bytes : null,
  };
  if (!run.predictions) return { ...base, metrics: null, latency: null, latencyRatioToFp32: null };
  const summary = task.pairedSummary(task.compare(fp32Predictions, run.predictions, samples, config));
  return {
    ...base,
    metrics: task.score(run.predictions, samples, config),
    latency: run.latency,
    latencyRatioToFp32: fp32 ? latencyRatioToFp32(run.latency, fp32.latency) : null,
    [`drop${task.primary.key}`]: -summary.delta,
    // The drop's paired 95% CI (a drop is −delta, so the bounds swap) and the paired test's p.
    [`drop${task.primary.key}Ci95`]: summary.ci ? [-summary.ci[1], -summary.ci[0]] : null,
    pValue: summary.pValue,
    ...summary.test,
  };
}

/** comparison.quantized: the candidate over the baseline, both in int8. */
export function quantizedComparison<L, P, M, C>(
  task: Task<L, P, M, C>,
  samples: readonly EvalSample<L>[],
  config: Config,
  baseline: readonly P[] | null,
  candidate: readonly P[] | null,
  fp32Delta: number,
): Record<string, unknown> | null {
  if (!baseline || !candidate) return null;
  const summary = task.pairedSummary(task.compare(baseline, candidate, samples, config));
  return {
    [`delta${task.primary.key}`]: summary.delta,
    [`delta${task.primary.key}Ci95`]: summary.ci,
    errorReduction: summary.errorReduction,
    pValue: summary.pValue,
    ...summary.test,
    // The candidate wins in fp32 but not after quantization: the int8 model that ships is no better.
    rankFlip: fp32Delta > 0 && summary.delta <= 0,
  };
}

export function int8DropGates(
  limit: number | null,
  primary: Pick<ReportingTask<unknown, unknown>['primary'], 'label' | 'showChange' | 'unit' | 'int8Gate'>,
  drops: { role: string; drop: number | null }[],
): GateResult[] {
  if (limit === null) return [];
  return drops.map(({ role, drop }) => ({
    name: `${primary.int8Gate.name} (${role})`,
    limit,
    value: drop === null ? null : drop * 100,
    passed: drop !== null && drop * 100 <= limit + 1e-12,
    summary: drop === null ? `${role}: no int8 result` : `${role} int8 ${primary.showChange(-drop)} from fp32 (at most −${limit} ${primary.unit} allowed)`,
    line:
      drop === null ? `${role}: no int8 result to judge` : `${role}: ${primary.label} ${primary.showChange(-drop)} from fp32 to int8 (a drop of at most ${limit} ${primary.unit} is allowed)`,
  }));
}

interface QuantizedView {
  readonly metrics: unknown;
  readonly note: string | null;
  readonly source: string;
  readonly perChannel?: boolean | null;
  readonly calibration?: { source: string; samples: number } | null;
  readonly floatNodes?: readonly { op: string; name: string; reason: string }[];
  readonly floatWeights?: readonly { name: string; elements: number }[];
  readonly latencyRatioToFp32?: number | null;
  readonly bytesRatioToFp32?: number | null;
  readonly [key: string]: unknown;
}

/** The int8 model's speed and size against fp32, in words; "slower" and "not smaller" stand out. */
function speedAndSize(q: QuantizedView): string {
  const parts: string[] = [];
  const r = q.latencyRatioToFp32;
  if (typeof r === 'number') parts.push(r >= 1 ? `**${r.toFixed(2)}× slower** than fp32 (p50)` : `${(1 / r).toFixed(2)}× faster than fp32 (p50)`);
  const b = q.bytesRatioToFp32;
  if (typeof b === 'number') parts.push(b >= 1 ? `file **not smaller** (${percent(b, 0)} of fp32)` : `file ${percent(b, 0)} of fp32`);
  return parts.length > 0 ? parts.join(', ') : '–';
}

/** Sentences for each model whose int8 is not faster or not smaller, with the figures. */
function notWorthIt(role: string, q: QuantizedView, fp32: { latency?: Readonly<Record<string, LatencyStats>> | null; bytes?: number } | undefined): string[] {
  const lines: string[] = [];
  const r = q.latencyRatioToFp32;
  const int8P50 = (q.latency as Record<string, LatencyStats> | null | undefined)?.batch1?.p50Ms;
  const fp32P50 = fp32?.latency?.batch1?.p50Ms;
  if (typeof r === 'number' && r >= 1 && typeof int8P50 === 'number' && typeof fp32P50 === 'number') {
    lines.push(`⚠️ The ${role}'s int8 model is **not faster** than its fp32 model: batch-1 p50 ${ms(int8P50)} against ${ms(fp32P50)} (${r.toFixed(2)}×).`);
  }
  const b = q.bytesRatioToFp32;
  const int8Bytes = q.bytes;
  if (typeof b === 'number' && b >= 1 && typeof int8Bytes === 'number' && typeof fp32?.bytes === 'number') {
    lines.push(`⚠️ The ${role}'s int8 file is **not smaller** than its fp32 file: ${formatBytes(int8Bytes)} against ${formatBytes(fp32.bytes)}.`);
  }
  return lines;
}

/** Float nodes grouped by reason, and the float weights, for the "left in float" line. */
function leftInFloat(b: QuantizedView, c: QuantizedView): string | null {
  const byReason = new Map<string, Set<string>>();
  for (const node of [...(b.floatNodes ?? []), ...(c.floatNodes ?? [])]) {
    const reason = node.reason.startsWith('kept in float') ? 'kept in float by configuration' : node.reason;
    byReason.set(reason, (byReason.get(reason) ?? new Set()).add(node.op));
  }
  const parts = [...byReason].map(([reason, ops]) => `${[...ops].map(code).join(', ')} (${escapeMarkdown(reason)})`);
  const weights = new Map<string, number>();
  for (const w of [...(b.floatWeights ?? []), ...(c.floatWeights ?? [])]) weights.set(w.name, w.elements);
  if (weights.size > 0) {
    const total = [...weights.values()].reduce((x, y) => x + y, 0);
    const names = [...weights.keys()];
    const shown = names.slice(0, 6).map(code).join(', ');
    parts.push(`${weights.size} float weight${weights.size === 1 ? '' : 's'} (${total.toLocaleString('en-US')} values): ${shown}${names.length > 6 ? ` and ${names.length - 6} more` : ''}`);
  }
  return parts.length > 0 ? `Left in float: ${parts.join('; ')}.` : null;
}

const describe = (q: QuantizedView) => (q.source === 'static-int8' ? `static, ${q.perChannel ? 'per-channel' : 'per-tensor'}` : 'provided');

/** The main-table row: int8 primary figure of both models and each one's fp32→int8 change (a drop is negative). */
export function int8Row(task: Pick<ReportingTask<unknown, unknown>, 'primary'>, b: QuantizedView | undefined, c: QuantizedView | undefined) {
  if (!b || !c) return null;
  const value = (q: QuantizedView) => (q.metrics ? task.primary.show(task.primary.value(q.metrics)) : '–');
  const drop = (q: QuantizedView) => {
    const d = q[`drop${task.primary.key}`];
    return typeof d === 'number' ? task.primary.showChange(-d) : '–';
  };
  return [`int8 ${task.primary.label} (${describe(b)})`, value(b), value(c), `fp32→int8 ${drop(b)} / ${drop(c)}`] as const;
}

type ModelView = { metrics: unknown; quantized?: QuantizedView; bytes?: number; latency?: Readonly<Record<string, LatencyStats>> | null };

export function quantizationSection(
  task: Pick<ReportingTask<unknown, unknown>, 'primary'>,
  models: { baseline: ModelView; candidate: ModelView },
  comparison: Record<string, unknown> | null,
): ReportSection | null {
  const b = models.baseline.quantized;
  const c = models.candidate.quantized;
  if (!b || !c) return null;
  const { primary } = task;
  const p = (q: QuantizedView) => (typeof q.pValue === 'number' ? pValue(q.pValue) : '–');
  const change = (q: QuantizedView) => {
    const d = q[`drop${primary.key}`];
    if (typeof d !== 'number') return '–';
    const ci = q[`drop${primary.key}Ci95`] as readonly [number, number] | null | undefined;
    // The change fp32 → int8 is −drop; its CI is the drop's, negated and swapped.
    return ci ? `${primary.showChange(-d)} (${primary.showChange(-ci[1], false)} to ${primary.showChange(-ci[0], false)})` : primary.showChange(-d);
  };
  const rows = (['baseline', 'candidate'] as const).map((role) => {
    const q = role === 'baseline' ? b : c;
    const fp32 = primary.show(primary.value(models[role].metrics));
    return [role, fp32, q.metrics ? primary.show(primary.value(q.metrics)) : '–', change(q), p(q), speedAndSize(q), escapeMarkdown(q.note ?? describe(q))];
  });
  const lines = [markdownTable([['model', `fp32 ${task.primary.label}`, `int8 ${task.primary.label}`, 'fp32→int8', 'paired test', 'int8 vs fp32', 'int8 model'], ...rows])];
  const warnings = [...notWorthIt('baseline', b, models.baseline), ...notWorthIt('candidate', c, models.candidate)];
  lines.push(...warnings);
  if (comparison) {
    const delta = comparison[`delta${primary.key}`] as number;
    const rer = comparison.errorReduction as number | null;
    lines.push(
      `In int8 the candidate is ${primary.showChange(delta)} against the baseline${rer === null ? '' : ` (${rer >= 0 ? `${percent(rer, 1)} fewer` : `${percent(-rer, 1)} more`} errors)`}, ${p(comparison as QuantizedView)}.`,
    );
  }
  const calibration = b.calibration ?? c.calibration;
  if (calibration) lines.push(`Calibration: ${calibration.samples} images from ${code(calibration.source)} (MinMax, activations uint8 asymmetric, weights int8 symmetric).`);
  const float = leftInFloat(b, c);
  if (float) lines.push(float);
  return { title: 'Post-quantization accuracy (int8)', markdown: lines.join('\n\n'), detail: false };
}
