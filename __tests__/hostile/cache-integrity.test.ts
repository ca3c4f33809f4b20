/**
 * The local eval-set cache is the verified set, not whatever its folder holds now. After one
 * verified run, the cache entry is tampered with: every Trouser image moved into Bag/ (the audit's
 * case), or two images of the same size swapped between classes (so names and sizes still match).
 * The next run notices (the listing, or the decode's own read of each image), evicts the entry,
 * extracts it again from the verified archive, and scores exactly what the first run scored.
 */
import { copyFile, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEntryListing, changedUndecodedFile, evictEntry, manifestPath } from '../../src/evalset/integrity.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { silentProgress } from '../../src/progress.js';
import { smallEvalSet } from '../helpers/shared.js';
import { runCli } from '../helpers/run-cli.js';
import { DWNET, LENET, smallConfig } from './evalset-fixture.js';

let dir: string;
let cache: string;
let archive: string;
let sha256: string;
let entry: string;
type Report = { models: { baseline: { metrics: unknown }; candidate: { metrics: unknown } }; comparison: Record<string, unknown>; evalSet: { samples: number; sha256: string } };
let first: Report;
/** The comparison without what is measured in time. */
const accuracyOf = (report: Report) => Object.fromEntries(Object.entries(report.comparison).filter(([key]) => !/latency/i.test(key)));

async function compare(name: string) {
  const config = join(dir, `${name}.yml`);
  await writeFile(config, smallConfig(archive, sha256));
  const json = join(dir, `${name}.json`);
  const result = await runCli(['compare', '--config', config, '--baseline', LENET, '--candidate', DWNET, '--json', json, '--quiet'], { cacheDir: cache });
  expect(result.stderr).not.toMatch(/internal error/);
  expect([0, 1]).toContain(result.code);
  return { result, report: JSON.parse(await readFile(json, 'utf8')) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-cache-integrity-'));
  cache = join(dir, 'cache');
  ({ sha256 } = smallEvalSet());
  archive = join(dir, 'fmnist-2k.tar.gz');
  await copyFile(smallEvalSet().archive, archive);
  entry = join(cache, 'evalsets', sha256);
  first = (await compare('first')).report;
  expect(first.evalSet.samples).toBe(2000);
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const classDir = (name: string) => join(entry, 'fmnist-test', name);

test('every Trouser image moved into Bag/: evicted, extracted again, the same figures as the verified run', async () => {
  const trousers = await readdir(classDir('Trouser'));
  expect(trousers.length).toBeGreaterThan(100);
  for (const file of trousers) await rename(join(classDir('Trouser'), file), join(classDir('Bag'), file));
  const { report } = await compare('moved');
  expect(report.evalSet.samples).toBe(2000);
  expect(report.evalSet.fromCache).toBe(false);
  expect(report.models.baseline.metrics).toEqual(first.models.baseline.metrics);
  expect(report.models.candidate.metrics).toEqual(first.models.candidate.metrics);
  expect(accuracyOf(report)).toEqual(accuracyOf(first));
  expect(report.evalSet.notes).toHaveLength(1);
  expect(report.evalSet.notes[0]).toMatch(
    new RegExp(
      `^The cached eval set ${entry} is not the one extracted from the verified archive \\(fmnist-test/Bag/\\d{5}\\.png was not in the archive\\): it was removed and extracted again from ${archive}\\.$`,
    ),
  );
  expect((await readdir(classDir('Trouser'))).sort()).toEqual(trousers.sort());
}, 120_000);

test('two images of the same size swapped between classes: caught by the decode, rebuilt, the same figures', async () => {
  const bySize = new Map<number, string>();
  let pair: [string, string] | null = null;
  for (const name of ['Trouser', 'Sandal', 'Bag', 'Coat']) {
    for (const file of await readdir(classDir(name))) {
      const path = join(classDir(name), file);
      const size = (await stat(path)).size;
      const other = bySize.get(size);
      if (other && !other.startsWith(classDir(name))) pair = [other, path];
      else bySize.set(size, path);
      if (pair) break;
    }
    if (pair) break;
  }
  if (!pair) throw new Error('no two images of one size in different classes');
  const [a, b] = pair;
  const [bytesA, bytesB] = [await readFile(a), await readFile(b)];
  expect(bytesA.equals(bytesB)).toBe(false);
  await writeFile(a, bytesB);
  await writeFile(b, bytesA);
  expect(await checkEntryListing(entry)).toMatchObject({ ok: true }); // names and sizes still match
  const { report } = await compare('swapped');
  expect(report.models.baseline.metrics).toEqual(first.models.baseline.metrics);
  expect(report.models.candidate.metrics).toEqual(first.models.candidate.metrics);
  expect(accuracyOf(report)).toEqual(accuracyOf(first));
  expect(report.evalSet.notes).toEqual([
    'An image of the cached eval set was not the file extracted from the verified archive: the cache entry was removed and extracted again, and the evaluation started again.',
  ]);
  expect((await readFile(a)).equals(bytesA)).toBe(true);
  expect((await readFile(b)).equals(bytesB)).toBe(true);
}, 120_000);

test('a changed file the decode does not read (as a labels file or a README) is found once the samples are read', async () => {
  const readme = join(entry, 'fmnist-test', 'README.md');
  const resolved = await resolveEvalSet({ source: archive, sha256, format: 'class-folders', manifest: null }, { cacheDir: cache, progress: silentProgress });
  const images = new Set([...(resolved.expectedSha256 as Map<string, string>).keys()].filter((f) => f.endsWith('.png')));
  expect(await changedUndecodedFile(resolved.expectedSha256 as Map<string, string>, images)).toBeNull();
  const anImage = [...images][0];
  const original = await readFile(anImage);
  await writeFile(anImage, Buffer.concat([original.subarray(0, -1), Buffer.from([original.at(-1)! ^ 1])]));
  const listing = await checkEntryListing(entry);
  expect(listing.ok).toBe(true);
  // Not a sample (as a README would be): hashed here, and named.
  const withoutIt = new Set([...images].filter((f) => f !== anImage));
  expect(await changedUndecodedFile(resolved.expectedSha256 as Map<string, string>, withoutIt)).toBe(anImage);
  await writeFile(anImage, original);
  await writeFile(readme, 'added later');
  expect(await checkEntryListing(entry)).toEqual({ ok: false, problem: 'fmnist-test/README.md was not in the archive' });
  await rm(readme);
});

test('an entry without its record of files (an older model-gate, or a crash) is not trusted', async () => {
  await rm(manifestPath(entry));
  expect(await checkEntryListing(entry)).toEqual({ ok: false, problem: 'it has no record of its files (built by an older model-gate, or interrupted)' });
  const again = await resolveEvalSet({ source: archive, sha256, format: 'class-folders', manifest: null }, { cacheDir: cache, progress: silentProgress });
  expect(again.fromCache).toBe(false);
  expect(await checkEntryListing(entry)).toMatchObject({ ok: true });
});

test('tampered, and the archive is gone: the run fails naming it, and scores nothing', async () => {
  const trousers = await readdir(classDir('Trouser'));
  await rename(join(classDir('Trouser'), trousers[0]), join(classDir('Bag'), trousers[0]));
  await rm(archive);
  const config = join(dir, 'gone.yml');
  await writeFile(config, smallConfig(archive, sha256));
  const result = await runCli(['compare', '--config', config, '--baseline', LENET, '--candidate', DWNET, '--quiet'], { cacheDir: cache });
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(`model-gate: eval.source in ${config}: '${archive}' not found.\n`);
  expect(result.stdout).toBe('');
  await evictEntry(entry);
}, 60_000);
