/**
 * The "same models, other preprocessing" comparison (Task.preprocessVariants; detection's
 * letterbox vs rect): JSON `comparison.preprocessing` and its Markdown section. Pure. The figure
 * per model is the task's primary one under its JSON key (detection: `map`), so a reader sees
 * what the input choice costs or buys on their own data: accuracy, p50 latency and input area.
 */
import { markdownTable } from 'markdown-table';
import { code, count, escapeMarkdown, ms, ratio } from './format.js';

export interface VariantFigures {
  /** The primary metric under `PreprocessingComparison.metric`, plus p50Ms; null where the model could not take the input. */
  readonly [key: string]: number | string | null;
}

export interface PreprocessingVariant {
  readonly name: string;
  readonly resize: string;
  /** [height, width] of the model input (rect: the set-wide stride-padded size). */
  readonly inputSize: readonly [number, number];
  /** Pixels per image (rect batches: the mean over the images). */
  readonly inputArea: number;
  /** Rect batches: how many batch shapes; inputSize is then the most common one. */
  readonly inputShapes?: number;
  /** Whether this is the configured preprocessing, the one the main table measured. */
  readonly configured?: boolean;
  readonly baseline: VariantFigures;
  readonly candidate: VariantFigures;
}

export interface PreprocessingComparison {
  /** JSON key of the primary figure in each model's entry, e.g. 'map'. */
  readonly metric: string;
  readonly variants: readonly PreprocessingVariant[];
}

/** 'Map' → 'map', 'Top1' → 'top1': the primary key as a JSON field name. */
export const metricField = (primaryKey: string) => primaryKey.charAt(0).toLowerCase() + primaryKey.slice(1);

export function preprocessingSection(comparison: PreprocessingComparison, label: string, format: (value: number) => string): { title: string; markdown: string; detail: boolean } {
  const { metric, variants } = comparison;
  const cell = (figures: VariantFigures, key: string, show: (v: number) => string) =>
    typeof figures[key] === 'number' ? show(figures[key] as number) : escapeMarkdown(String(figures.note ?? '–'));
  // The configured input's p50 is the main table's. This table's own benchmark times it again
  // (next to the other inputs, so they compare under one set of conditions): shown in ms, that
  // would be a second, different p50 for the same model and input. So it shows ratios to it.
  const configured = variants.find((v) => v.configured);
  const p50 = (v: PreprocessingVariant, role: 'baseline' | 'candidate') => {
    const own = v[role].p50Ms;
    const reference = configured?.[role].p50Ms;
    if (typeof own !== 'number' || typeof reference !== 'number') return cell(v[role], 'p50Ms', ms);
    return v === configured ? '×1 (main table)' : ratio(own / reference);
  };
  const p50Label = configured ? `p50 vs ${configured.name}` : 'p50';
  const rows = variants.map((v) => [
    `${code(v.name)}${v === configured ? ' (configured)' : ''}`,
    `${v.inputSize[0]}×${v.inputSize[1]}${v.inputShapes && v.inputShapes > 1 ? ` (most common of ${v.inputShapes})` : ''}`,
    count(Math.round(v.inputArea)),
    cell(v.baseline, metric, format),
    p50(v, 'baseline'),
    cell(v.candidate, metric, format),
    p50(v, 'candidate'),
  ]);
  const table = markdownTable([['input', 'H×W', 'area (px)', `baseline ${label}`, `baseline ${p50Label}`, `candidate ${label}`, `candidate ${p50Label}`], ...rows], {
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  });
  const lines = [table];
  if (variants.length === 2 && variants[0].inputArea > 0) {
    const [a, b] = variants;
    const change = (b.inputArea - a.inputArea) / a.inputArea;
    lines.push(`${code(b.name)} has ${Math.abs(change * 100).toFixed(1)}% ${change <= 0 ? 'less' : 'more'} input area than ${code(a.name)}.`);
  }
  lines.push(
    configured
      ? `Every input is decoded from the same eval-set files; p50 at batch 1 as a ratio to ${code(configured.name)}'s (whose p50 in ms is the main table's), with every model and input interleaved in one benchmark so machine drift hits them alike.`
      : 'Every input is decoded from the same eval-set files; p50 at batch 1, with every model and input interleaved in one benchmark so machine drift hits them alike.',
  );
  return { title: `Preprocessing: ${variants.map((v) => v.name).join(' vs ')}`, markdown: lines.join('\n\n'), detail: true };
}
