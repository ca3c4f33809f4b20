/**
 * The decode worker as dist/ ships it, built from the current sources: jest runs TypeScript in its
 * own module system, which a worker thread can't use, so tests that want real worker threads get
 * this bundle. It sits under node_modules/.cache so its import of sharp resolves to ours.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

let built: Promise<URL> | null = null;

export function builtDecodeWorker(): Promise<URL> {
  built ??= (async () => {
    const dir = join(process.cwd(), 'node_modules', '.cache', 'model-gate-test');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `decode-worker-${process.pid}.js`);
    await build({
      entryPoints: ['src/preprocess/decode-worker.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm',
      external: ['onnxruntime-node', 'sharp'], logLevel: 'warning',
      banner: { js: "import { createRequire as __mgCreateRequire } from 'node:module';\nconst require = __mgCreateRequire(import.meta.url);" },
    });
    return pathToFileURL(outfile);
  })();
  return built;
}
