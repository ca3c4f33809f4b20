/**
 * Charts as Mermaid `xychart-beta` blocks: GitHub renders them in issues, comments and job
 * summaries, so no image needs a public host (issue 6).
 *
 * Quoting follows Mermaid's xychart lexer (packages/mermaid/src/diagrams/xychart/parser/
 * xychart.jison): a quoted string is `"[^"]*"` with no escape at all, so every label is quoted
 * (commas, brackets, colons and semicolons are then plain text) and the few characters that can't
 * live inside it are replaced:
 * - `"` → `'` (it would end the string; there is no escape);
 * - backtick → `'` (`"` followed by a backtick opens a Markdown string, and three backticks would
 *   close the Markdown code fence around the chart);
 * - `%%` → `% %` (Mermaid strips `%%` comments and reads `%%{…}%%` as a directive before parsing);
 * - `#name;` → `#name ;` (Mermaid turns `#name;` into the HTML entity `&name;` in every diagram);
 * - line breaks and tabs → a space (a newline ends the statement); an empty label becomes " ".
 * Axis titles are always given: Mermaid 10.x requires them before an `[a, b]` band or a range.
 * Numbers are written without exponents (the lexer accepts `[+-]?\d+(\.\d+)?` only).
 */
import type { HistoryRecord } from '../contracts/history.js';
import { ms } from './format.js';

/** A label as a quoted xychart string. */
export function mermaidString(text: string): string {
  const safe = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/["`]/g, "'")
    .replace(/%(?=%)/g, '% ')
    .replace(/#(\w+);/g, '#$1 ;');
  return `"${safe === '' ? ' ' : safe}"`;
}

/** A finite number in plain decimal notation, at most `digits` decimals, no trailing zeros. */
export function mermaidNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) throw new RangeError(`A chart value must be a finite number, got ${value}`);
  if (Math.abs(value) >= 1e21) throw new RangeError(`A chart value is too large to write without an exponent: ${value}`);
  const text = value.toFixed(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}

/**
 * Category labels must be unique: Mermaid places bands with d3's scaleBand, which keeps one band
 * per distinct value, so two nights with the same date would share one x position. A repeated
 * label gets " (2)", " (3)", ….
 */
function uniqueLabels(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(labels);
  return labels.map((label) => {
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    if (n === 1) return label;
    let k = n;
    while (taken.has(`${label} (${k})`)) k++;
    const unique = `${label} (${k})`;
    taken.add(unique);
    return unique;
  });
}

const band = (labels: readonly string[]) => `[${uniqueLabels(labels).map(mermaidString).join(', ')}]`;
const fence = (lines: string[]) => ['```mermaid', 'xychart-beta', ...lines.map((line) => `  ${line}`), '```', ''].join('\n');

/** A line chart of one series over categorical x labels (e.g. nights), y-axis range automatic. */
export function trendChart(title: string, xLabels: string[], series: { name: string; values: number[] }, yLabel: string, xLabel = 'night'): string {
  if (xLabels.length === 0) throw new RangeError('trendChart needs at least one point');
  if (series.values.length !== xLabels.length) {
    throw new RangeError(`trendChart: ${series.values.length} values for ${xLabels.length} x labels`);
  }
  return fence([
    `title ${mermaidString(title)}`,
    `x-axis ${mermaidString(xLabel)} ${band(xLabels)}`,
    `y-axis ${mermaidString(yLabel)}`,
    `line ${mermaidString(series.name)} [${series.values.map((v) => mermaidNumber(v)).join(', ')}]`,
  ]);
}

/**
 * The PR comment's accuracy-vs-latency chart. xychart has no scatter plot, so: one bar per model
 * for top-1 (accuracy is a fraction, drawn in %), and each bar's x label carries its p50 latency.
 * The y-axis is zoomed so that differences of a few points stay visible: from
 * max(0, ⌊min − pad⌋) to min(100, ⌈max + pad⌉) with pad = max(1, max − min) points; the title
 * says where the axis starts, so the zoom can't pass for a zero-based bar chart.
 */
export function accuracyLatencyChart(points: { label: string; latencyMs: number; accuracy: number }[], metric = 'top-1'): string {
  if (points.length === 0) throw new RangeError('accuracyLatencyChart needs at least one model');
  const percents = points.map((p) => {
    if (!(p.accuracy >= 0 && p.accuracy <= 1)) throw new RangeError(`accuracy of ${p.label} must be a fraction 0..1, got ${p.accuracy}`);
    return p.accuracy * 100;
  });
  const low = Math.min(...percents);
  const high = Math.max(...percents);
  const pad = Math.max(1, high - low);
  const axisMin = Math.max(0, Math.floor(low - pad));
  const axisMax = Math.min(100, Math.ceil(high + pad));
  return fence([
    // The task's primary figure (top-1, or detection's mAP, also a fraction).
    `title ${mermaidString(`${metric === 'top-1' ? 'Top-1 accuracy' : metric} (bars, axis from ${axisMin}%) and p50 latency (labels)`)}`,
    `x-axis "model" ${band(points.map((p) => `${p.label} · ${ms(p.latencyMs)}`))}`,
    `y-axis ${mermaidString(`${metric} (%)`)} ${axisMin} --> ${axisMax}`,
    `bar ${mermaidString(`${metric} (%)`)} [${percents.map((v) => mermaidNumber(v, 2)).join(', ')}]`,
  ]);
}

/** 'MM-DD' in UTC: short enough for 30 labels side by side. */
const nightLabel = (timestamp: string) => new Date(timestamp).toISOString().slice(5, 10);

/**
 * The tracking issue's and job summary's trend charts for one model: top-1 (%) and batch-1 p50
 * (ms) over its last `nights` records, oldest first.
 */
export function historyTrendCharts(history: readonly HistoryRecord[], modelName: string, nights = 30): string {
  const records = history.filter((r) => r.model.name === modelName).slice(-nights);
  if (records.length === 0) return '';
  const labels = records.map((r) => nightLabel(r.timestamp));
  const span = `last ${records.length} night${records.length === 1 ? '' : 's'}`;
  return [
    trendChart(`${modelName}: top-1, ${span}`, labels, { name: 'top-1 (%)', values: records.map((r) => r.metrics.top1 * 100) }, 'top-1 (%)'),
    trendChart(`${modelName}: batch-1 p50 latency, ${span}`, labels, { name: 'p50 (ms)', values: records.map((r) => r.latency.batch1.p50Ms) }, 'p50 (ms)'),
  ].join('\n');
}
