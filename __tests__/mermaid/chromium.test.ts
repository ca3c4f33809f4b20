/**
 * The Mermaid charts of the PR comment and of the nightly tracking issue, rendered as GitHub
 * renders them: the `mermaid` npm package in headless Chromium (Debian's `chromium`, driven by
 * playwright-core, as __tests__/html/browser.test.ts). Each chart must parse, and, drawn in
 * Mermaid's light ('default') and 'dark' themes on GitHub's page colours:
 * - the series colour keeps a contrast of at least 3 against the page (WCAG 1.4.11 for graphics);
 * - the PR chart's bar axis starts at 0;
 * - no two x-axis labels overlap or touch (3 px apart at least), with 15 and with 30 nights.
 * Screenshots go to __outputs__/mermaid-*.png. Without /usr/bin/chromium the test fails when CI is
 * set (.ci/run installs it) and is skipped locally with the reason.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { renderNightly } from '../../src/nightly/render.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { classificationTask } from '../../src/tasks/classification/index.js';
import { makeRecord } from '../history/records.js';
import { around, syntheticReport } from '../report/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MERMAID = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
const outputs = join(process.cwd(), '__outputs__');
/** GitHub's page backgrounds, light and dark, with the Mermaid theme GitHub picks for each. */
const THEMES = [
  { name: 'light', mermaid: 'default', page: '#ffffff' },
  { name: 'dark', mermaid: 'dark', page: '#0d1117' },
] as const;

const present = existsSync(CHROMIUM);
if (!present && !process.env.CI) {
  console.warn(`Mermaid chart test skipped: ${CHROMIUM} not found. Install Debian's chromium (apt-get install chromium), as .ci/run does.`);
}
const browserIt = present || process.env.CI ? it : it.skip;

/** The text of each ```mermaid block of a Markdown document. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** WCAG relative luminance and contrast ratio of two CSS colours given as rgb()/#rrggbb. */
function luminance(colour: string): number {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour)?.[1];
  const rgb = hex ? [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) : (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  if (rgb.length !== 3) throw new Error(`not a colour: ${colour}`);
  const [r, g, b] = rgb.map((v) => v / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

interface Drawn {
  error: string | null;
  background: string | null;
  series: string[];
  xLabels: { text: string; left: number; right: number }[];
  yTicks: string[];
}

/** Parses and renders one chart in the page; returns what was drawn. */
async function draw(page: Page, text: string, theme: string, id: string): Promise<Drawn> {
  return page.evaluate(
    async ({ text, theme, id }) => {
      // Runs in the page, where the mermaid script set a global; the project compiles without DOM types.
      const g = globalThis as unknown as {
        mermaid: { initialize(c: object): void; parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> };
        document: {
          getElementById(id: string): {
            innerHTML: string;
            querySelectorAll(s: string): ArrayLike<{ textContent: string; getAttribute(a: string): string | null; getBoundingClientRect(): { left: number; right: number } }>;
          };
        };
      };
      g.mermaid.initialize({ startOnLoad: false, theme, securityLevel: 'strict' });
      try {
        await g.mermaid.parse(text);
        const { svg } = await g.mermaid.render(`${id}-svg`, text);
        const host = g.document.getElementById('charts');
        host.innerHTML += `<div class="chart" id="${id}">${svg}</div>`;
        const box = g.document.getElementById(id);
        const all = (selector: string) => Array.from(box.querySelectorAll(selector));
        return {
          error: null,
          background: all('rect.background')[0]?.getAttribute('fill') ?? null,
          series: [...all('.plot rect'), ...all('.plot path')].map((e) =>
            e.getAttribute('fill') !== 'none' && e.getAttribute('fill') ? (e.getAttribute('fill') as string) : (e.getAttribute('stroke') as string),
          ),
          xLabels: all('.bottom-axis .label text')
            .map((e) => ({ text: e.textContent, ...e.getBoundingClientRect() }))
            .map(({ text, left, right }) => ({ text, left, right })),
          yTicks: all('.left-axis .label text').map((e) => e.textContent),
        };
      } catch (error) {
        return { error: String(error), background: null, series: [], xLabels: [], yTicks: [] };
      }
    },
    { text, theme, id },
  );
}

function expectApart(labels: Drawn['xLabels']): void {
  const sorted = [...labels].sort((a, b) => a.left - b.left);
  for (let i = 1; i < sorted.length; i++) {
    // At least 3 px of space between two labels, so they read as two.
    if (sorted[i].left < sorted[i - 1].right + 3) throw new Error(`x labels overlap: '${sorted[i - 1].text}' and '${sorted[i].text}'`);
  }
}

const nights = (n: number) => {
  // From 2025-01-20, so both 15 and 30 nights cross into February (a month label mid-axis).
  const history = Array.from({ length: n }, (_, i) => makeRecord({ night: 19 + i, top1: 0.87 + 0.004 * Math.sin(i), p50Ms: 2 + 0.1 * Math.cos(i) }));
  return renderNightly({ schemaVersion: 1, kind: 'model-gate-nightly', verdict: 'pass', records: [history[n - 1]], findings: [], history: history.slice(0, -1) }, 'model-gate.yml');
};

describe('Mermaid charts in headless Chromium', () => {
  let work: string;
  let context: BrowserContext;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'model-gate-mermaid-'));
    if (!present) return;
    context = await chromium.launchPersistentContext(mkdtempSync(join(work, 'profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 960, height: 600 },
    });
  });
  afterAll(async () => {
    await context?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const documents = () => ({
    comment: renderMarkdown(syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) }), classificationTask, { marker: 'm' }),
    'nightly-15': nights(15),
    'nightly-30': nights(30),
  });

  browserIt(
    'every chart parses; colours read on light and dark; the bar axis starts at 0; x labels stay apart',
    async () => {
      if (!present) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium); .ci/run does this before npm test`);
      mkdirSync(outputs, { recursive: true });
      const docs = documents();
      expect(mermaidBlocks(docs.comment)).toHaveLength(1);
      expect(mermaidBlocks(docs['nightly-15'])).toHaveLength(2);
      for (const theme of THEMES) {
        for (const [name, markdown] of Object.entries(docs)) {
          const page = await context.newPage();
          await page.setContent(`<html><body style="margin:0;background:${theme.page}"><div id="charts" style="width:900px"></div></body></html>`);
          await page.addScriptTag({ path: MERMAID });
          const blocks = mermaidBlocks(markdown);
          for (const [i, text] of blocks.entries()) {
            const drawn = await draw(page, text, theme.mermaid, `c${i}`);
            expect({ chart: `${name} #${i}`, error: drawn.error }).toEqual({ chart: `${name} #${i}`, error: null });
            expect(drawn.series.length).toBeGreaterThan(0);
            // The chart's own background is transparent, so the series sits on GitHub's page colour.
            expect(drawn.background).toBe('transparent');
            for (const colour of drawn.series) expect({ colour, readable: contrast(colour, theme.page) >= 3 }).toEqual({ colour, readable: true });
            expectApart(drawn.xLabels);
            if (name === 'comment') {
              expect(Math.min(...drawn.yTicks.map(Number))).toBe(0);
              expect(drawn.xLabels.map((l) => l.text)).toEqual(['baseline · 87.11% · 0.026 ms', 'candidate · 90.68% · 0.041 ms']);
            } else {
              expect(drawn.xLabels).toHaveLength(Number(name.split('-')[1]));
            }
          }
          await page.screenshot({ path: join(outputs, `mermaid-${name}-${theme.name}.png`), fullPage: true });
          await page.close();
        }
      }
    },
    120_000,
  );

  it('finds the blocks of a document', () => {
    expect(mermaidBlocks('a\n```mermaid\nxychart-beta\n  title "t"\n```\nb\n```mermaid\npie\n```\n')).toEqual(['xychart-beta\n  title "t"\n', 'pie\n']);
  });
});
