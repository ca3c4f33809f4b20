/**
 * The "same models, other preprocessing" comparison (Task.preprocessVariants; detection's
 * letterbox vs rect): JSON `comparison.preprocessing` and its Markdown section. Pure. The figure
 * per model is the task's primary one under its JSON key (detection: `map`), so a reader sees
 * what the input choice costs or buys on their own data: accuracy, p50 latency and input area.
 */
import { markdownTable } from 'markdown-table';
import { code, count, escapeMarkdown, ms } from './format.js';

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

export function preprocessingSection(
  comparison: PreprocessingComparison,
  label: string,
  format: (value: number) => string,
): { title: string; markdown: string; detail: boolean } {
  const { metric, variants } = comparison;
  const cell = (figures: VariantFigures, key: string, show: (v: number) => string) =>
    typeof figures[key] === 'number' ? show(figures[key] as number) : escapeMarkdown(String(figures.note ?? '–'));
  const rows = variants.map((v) => [
    code(v.name),
    `${v.inputSize[0]}×${v.inputSize[1]}${v.inputShapes && v.inputShapes > 1 ? ` (most common of ${v.inputShapes})` : ''}`,
    count(Math.round(v.inputArea)),
    cell(v.baseline, metric, format),
    cell(v.baseline, 'p50Ms', ms),
    cell(v.candidate, metric, format),
    cell(v.candidate, 'p50Ms', ms),
  ]);
  const table = markdownTable(
    [['input', 'H×W', 'area (px)', `baseline ${label}`, 'baseline p50', `candidate ${label}`, 'candidate p50'], ...rows],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'] },
  );
  const lines = [table];
  if (variants.length === 2 && variants[0].inputArea > 0) {
    const [a, b] = variants;
    const change = (b.inputArea - a.inputArea) / a.inputArea;
    lines.push(`${code(b.name)} has ${Math.abs(change * 100).toFixed(1)}% ${change <= 0 ? 'less' : 'more'} input area than ${code(a.name)}.`);
  }
  lines.push('Every input is decoded from the same eval-set files; p50 at batch 1, with every model and input interleaved in one benchmark so machine drift hits them alike.');
  return { title: `Preprocessing: ${variants.map((v) => v.name).join(' vs ')}`, markdown: lines.join('\n\n'), detail: true };
}
