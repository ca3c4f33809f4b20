/**
 * A class-folders eval set with files at its top (README.md, labels.csv) and an empty class
 * folder: the files are ignored as torchvision's ImageFolder ignores them, and both facts are
 * warned about in the report (Markdown, HTML and JSON), not only on stderr.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readClassFolders, readManifest } from '../../src/tasks/classification/samples.js';
import { runCli } from '../helpers/run-cli.js';
import { CLASSES, DWNET, LENET, smallConfig, unpackSmallSet } from './evalset-fixture.js';

const IGNORED =
  "eval set: ignored 2 files at the top of the class folders ('README.md', 'labels.csv'): images belong in <class>/ folders, and torchvision's ImageFolder ignores files there too";
const EMPTY = "eval set: class folder 'Trouser/' has no images, so class 'Trouser' is not measured: no image of it is scored";

let dir: string;
let root: string;
/** Images left once Trouser/ is emptied: the 2,000 less Trouser's own. */
let kept: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-class-folders-'));
  root = await unpackSmallSet(join(dir, 'set'));
  const trousers = await readdir(join(root, 'Trouser'));
  expect(trousers.length).toBeGreaterThan(100);
  kept = 2000 - trousers.length;
  for (const file of trousers) await rm(join(root, 'Trouser', file));
  await writeFile(join(root, 'README.md'), '# Fashion-MNIST test, 2,000 images\n');
  await writeFile(join(root, 'labels.csv'), 'path,label\n');
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

test('readClassFolders ignores the top-level files and warns about them and the empty class', async () => {
  const warnings: string[] = [];
  const samples = await readClassFolders(root, CLASSES, (m) => warnings.push(m));
  expect(samples).toHaveLength(kept);
  expect(samples.some((s) => s.label === 1)).toBe(false);
  expect(warnings).toEqual([IGNORED, EMPTY]);
});

test('a class with no folder at all, and a manifest that lists no image of a class, are warned about too', async () => {
  const warnings: string[] = [];
  await readClassFolders(join(root), [...CLASSES, 'Hat'], (m) => warnings.push(m));
  expect(warnings.at(-1)).toBe("eval set: there is no folder 'Hat/', so class 'Hat' is not measured: no image of it is scored");
  await writeFile(join(dir, 'set', 'two.csv'), 'fmnist-test/Bag/00018.png,Bag\n');
  warnings.length = 0;
  await readManifest(join(dir, 'set'), 'two.csv', ['Bag', 'Coat'], (m) => warnings.push(m));
  expect(warnings).toEqual(["eval set: 'two.csv' lists no image of class 'Coat', so class 'Coat' is not measured: no image of it is scored"]);
});

test('the CLI scores the images left and the report says so under the verdict', async () => {
  const config = join(dir, 'model-gate.yml');
  await writeFile(config, smallConfig(root, null));
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  const result = await runCli(['compare', '--config', config, '--baseline', LENET, '--candidate', DWNET, '--json', json, '--html', html], { cacheDir: join(dir, 'cache') });
  expect(result.code).toBe(0);
  expect(result.stderr).toContain(IGNORED);
  const report = JSON.parse(await readFile(json, 'utf8'));
  expect(report.evalSet.samples).toBe(kept);
  expect(report.evalSet.notes).toEqual([IGNORED, EMPTY]);
  const lines = result.stdout.split('\n');
  const alert = lines.indexOf('> [!WARNING]');
  expect(alert).toBeGreaterThan(0);
  expect(lines[alert - 2]).toMatch(/^\*\*(✅|❌) /); // the verdict line comes first
  expect(lines.slice(alert, alert + 4)).toEqual([
    '> [!WARNING]',
    '> **The eval set is not what the figures may suggest:**',
    "> - eval set: ignored 2 files at the top of the class folders ('README.md', 'labels.csv'): images belong in \\<class\\>/ folders, and torchvision's ImageFolder ignores files there too",
    "> - eval set: class folder 'Trouser/' has no images, so class 'Trouser' is not measured: no image of it is scored",
  ]);
  expect(await readFile(html, 'utf8')).toContain(`<li>${EMPTY.replace(/'/g, '&#39;')}</li>`);
});
