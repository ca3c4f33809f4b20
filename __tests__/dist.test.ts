/** dist/ is committed so `npx model-gate` works after `npm ci`; it must be what the sources build to. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

it('dist/ matches a fresh build of src/ (run `npm run build` and commit dist/ if this fails)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'mg-dist-'));
  try {
    await promisify(execFile)('node', ['scripts/build.mjs', '--outdir', out]);
    for (const file of ['index.js', 'cli.js']) {
      const fresh = await readFile(join(out, file), 'utf8');
      const committed = await readFile(join('dist', file), 'utf8');
      expect(committed === fresh).toBe(true);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

it('the version in src/version.ts is the package version', async () => {
  const pkg = JSON.parse(await readFile('package.json', 'utf8'));
  const source = await readFile('src/version.ts', 'utf8');
  expect(source).toContain(`VERSION = '${pkg.version}'`);
});
