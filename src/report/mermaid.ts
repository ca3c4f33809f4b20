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
import { ms, percent } from './format.js';

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
  const text = value
    .toFixed(digits)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
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

/**
 * Series colours that read on GitHub's light (#ffffff) and dark (#0d1117) page alike: each has a
 * WCAG contrast of at least 4 against both (Mermaid's default xychart palette has pale colours
 * that all but vanish on one or the other). Accuracy is blue, latency orange.
 */
export const CHART_COLOURS = { accuracy: '#1f6feb', latency: '#bf5700' } as const;

/** Chart width in px: about GitHub's comment column, so labels are drawn near their true size. */
const CHART_WIDTH = 900;
const LABEL_FONT_SIZE = 11;

/**
 * The block for one chart. The `%%{init}%%` directive (which GitHub's Mermaid honours) sets the
 * series colour, a transparent background (the dark theme's own grey would cut the colour's
 * contrast) and the size; titles and axes keep the theme's colours, so they follow the reader's
 * light or dark GitHub theme.
 */
function fence(colour: string, lines: string[]): string {
  const init = { xyChart: { width: CHART_WIDTH, xAxis: { labelFontSize: LABEL_FONT_SIZE } }, themeVariables: { xyChart: { plotColorPalette: colour, backgroundColor: 'transparent' } } };
  return ['```mermaid', `%%{init: ${JSON.stringify(init)}}%%`, 'xychart-beta', ...lines.map((line) => `  ${line}`), '```', ''].join('\n');
}

/**
 * A y-axis that does not start at 0 says so in its title ("…, axis from 83, not 0"), so a
 * difference of a few points can't pass for a bar or a line twice as tall.
 */
function zoomedAxis(title: string, values: readonly number[], floor = 0, ceiling = Infinity): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = Math.max(1, high - low);
  const from = Math.max(floor, Math.floor(low - pad));
  const to = Math.min(ceiling, Math.ceil(high + pad));
  const label = from === 0 ? title : `${title}, axis from ${mermaidNumber(from)}, not 0`;
  return `y-axis ${mermaidString(label)} ${mermaidNumber(from)} --> ${mermaidNumber(to)}`;
}

/**
 * A line chart of one series over categorical x labels (e.g. nights); the y-axis is zoomed to the
 * values and labelled as such when it does not start at 0.
 */
export function trendChart(
  title: string,
  xLabels: string[],
  series: { name: string; values: number[] },
  yLabel: string,
  opts: { xLabel?: string; colour?: string; ceiling?: number } = {},
): string {
  const { xLabel = 'night', colour = CHART_COLOURS.accuracy, ceiling = Infinity } = opts;
  if (xLabels.length === 0) throw new RangeError('trendChart needs at least one point');
  if (series.values.length !== xLabels.length) {
    throw new RangeError(`trendChart: ${series.values.length} values for ${xLabels.length} x labels`);
  }
  series.values.forEach((v) => mermaidNumber(v));
  return fence(colour, [
    `title ${mermaidString(title)}`,
    `x-axis ${mermaidString(xLabel)} ${band(xLabels)}`,
    zoomedAxis(yLabel, series.values, 0, ceiling),
    `line ${mermaidString(series.name)} [${series.values.map((v) => mermaidNumber(v)).join(', ')}]`,
  ]);
}

/**
 * The PR comment's accuracy-vs-latency chart. xychart has no scatter plot, so: one bar per model
 * for the task's primary figure (a fraction, drawn in %), on an axis from 0 to 100% (bars on a cut
 * axis exaggerate: +3.6 points looked 2.5× taller from 83%). Each bar's label carries its exact
 * figure and its p50 latency, since a few points are hard to read off a 0–100 axis.
 */
export function accuracyLatencyChart(points: { label: string; latencyMs: number; accuracy: number }[], metric = 'top-1'): string {
  if (points.length === 0) throw new RangeError('accuracyLatencyChart needs at least one model');
  const percents = points.map((p) => {
    if (!(p.accuracy >= 0 && p.accuracy <= 1)) throw new RangeError(`accuracy of ${p.label} must be a fraction 0..1, got ${p.accuracy}`);
    return p.accuracy * 100;
  });
  return fence(CHART_COLOURS.accuracy, [
    // The task's primary figure (top-1, or detection's mAP, also a fraction).
    `title ${mermaidString(`${metric === 'top-1' ? 'Top-1 accuracy' : metric} (bars, axis from 0%) and p50 latency (labels)`)}`,
    `x-axis "model" ${band(points.map((p) => `${p.label} · ${percent(p.accuracy)} · ${ms(p.latencyMs)}`))}`,
    `y-axis ${mermaidString(`${metric} (%)`)} 0 --> 100`,
    `bar ${mermaidString(`${metric} (%)`)} [${percents.map((v) => mermaidNumber(v, 2)).join(', ')}]`,
  ]);
}

/**
 * The nights' x labels, in UTC: the day of the month ('14'), with the month on the first night
 * and wherever it changes ('12-01'). Two characters keep 30 labels apart at the chart's width,
 * where 30 'MM-DD' labels overlapped from about 15 nights on.
 */
export function nightLabels(timestamps: readonly string[]): string[] {
  let month = '';
  return timestamps.map((timestamp) => {
    const date = new Date(timestamp).toISOString();
    const [m, d] = [date.slice(5, 7), date.slice(8, 10)];
    const label = m === month ? d : `${m}-${d}`;
    month = m;
    return label;
  });
}

/**
 * The tracking issue's and job summary's trend charts for one model: top-1 (%) and batch-1 p50
 * (ms) over its last `nights` records, oldest first.
 */
export function historyTrendCharts(history: readonly HistoryRecord[], modelName: string, nights = 30): string {
  const records = history.filter((r) => r.model.name === modelName).slice(-nights);
  if (records.length === 0) return '';
  const labels = nightLabels(records.map((r) => r.timestamp));
  const span = `last ${records.length} night${records.length === 1 ? '' : 's'}`;
  const x = 'night (UTC date: MM-DD, then the day)';
  return [
    trendChart(`${modelName}: top-1, ${span}`, labels, { name: 'top-1 (%)', values: records.map((r) => r.metrics.top1 * 100) }, 'top-1 (%)', { xLabel: x, ceiling: 100 }),
    trendChart(`${modelName}: batch-1 p50 latency, ${span}`, labels, { name: 'p50 (ms)', values: records.map((r) => r.latency.batch1.p50Ms) }, 'p50 (ms)', {
      xLabel: x,
      colour: CHART_COLOURS.latency,
    }),
  ].join('\n');
}
