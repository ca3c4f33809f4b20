/**
 * Run once per jest run by global-setup.mjs (bundled with esbuild): verifies and extracts the
 * examples' eval sets into the run's shared cache before any test file starts, so test files that
 * start together do not each extract the same 10,000 images. Reads the example configs as the
 * CLI does, plus the Action tests' small set. Usage: node prepare-evalsets.mjs CACHE_DIR ARCHIVE SHA256
 */
import { loadConfig } from '../../src/config/load.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { silentProgress } from '../../src/progress.js';

const [cacheDir, smallArchive, smallSha256] = process.argv.slice(2);
const environment = { cwd: process.cwd(), env: {}, stderrIsTTY: false };
for (const example of ['examples/fashion-mnist/model-gate.yml', 'examples/fmnist-det/model-gate.yml']) {
  const config = await loadConfig({ config: example }, environment);
  await resolveEvalSet(config.eval, { cacheDir, progress: silentProgress });
}
await resolveEvalSet({ source: smallArchive, sha256: smallSha256, format: 'class-folders', manifest: null }, { cacheDir, progress: silentProgress });
