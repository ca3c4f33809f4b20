/**
 * Post-quantization figures (pure): each model's int8 accuracy, its drop from fp32 with the
 * task's paired test (fp32 vs int8 of the same model, on the same images), the int8 comparison
 * of candidate over baseline, and the rank flip a reviewer must not miss: the candidate wins in
 * fp32 but not in int8, which is what ships.
 */
import { markdownTable } from 'markdown-table';
import type { Config } from '../config/types.js';
import type { GateResult, LatencyStats } from '../contracts/report.js';
import type { EvalSample, ReportSection, Task } from '../contracts/task.js';
import type { ModelFile } from '../models/index.js';
import { code, escapeMarkdown, percent, points, pValue } from './format.js';

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
}

export type QuantizedReport = Record<string, unknown> & {
  readonly source: 'provided' | 'static-int8';
  readonly path: string | null;
  readonly metrics: unknown;
  readonly note: string | null;
};

/** models.<role>.quantized: source, path, metrics, latency, drop<Primary>, and the paired test. */
export function quantizedModelReport<L, P, M, C>(
  task: Task<L, P, M, C>,
  samples: readonly EvalSample<L>[],
  config: Config,
  fp32Predictions: readonly P[],
  run: QuantizedRun<P>,
): QuantizedReport {
  const base = {
    source: run.source,
    path: run.file?.path ?? null,
    sha256: run.file?.sha256 ?? null,
    bytes: run.file?.bytes ?? null,
    perChannel: run.perChannel,
    calibration: run.calibration,
    floatNodes: run.floatNodes,
    note: run.note,
  };
  if (!run.predictions) return { ...base, metrics: null, latency: null };
  const summary = task.pairedSummary(task.compare(fp32Predictions, run.predictions, samples, config));
  return {
    ...base,
    metrics: task.score(run.predictions, samples, config),
    latency: run.latency,
    [`drop${task.primary.key}`]: -summary.delta,
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
    errorReduction: summary.errorReduction,
    ...summary.test,
    // The candidate wins in fp32 but not after quantization: the int8 model that ships is no better.
    rankFlip: fp32Delta > 0 && summary.delta <= 0,
  };
}

export function int8DropGates(limit: number | null, label: string, drops: { role: string; drop: number | null }[]): GateResult[] {
  if (limit === null) return [];
  return drops.map(({ role, drop }) => ({
    name: `max-int8-drop (${role})`,
    limit,
    value: drop === null ? null : drop * 100,
    passed: drop !== null && drop * 100 <= limit + 1e-12,
    line: drop === null ? `${role}: no int8 result to judge` : `${role}: ${label} ${points(-drop)} from fp32 to int8 (a drop of at most ${limit} pt is allowed)`,
  }));
}

interface QuantizedView {
  readonly metrics: unknown;
  readonly note: string | null;
  readonly source: string;
  readonly perChannel?: boolean | null;
  readonly calibration?: { source: string; samples: number } | null;
  readonly floatNodes?: readonly { op: string; name: string; reason: string }[];
  readonly [key: string]: unknown;
}

const describe = (q: QuantizedView) =>
  q.source === 'static-int8' ? `static, ${q.perChannel ? 'per-channel' : 'per-tensor'}` : 'provided';

/** The main-table row: int8 primary figure of both models and each one's fp32→int8 change (a drop is negative). */
export function int8Row(task: Pick<Task<unknown, unknown, unknown, unknown>, 'primary'>, b: QuantizedView | undefined, c: QuantizedView | undefined) {
  if (!b || !c) return null;
  const value = (q: QuantizedView) => (q.metrics ? percent(task.primary.value(q.metrics)) : '–');
  const drop = (q: QuantizedView) => {
    const d = q[`drop${task.primary.key}`];
    return typeof d === 'number' ? points(-d) : '–';
  };
  return [`int8 ${task.primary.label} (${describe(b)})`, value(b), value(c), `fp32→int8 ${drop(b)} / ${drop(c)}`] as const;
}

export function quantizationSection(
  task: Pick<Task<unknown, unknown, unknown, unknown>, 'primary'>,
  models: { baseline: { metrics: unknown; quantized?: QuantizedView }; candidate: { metrics: unknown; quantized?: QuantizedView } },
  comparison: Record<string, unknown> | null,
): ReportSection | null {
  const b = models.baseline.quantized;
  const c = models.candidate.quantized;
  if (!b || !c) return null;
  const p = (q: QuantizedView) => {
    const test = q.mcnemar as { pExact?: number } | undefined;
    return typeof test?.pExact === 'number' ? pValue(test.pExact) : '–';
  };
  const rows = (['baseline', 'candidate'] as const).map((role) => {
    const q = role === 'baseline' ? b : c;
    const fp32 = percent(task.primary.value(models[role].metrics));
    const drop = q[`drop${task.primary.key}`];
    return [role, fp32, q.metrics ? percent(task.primary.value(q.metrics)) : '–', typeof drop === 'number' ? points(-drop) : '–', p(q), escapeMarkdown(q.note ?? describe(q))];
  });
  const lines = [markdownTable([['model', `fp32 ${task.primary.label}`, `int8 ${task.primary.label}`, 'fp32→int8', 'paired test', 'int8 model'], ...rows])];
  if (comparison) {
    const delta = comparison[`delta${task.primary.key}`] as number;
    const rer = comparison.errorReduction as number | null;
    lines.push(`In int8 the candidate is ${points(delta)} against the baseline${rer === null ? '' : ` (${rer >= 0 ? `${percent(rer, 1)} fewer` : `${percent(-rer, 1)} more`} errors)`}, ${p(comparison as QuantizedView)}.`);
  }
  const calibration = b.calibration ?? c.calibration;
  if (calibration) lines.push(`Calibration: ${calibration.samples} images from ${code(calibration.source)} (MinMax, activations uint8 asymmetric, weights int8 symmetric).`);
  const floatOps = [...new Set([...(b.floatNodes ?? []), ...(c.floatNodes ?? [])].map((n) => n.op))];
  if (floatOps.length > 0) lines.push(`Left in float (no int8 path): ${floatOps.map(code).join(', ')}.`);
  return { title: 'Post-quantization accuracy (int8)', markdown: lines.join('\n\n'), detail: false };
}
