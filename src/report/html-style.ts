/**
 * The HTML report's one inline stylesheet. System fonts only (a web font would be a request);
 * thumbnails are drawn with image-rendering: pixelated so enlarged tiny images stay crisp.
 */
import { SERIES_COLOURS } from './html-chart.js';

export const HTML_STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-soft: #f6f8fa;
  --gain: #1a7f37; --loss: #cf222e; --noise: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; background: var(--bg-soft); padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.verdict { margin: 16px 0; padding: 12px 16px; border-left: 5px solid var(--muted); background: var(--bg-soft); border-radius: 6px; }
.verdict.pass { border-color: var(--gain); } .verdict.fail { border-color: var(--loss); } .verdict.not-measurable { border-color: var(--noise); }
.verdict p { margin: 4px 0; }
.headline { font-size: 16px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; font-size: 12px; letter-spacing: .03em; }
.badge.pass { background: var(--gain); } .badge.fail { background: var(--loss); } .badge.not-measurable { background: var(--noise); }
nav { font-size: 13px; color: var(--muted); } nav a { color: inherit; margin-right: 12px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.fail td { background: #ffebe9; }
.ok { color: var(--gain); font-weight: 700; } .bad { color: var(--loss); font-weight: 700; } .warn { color: var(--noise); font-weight: 700; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(168px, 1fr)); gap: 10px; }
.tile { margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; font-size: 12px; }
.tile.broken { border-top: 3px solid var(--loss); } .tile.fixed { border-top: 3px solid var(--gain); }
.thumb { display: flex; align-items: center; justify-content: center; height: 100px; background: var(--bg-soft); border-radius: 4px; }
.thumb img { max-width: 96px; max-height: 96px; image-rendering: pixelated; }
.no-image { color: var(--muted); }
.tile figcaption { margin-top: 6px; line-height: 1.45; }
.tile figcaption div { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tile .id { color: var(--muted); font-size: 11px; }
.chart { margin: 8px 0 16px; } .chart h3 { margin-top: 8px; }
.chart svg { max-width: 100%; height: auto; }
.chart .grid { stroke: #eaeef2; stroke-width: 1; }
.chart .tick { fill: var(--muted); font-size: 11px; }
.heatmaps { display: flex; flex-wrap: wrap; gap: 12px 24px; } .heatmap { margin: 0; } .heatmap h3 { margin: 8px 0 0; }
.heatmap svg { max-width: 100%; height: auto; } .heatmap .tick { fill: var(--muted); font-size: 11px; }
.notice { margin: 8px 0; padding: 8px 12px; border-left: 4px solid var(--noise); background: #fff8c5; border-radius: 6px; }
.legend { margin-right: 14px; font-size: 12px; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 3px; margin: 0 5px 3px 0; vertical-align: middle; }
${SERIES_COLOURS.map((c, k) => `.swatch.c${k} { background: ${c}; }`).join('\n')}
details > summary { cursor: pointer; font-weight: 600; margin: 16px 0 4px; }
footer { margin-top: 40px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
`;
