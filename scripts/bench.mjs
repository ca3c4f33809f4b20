// Bundles scripts/bench.ts (which imports the sources directly) and runs it. The bundle goes under
// node_modules/.cache so that its imports of onnxruntime-node and sharp resolve to ours.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const dir = join(process.cwd(), 'node_modules', '.cache', 'model-gate-bench');
const outfile = join(dir, `bench-${process.pid}.mjs`);
mkdirSync(dir, { recursive: true });
try {
  await build({
    entryPoints: ['scripts/bench.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm',
    external: ['onnxruntime-node', 'sharp'], logLevel: 'warning',
    banner: { js: "import { createRequire as __mgCreateRequire } from 'node:module';\nconst require = __mgCreateRequire(import.meta.url);" },
  });
  // The decode pool looks for its worker next to the running bundle.
  await build({
    entryPoints: ['src/preprocess/decode-worker.ts'], outfile: join(dir, 'decode-worker.js'), bundle: true, platform: 'node', target: 'node20', format: 'esm',
    external: ['onnxruntime-node', 'sharp'], logLevel: 'warning',
    banner: { js: "import { createRequire as __mgCreateRequire } from 'node:module';\nconst require = __mgCreateRequire(import.meta.url);" },
  });
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
