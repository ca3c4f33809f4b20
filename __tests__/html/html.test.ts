import { createHash } from 'node:crypto';
import type { TaskName } from '../../src/config/types.js';
import type { GalleryItem } from '../../src/contracts/gallery.js';
import type { Report } from '../../src/contracts/report.js';
import { renderHtmlReport, type HtmlReportInput } from '../../src/report/html.js';
import { GALLERY_LIMIT } from '../../src/report/html-gallery.js';
import { taskFor } from '../../src/tasks/index.js';
import { around, syntheticReport } from '../report/fixtures.js';
import { fmnistLikeReport, historyCharts } from './fixtures.js';

/** The renderer checks only the form of a thumbnail URL; the browser test decodes real images. */
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';
const item = (id: string, over: Partial<GalleryItem> = {}): GalleryItem => ({ id, label: 'Coat', baseline: 'Coat', candidate: 'Shirt', thumbnail: PIXEL, ...over });
const count = (html: string, needle: string) => html.split(needle).length - 1;
/** As the engine renders: with the task the report names. */
const renderHtml = (input: Omit<HtmlReportInput, 'task'>) => renderHtmlReport({ ...input, task: taskFor(input.report.task as TaskName) });

/** Every URL-valued attribute in the document. */
const urls = (html: string) => [...html.matchAll(/\s(?:src|href|action|poster|srcset|xlink:href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);

describe('renderHtmlReport', () => {
  const report = fmnistLikeReport();

  it('holds the verdict and the full tables, with the figures the Markdown shows', () => {
    const html = renderHtml({ report, title: 'fashion-mnist', gallery: null });
    // Figures DESIGN.md gives for this paired table (pinned in markdown.test.ts as well).
    expect(html).toContain(
      '<p class="headline"><strong>✅ Gates passed.</strong> <strong>Accuracy: real gain</strong>, the candidate fixes <strong>27.7%</strong> of baseline errors (95% CI 23.8–31.4%, McNemar p &lt; 1e-30)',
    );
    expect(html).toContain('<section class="verdict pass" id="verdict">');
    expect(html).toContain('<td class="num">87.11% (86.44–87.75%)</td><td class="num">90.68% (90.09–91.23%)</td><td class="num">+3.57 pt (+3.01 to +4.14 pt)</td>');
    expect(html).toContain('<span class="badge pass">PASS</span> gates: all 5 passed');
    // int8: 20 and 40 of 10,000 lost by construction → −0.20 pt and −0.40 pt.
    expect(html).toContain('fp32→int8 −0.20 pt / −0.40 pt');
    expect(html).toContain('<h2>Post-quantization accuracy (int8)</h2>');
    // Per-class table: all ten classes, 1,000 samples each (label = i mod 10).
    expect(count(html, '<td class="num">1,000</td>')).toBe(10);
    for (const section of ['Samples that flipped', 'Latency', 'Model facts', 'Run environment']) expect(html).toContain(`<summary>${section}</summary>`);
    expect(html).not.toContain('id="gallery"');
  });

  it('names the failed gate and shows no int8 section when there is none', () => {
    // The fixture in report/fixtures.ts fails the 25% latency gate (×1.58, markdown.test.ts).
    const failing = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) });
    const html = renderHtml({ report: failing, title: 't', gallery: null });
    expect(html).toContain('<span class="badge fail">FAIL</span> gate <code>max-latency-regression</code> failed: p50 latency ×1.58');
    // Red, like its ❌: the accuracy gain does not make a failed run look green.
    expect(html).toContain(
      '<section class="verdict fail" id="verdict">\n<p class="headline"><strong>❌ Gate failed:</strong> p50 latency ×1.58, at least +55.4% (limit +25%). <strong>Accuracy: real gain</strong>',
    );
    expect(html).toContain('<tr class="fail">');
    expect(html).not.toContain('int8');
  });

  it('warns about a rank flip after quantization', () => {
    // The candidate loses 700 of its right answers in int8: fp32 +3.57 pt becomes negative.
    const flipped = fmnistLikeReport({ baseline: 0, candidate: 700 });
    expect(flipped.comparison.quantized?.rankFlip).toBe(true);
    expect(renderHtml({ report: flipped, title: 't', gallery: null })).toContain('<strong>⚠️ Rank flip after quantization:</strong>');
  });

  it('escapes every user-controlled string', () => {
    const evil = '<img src=x onerror=alert(1)>"\'&';
    const m = report.models;
    const hostile = {
      ...report,
      task: report.task,
      models: { ...m, baseline: { ...m.baseline, label: `${evil}.onnx`, producer: evil }, candidate: { ...m.candidate, sha256: evil } },
      comparison: { ...report.comparison, perClass: [{ ...(report.comparison as { perClass: object[] }).perClass[0], name: `|${evil}|` }] },
      environment: { ...report.environment, cpu: evil },
      gates: [{ ...report.gates[0], passed: false, name: evil, line: evil }],
    } as unknown as Report;
    const html = renderHtml({
      report: hostile,
      title: evil,
      gallery: { broken: [item(evil, { label: evil, baseline: evil, candidate: evil })], fixed: [] },
      history: [{ title: evil, unit: evil, timestamps: [evil], series: [{ name: evil, values: [1] }] }],
    });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('onerror=alert(1)>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    // The only <img> is the gallery's data: URL.
    expect(count(html, '<img ')).toBe(1);
  });

  it('refuses any thumbnail that is not a base64 raster data: URL', () => {
    const bad = ['https://example.com/x.png', 'javascript:alert(1)', 'data:image/svg+xml;base64,PHN2Zy8+', '/etc/passwd', `${PIXEL}" onload="x`];
    const html = renderHtml({ report, title: 't', gallery: { broken: bad.map((t, i) => item(`b${i}`, { thumbnail: t })), fixed: [item('ok')] } });
    expect(count(html, '<img ')).toBe(1);
    expect(count(html, '<span class="no-image">no image</span>')).toBe(bad.length);
    for (const t of bad.slice(0, 4)) expect(html).not.toContain(t);
  });

  it('references nothing outside the file, and its CSP allows exactly its own stylesheet', () => {
    const gallery = { broken: [item('a/1.png')], fixed: [item('b/2.png', { baseline: 'Shirt', candidate: 'Coat' })] };
    const html = renderHtml({ report, title: 't', gallery, history: historyCharts() });
    for (const url of urls(html)) expect(url).toMatch(/^(#[\w-]+|data:.*)$/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/url\(|@import|<script|<link rel="stylesheet"/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    const hash = createHash('sha256').update(style).digest('base64');
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'"`);
    expect(count(html, 'style=')).toBe(0);
  });

  it(`shows at most ${GALLERY_LIMIT} thumbnails per list and says how many more there are`, () => {
    const broken = Array.from({ length: 70 }, (_, i) => item(`broken/${i}.png`));
    const fixed = Array.from({ length: 3 }, (_, i) => item(`fixed/${i}.png`));
    const html = renderHtml({ report, title: 't', gallery: { broken, fixed, brokenTotal: 500 } });
    expect(count(html, '<figure class="tile broken">')).toBe(60);
    expect(count(html, '<figure class="tile fixed">')).toBe(3);
    // 500 in all, 60 shown.
    expect(html).toContain('Newly wrong: the baseline got these right, the candidate does not (500)');
    expect(html).toContain('… and 440 more not shown');
    expect(html).toContain('Fixed: the candidate gets these right, the baseline did not (3)');
    expect(count(html, 'more not shown')).toBe(1);
  });

  it('says so when a gallery list is empty', () => {
    const html = renderHtml({ report, title: 't', gallery: { broken: [], fixed: [item('x')] } });
    expect(html).toContain('does not (0)</h3>\n<p class="muted">None.</p>');
  });

  it('refuses a report of an unknown task with a clear error', () => {
    expect(() => renderHtml({ report: { ...report, task: 'segmentation' }, title: 't', gallery: null })).toThrow("unknown task 'segmentation'");
  });
});
