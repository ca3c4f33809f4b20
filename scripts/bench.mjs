// @ts-check
// Bundles scripts/bench.ts (which imports the sources directly) and runs it; scripts/bench-quantize.ts,
// which bench.ts runs as child processes to measure peak RSS, is bundled next to it and found through
// MODEL_GATE_BENCH_QUANTIZE. The bundles go under node_modules/.cache so that their imports of
// onnxruntime-node and sharp resolve to ours.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const dir = join(process.cwd(), 'node_modules', '.cache', 'model-gate-bench');
const outfile = join(dir, `bench-${process.pid}.mjs`);
const childfile = join(dir, `bench-quantize-${process.pid}.mjs`);
mkdirSync(dir, { recursive: true });
/** @type {import('esbuild').BuildOptions} */
const options = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['onnxruntime-node', 'sharp'],
  logLevel: 'warning',
  banner: { js: "import { createRequire as __mgCreateRequire } from 'node:module';\nconst require = __mgCreateRequire(import.meta.url);" },
};
try {
  await build({ ...options, entryPoints: ['scripts/bench.ts'], outfile });
  await build({ ...options, entryPoints: ['scripts/bench-quantize.ts'], outfile: childfile });
  // The decode pool looks for its worker next to the running bundle.
  await build({ ...options, entryPoints: ['src/preprocess/decode-worker.ts'], outfile: join(dir, 'decode-worker.js') });
  process.env.MODEL_GATE_BENCH_QUANTIZE = childfile;
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
  rmSync(childfile, { force: true });
}
