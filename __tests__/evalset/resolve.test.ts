import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { silentProgress } from '../../src/progress.js';
import { evalConfig, listTree, makeTempDir, recordingProgress } from './helpers.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

test('a local folder is used in place, unverified, and nothing is cached', async () => {
  const folder = join(temp.path, 'my-set');
  await mkdir(join(folder, 'cat'), { recursive: true });
  await writeFile(join(folder, 'cat', '1.png'), 'x');
  const cacheDir = join(temp.path, 'cache');
  const resolved = await resolveEvalSet(evalConfig(folder, null), { cacheDir, progress: silentProgress });
  expect(resolved).toEqual({ root: folder, source: folder, sha256: null, fromCache: false, expectedSha256: null, cacheEntry: null });
  expect(await listTree(cacheDir)).toEqual([]);
});

test('a sha256 given for a folder is not claimed as verified: null, with a warning', async () => {
  const progress = recordingProgress();
  const resolved = await resolveEvalSet(evalConfig(temp.path, 'a'.repeat(64)), { cacheDir: join(temp.path, 'cache'), progress });
  expect(resolved.sha256).toBeNull();
  expect(progress.warnings).toEqual([expect.stringContaining('eval.sha256 is ignored')]);
});

test('a missing source is a UserError naming the path', async () => {
  const missing = join(temp.path, 'nope.tar.gz');
  const error = await resolveEvalSet(evalConfig(missing, 'a'.repeat(64)), { cacheDir: temp.path, progress: silentProgress }).catch((e) => e);
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toBe(`eval.source: cannot read ${missing} (no such file or folder).`);
});

test('the Fashion-MNIST example archive matches its pinned sha256 and holds 1,000 PNGs per class', async () => {
  const example = join(repoRoot, 'examples', 'fashion-mnist');
  const archive = join(example, 'fmnist-test.tar.gz');
  const pinned = (await readFile(`${archive}.sha256`, 'utf8')).split(/\s+/)[0];
  const cacheDir = join(temp.path, 'cache');
  const cold = await resolveEvalSet(evalConfig(archive, pinned), { cacheDir, progress: silentProgress });
  expect(cold.root).toBe(join(cacheDir, 'evalsets', pinned, 'fmnist-test'));
  // Model output order, from the model card: T-shirt/top, Trouser, ..., Ankle boot.
  const classes = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle-boot'];
  expect((await readdir(cold.root)).sort()).toEqual([...classes].sort());
  // The Fashion-MNIST test split is balanced: 10,000 images, 1,000 of each class.
  for (const name of classes) {
    const files = await readdir(join(cold.root, name));
    expect(files).toHaveLength(1000);
    expect(files.every((file) => /^\d{5}\.png$/.test(file))).toBe(true);
  }
  // Test image 0 of Fashion-MNIST is an ankle boot (label 9).
  const png = await readFile(join(cold.root, 'Ankle-boot', '00000.png'));
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const warm = await resolveEvalSet(evalConfig(archive, pinned), { cacheDir, progress: silentProgress });
  expect(warm).toEqual({ ...cold, fromCache: true });
});

test('an unusable cache directory is a UserError naming it', async () => {
  const archive = join(repoRoot, 'examples', 'fashion-mnist', 'fmnist-test.tar.gz');
  const pinned = (await readFile(`${archive}.sha256`, 'utf8')).split(/\s+/)[0];
  const notAFolder = join(temp.path, 'cache-is-a-file');
  await writeFile(notAFolder, '');
  const error = await resolveEvalSet(evalConfig(archive, pinned), { cacheDir: notAFolder, progress: silentProgress }).catch((e) => e);
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toContain(`Cannot write the eval-set cache in ${join(notAFolder, 'evalsets')}`);
});
