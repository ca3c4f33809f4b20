/**
 * Confusion matrices as inline SVG heatmaps for the HTML report (pure, no library): the baseline's,
 * the candidate's, and their difference. Rows are the actual class, columns the predicted one.
 * Colours are SVG fill attributes, which the report's Content-Security-Policy allows (it forbids
 * style attributes, not presentation attributes); every label is escaped.
 *
 * - Counts: white → dark blue by the count over the largest off-diagonal count, so the mistakes
 *   stand out; the diagonal (right answers) is drawn in grey with its count.
 * - Difference (candidate − baseline): blue where the candidate is better (fewer confusions off
 *   the diagonal, more right answers on it), red where it is worse, by the change over the largest
 *   change; white where nothing changed.
 */
import { escapeHtml } from './html-text.js';

/** Above this many classes a matrix is unreadable on a page; the report then shows the changed pairs only. */
export const HEATMAP_MAX_CLASSES = 40;

const LABEL_WIDTH = 110;
const TOP = 96;

/** An integer 0..255 channel interpolated between two colours. */
const mix = (from: readonly number[], to: readonly number[], t: number) => `rgb(${from.map((c, i) => Math.round(c + (to[i] - c) * Math.min(1, Math.max(0, t)))).join(',')})`;
const WHITE = [255, 255, 255];
const BLUE = [8, 69, 148];
const RED = [165, 15, 21];
const GREY = [210, 214, 219];

/** Text stays readable on the darker half of the scale. */
const ink = (t: number) => (t > 0.55 ? '#fff' : '#1f2328');

interface Cell {
  readonly fill: string;
  readonly ink: string;
  readonly text: string;
  readonly title: string;
}

function grid(title: string, classes: readonly string[], cellAt: (actual: number, predicted: number) => Cell): string {
  const n = classes.length;
  const size = Math.max(10, Math.min(28, Math.floor(560 / n)));
  const width = LABEL_WIDTH + n * size + 8;
  const height = TOP + n * size + 8;
  const label = (name: string) => escapeHtml(name.length > 16 ? `${name.slice(0, 15)}…` : name);
  const parts: string[] = [];
  classes.forEach((name, k) => {
    const y = TOP + k * size + size / 2 + 4;
    parts.push(`<text class="tick" x="${LABEL_WIDTH - 6}" y="${y}" text-anchor="end"><title>${escapeHtml(name)}</title>${label(name)}</text>`);
    const x = LABEL_WIDTH + k * size + size / 2 + 4;
    parts.push(`<text class="tick" x="${x}" y="${TOP - 6}" text-anchor="start" transform="rotate(-55 ${x} ${TOP - 6})"><title>${escapeHtml(name)}</title>${label(name)}</text>`);
  });
  const showText = size >= 20;
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      const cell = cellAt(a, p);
      const x = LABEL_WIDTH + p * size;
      const y = TOP + a * size;
      parts.push(`<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="${cell.fill}" stroke="#fff" stroke-width="1"><title>${escapeHtml(cell.title)}</title></rect>`);
      if (showText && cell.text !== '') {
        parts.push(`<text x="${x + size / 2}" y="${y + size / 2 + 3.5}" text-anchor="middle" font-size="9.5" fill="${cell.ink}">${escapeHtml(cell.text)}</text>`);
      }
    }
  }
  return `<figure class="heatmap"><h3>${escapeHtml(title)}</h3>\n<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">\n${parts.join('\n')}\n</svg></figure>`;
}

const offDiagonalMax = (m: readonly (readonly number[])[]) => Math.max(1, ...m.flatMap((row, a) => row.filter((_, p) => p !== a)));

function countsMap(title: string, classes: readonly string[], m: readonly (readonly number[])[]): string {
  const max = offDiagonalMax(m);
  return grid(title, classes, (a, p) => {
    const v = m[a][p];
    const what = `${classes[a]} → ${classes[p]}: ${v}`;
    if (a === p) return { fill: mix(WHITE, GREY, 1), ink: '#1f2328', text: String(v), title: `${classes[a]} right: ${v}` };
    const t = v / max;
    return { fill: v === 0 ? '#fff' : mix(WHITE, BLUE, 0.15 + 0.85 * t), ink: ink(0.15 + 0.85 * t), text: v === 0 ? '' : String(v), title: what };
  });
}

function differenceMap(classes: readonly string[], b: readonly (readonly number[])[], c: readonly (readonly number[])[]): string {
  const deltas = b.map((row, a) => row.map((v, p) => c[a][p] - v));
  const max = Math.max(1, ...deltas.flatMap((row) => row.map(Math.abs)));
  return grid('Difference: candidate − baseline (blue better, red worse)', classes, (a, p) => {
    const d = deltas[a][p];
    const better = a === p ? d > 0 : d < 0;
    const t = Math.abs(d) / max;
    const text = d === 0 ? '' : `${d > 0 ? '+' : '−'}${Math.abs(d)}`;
    const title = a === p ? `${classes[a]} right: ${b[a][p]} → ${c[a][p]}` : `${classes[a]} → ${classes[p]}: ${b[a][p]} → ${c[a][p]}`;
    return { fill: d === 0 ? '#fff' : mix(WHITE, better ? BLUE : RED, 0.15 + 0.85 * t), ink: ink(0.15 + 0.85 * t), text, title };
  });
}

/**
 * The three heatmaps, or a note when there are too many classes to draw. `baseline` and
 * `candidate` are full [actual][predicted] count matrices over `classes`.
 */
export function confusionHeatmaps(classes: readonly string[], baseline: readonly (readonly number[])[], candidate: readonly (readonly number[])[]): string {
  if (classes.length > HEATMAP_MAX_CLASSES) {
    return `<p class="muted">No heatmaps: ${classes.length} classes are more than ${HEATMAP_MAX_CLASSES} a page can show; report.json has both confusion matrices (metrics.confusion).</p>`;
  }
  const note = '<p class="muted">Rows: the actual class; columns: the predicted class (top-1). The diagonal holds the right answers.</p>';
  return `${note}\n<div class="heatmaps">\n${countsMap('Baseline', classes, baseline)}\n${countsMap('Candidate', classes, candidate)}\n${differenceMap(classes, baseline, candidate)}\n</div>`;
}
