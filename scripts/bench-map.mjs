// @ts-check
// Bundles scripts/bench-map.ts (which imports the sources directly) and runs it; see that file.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const dir = join(process.cwd(), 'node_modules', '.cache', 'model-gate-bench');
const outfile = join(dir, `bench-map-${process.pid}.mjs`);
mkdirSync(dir, { recursive: true });
try {
  await build({ entryPoints: ['scripts/bench-map.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
