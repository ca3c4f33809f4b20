/**
 * Inline SVG line charts for the HTML report's history (pure, no library, no external fonts):
 * one chart per metric, nights along x (evenly spaced, in the order given), values along y on
 * "nice" round ticks. A missing or non-finite value breaks the line rather than drawing it to 0.
 */
import type { HistoryChart } from '../contracts/history.js';
import { escapeHtml } from './html-text.js';

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 64, right: 16, top: 12, bottom: 36 };
/** Colour-blind-safe (Okabe–Ito) and readable on white. */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** Round tick values covering [min, max]: steps of 1, 2 or 5 × 10^k, about `target` of them. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.01;
    return niceTicks(min - pad, max + pad, target);
  }
  const rough = (max - min) / Math.max(1, target - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) as number;
  // The epsilon keeps 0.87 / 0.01 = 86.999… from adding a tick below the data.
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Digits a tick label needs so neighbouring ticks read differently. */
function tickDigits(ticks: readonly number[]): number {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  return Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
}

const fmt = (value: number, digits: number, unit: string) => `${value.toFixed(digits)}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}`;

/** Runs of consecutive finite points: a gap in the data is a gap in the line. */
function segments(values: readonly number[], count: number): { index: number; value: number }[][] {
  const out: { index: number; value: number }[][] = [];
  let run: { index: number; value: number }[] = [];
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) run.push({ index: i, value: v });
    else if (run.length) (out.push(run), (run = []));
  }
  if (run.length) out.push(run);
  return out;
}

export function renderLineChart(chart: HistoryChart): string {
  const count = chart.timestamps.length;
  const unit = chart.unit ?? '';
  const finite = chart.series.flatMap((s) => s.values.slice(0, count).filter((v) => Number.isFinite(v)));
  const title = chart.title ? `<h3>${escapeHtml(chart.title)}</h3>\n` : '';
  if (count === 0 || finite.length === 0) return `<figure class="chart">${title}<p class="muted">No history yet.</p></figure>`;
  const ticks = niceTicks(Math.min(...finite), Math.max(...finite));
  const [lo, hi] = [ticks[0], ticks[ticks.length - 1]];
  const digits = tickDigits(ticks);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (count === 1 ? plotW / 2 : (i / (count - 1)) * plotW);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const r = (n: number) => n.toFixed(1);
  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${r(y(t))}" y2="${r(y(t))}"/>`);
    parts.push(`<text class="tick" x="${PAD.left - 6}" y="${r(y(t) + 4)}" text-anchor="end">${escapeHtml(fmt(t, digits, unit))}</text>`);
  }
  // First and last night on the x axis; tooltips carry every other date.
  const date = (i: number) => escapeHtml(chart.timestamps[i].slice(0, 10));
  parts.push(`<text class="tick" x="${r(x(0))}" y="${HEIGHT - 12}" text-anchor="${count === 1 ? 'middle' : 'start'}">${date(0)}</text>`);
  if (count > 1) parts.push(`<text class="tick" x="${r(x(count - 1))}" y="${HEIGHT - 12}" text-anchor="end">${date(count - 1)}</text>`);
  chart.series.forEach((s, k) => {
    const colour = SERIES_COLOURS[k % SERIES_COLOURS.length];
    for (const run of segments(s.values, count)) {
      if (run.length > 1) {
        parts.push(`<polyline class="series" fill="none" stroke="${colour}" stroke-width="2" points="${run.map((p) => `${r(x(p.index))},${r(y(p.value))}`).join(' ')}"/>`);
      }
      for (const p of run) {
        const tip = `${escapeHtml(s.name)} · ${escapeHtml(chart.timestamps[p.index])}: ${escapeHtml(fmt(p.value, digits + 1, unit))}`;
        parts.push(`<circle cx="${r(x(p.index))}" cy="${r(y(p.value))}" r="2.5" fill="${colour}"><title>${tip}</title></circle>`);
      }
    }
  });
  const legend = chart.series.map((s, k) => `<span class="legend"><span class="swatch c${k % SERIES_COLOURS.length}"></span>${escapeHtml(s.name)}</span>`).join(' ');
  const label = escapeHtml(chart.title ?? 'history');
  // The axis is fitted to the data, so a small change fills the plot: say where it starts.
  const zoom = lo > 0 ? ` <span class="muted">· axis from ${escapeHtml(fmt(lo, digits, unit))}, not 0</span>` : '';
  return `<figure class="chart">${title}<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${label}">\n${parts.join('\n')}\n</svg>\n<figcaption>${legend}${zoom}</figcaption></figure>`;
}
