/**
 * Opens the HTML report in headless Chromium (Debian's `chromium`, driven by playwright-core; no
 * browser is downloaded) and checks what only a browser can: the gallery's images decode, the
 * inline stylesheet is allowed by the report's own Content-Security-Policy, and the page makes no
 * request beyond its own file. Writes __outputs__/html-report.{html,png} for a person to look at.
 *
 * Without /usr/bin/chromium the test fails when CI is set (.ci/run installs it), and locally is
 * skipped with a printed reason and the install command, so a laptop without Chromium can still
 * run the suite.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { thumbnailDataUrl } from '../../src/preprocess/thumbnail.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { galleryFromClassification } from '../../src/tasks/classification/gallery.js';
import { classificationTask } from '../../src/tasks/classification/index.js';
import { compareClassification } from '../../src/tasks/classification/metrics.js';
import { readClassFolders } from '../../src/tasks/classification/samples.js';
import { CLASSES } from '../report/fixtures.js';
import { extractFmnistImages, fmnistLikeReport, historyCharts, right, wrong } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const outputs = join(process.cwd(), '__outputs__');

const present = existsSync(CHROMIUM);
if (!present && !process.env.CI) {
  console.warn(`HTML report browser test skipped: ${CHROMIUM} not found. Install Debian's chromium (apt-get install chromium), as .ci/run does.`);
}
const browserIt = present || process.env.CI ? it : it.skip;

describe('HTML report in headless Chromium', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'model-gate-html-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  browserIt('renders the gallery of real Fashion-MNIST images, the verdict and the styles, with no network request', async () => {
    if (!present) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium); .ci/run does this before npm test`);
    // 20 real images, 2 per class. By construction (i mod 5): 0 and 1 are newly broken, 2 fixed,
    // 3 and 4 right in both, so the gallery must show 8 + 4 = 12 images.
    const samples = await readClassFolders(extractFmnistImages(work, 2), CLASSES);
    expect(samples).toHaveLength(20);
    const baseline = samples.map((s, i) => (i % 5 === 2 ? wrong(s.label) : right(s.label)));
    const candidate = samples.map((s, i) => (i % 5 <= 1 ? wrong(s.label) : right(s.label)));
    const { flips } = compareClassification(
      baseline,
      candidate,
      samples.map((s) => s.label),
      samples.map((s) => s.id),
      CLASSES,
    );
    const gallery = await galleryFromClassification({ flips, samples, classes: CLASSES, baseline, candidate }, (file) => thumbnailDataUrl(file, 96));
    expect([gallery.broken.length, gallery.fixed.length]).toEqual([8, 4]);

    const html = renderHtmlReport({ report: fmnistLikeReport(), task: classificationTask, title: 'fashion-mnist', gallery, history: historyCharts() });
    mkdirSync(outputs, { recursive: true });
    const file = join(outputs, 'html-report.html');
    writeFileSync(file, html);
    const fileUrl = pathToFileURL(file).href;

    const context = await chromium.launchPersistentContext(mkdtempSync(join(work, 'profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 900 },
    });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(fileUrl, { waitUntil: 'load' });

      const images = await page.$$eval('#gallery img', (imgs) =>
        imgs.map((img) => {
          // Runs in the page; the project compiles without DOM types, so the element is read structurally.
          const i = img as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
          return { complete: i.complete, width: i.naturalWidth, height: i.naturalHeight };
        }),
      );
      expect(images).toHaveLength(12);
      // Each 28×28 image enlarged ×3 (the largest whole factor within 96 px) with nearest-neighbour.
      for (const image of images) expect(image).toEqual({ complete: true, width: 84, height: 84 });
      expect(await page.locator('#gallery .tile.broken').count()).toBe(8);
      expect(await page.locator('#gallery .tile.fixed').count()).toBe(4);

      const verdict = (await page.textContent('#verdict')) ?? '';
      expect(verdict).toContain('✅ Gates passed. Accuracy: real gain, the candidate fixes 27.7% of baseline errors (95% CI 23.8–31.4%, McNemar p < 1e-30)');
      expect(verdict).toContain('PASS');
      // The stylesheet is allowed by its CSP hash only if the hash is right: the badge is green.
      expect(await page.$eval('.badge', (el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toBe(
        'rgb(26, 127, 55)',
      );
      expect(await page.locator('svg polyline').count()).toBeGreaterThanOrEqual(4);

      // Only the report itself may be fetched; data: URLs are not network requests.
      const foreign = requests.filter((url) => url !== fileUrl && !url.startsWith('data:'));
      expect(foreign).toEqual([]);
      expect(problems).toEqual([]);
      await page.screenshot({ path: join(outputs, 'html-report.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
