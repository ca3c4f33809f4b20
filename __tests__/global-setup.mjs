// @ts-check
/**
 * Built once per jest run and shared by the test files, which find it through the
 * MODEL_GATE_TEST_SHARED folder (helpers/shared.ts):
 * - dist/ built fresh from src/: the end-to-end tests run this build, so they always test the
 *   current sources, and dist.test.ts compares the committed dist/ with it;
 * - the Action tests' small eval set: 2,000 of the example's 10,000 images, repacked;
 * - one eval-set cache holding the examples' eval sets, verified and extracted here once
 *   (helpers/prepare-evalsets.ts) instead of once per test file; the cache is content-addressed
 *   and safe for concurrent runs, as it is in production.
 * The folder is under node_modules/.cache so that the built bundles find onnxruntime-node and
 * sharp, which stay external, as dist/ does.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleScript } from './helpers/bundle.mjs';

const run = promisify(execFile);

export default async function globalSetup() {
  const cache = join(process.cwd(), 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  // A run that was killed leaves its folder behind; a day later it is surely not in use.
  for (const name of await readdir(cache)) {
    const old = join(cache, name);
    if (name.startsWith('model-gate-tests-') && Date.now() - (await stat(old)).mtimeMs > 86_400_000) await rm(old, { recursive: true, force: true });
  }
  const shared = await mkdtemp(join(cache, 'model-gate-tests-'));
  process.env.MODEL_GATE_TEST_SHARED = shared;
  await mkdir(join(shared, 'evalset-cache'));
  const example = join(process.cwd(), 'examples', 'fashion-mnist', 'fmnist-test.tar.gz');
  const tree = join(shared, 'fmnist-2k');
  await mkdir(tree);
  /** The Action tests' set: indices 00000–01999 of every class folder, repacked. */
  const smallSet = async () => {
    await run('tar', ['xzf', example, '-C', tree, '--wildcards', 'fmnist-test/*/0[01]*.png']);
    const archive = join(shared, 'fmnist-2k.tar.gz');
    await run('tar', ['czf', archive, '-C', tree, 'fmnist-test']);
    const sha256 = createHash('sha256')
      .update(await readFile(archive))
      .digest('hex');
    await writeFile(join(shared, 'fmnist-2k.json'), JSON.stringify({ archive, sha256 }));
    return { archive, sha256 };
  };
  const prepareScript = () => bundleScript('__tests__/helpers/prepare-evalsets.ts', join(shared, 'prepare-evalsets.mjs'));
  await Promise.all([
    run(process.execPath, ['scripts/build.mjs', '--outdir', join(shared, 'dist')]),
    Promise.all([smallSet(), prepareScript()]).then(([small, script]) => run(process.execPath, [script, join(shared, 'evalset-cache'), small.archive, small.sha256])),
  ]);
}
