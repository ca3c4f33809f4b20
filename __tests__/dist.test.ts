/**
 * dist/ is committed so `npx model-gate` works after `npm ci`; it must be what the sources build
 * to. The fresh build is the one global-setup.mjs made for this run (the end-to-end tests run it).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtDist } from './helpers/shared.js';

it('dist/ matches a fresh build of src/ (run `npm run build` and commit dist/ if this fails)', async () => {
  for (const file of ['index.js', 'cli.js'] as const) {
    const fresh = await readFile(builtDist(file), 'utf8');
    const committed = await readFile(join('dist', file), 'utf8');
    expect(committed === fresh).toBe(true);
  }
});

it('the version in src/version.ts is the package version', async () => {
  const pkg = JSON.parse(await readFile('package.json', 'utf8'));
  const source = await readFile('src/version.ts', 'utf8');
  expect(source).toContain(`VERSION = '${pkg.version}'`);
});
