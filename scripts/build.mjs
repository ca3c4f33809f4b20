// @ts-check
// Bundles the CLI and the Action entry into dist/. Native modules stay external: they are
// loaded from node_modules at run time (see README "How the Action finds its native modules").
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

// `--outdir DIR` builds elsewhere (the freshness test compares that build with the committed dist/).
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'dist';

// Some bundled dependencies are CommonJS and call require(); give ESM output one.
const requireBanner = "import { createRequire as __mgCreateRequire } from 'node:module';\nconst require = __mgCreateRequire(import.meta.url);";

/** @type {import('esbuild').BuildOptions} */
const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['onnxruntime-node', 'sharp'],
  banner: { js: requireBanner },
  legalComments: 'none',
  logLevel: 'warning',
};

// The Action (action.yml runs dist/index.js).
await build({ ...shared, entryPoints: ['src/index.ts'], outfile: `${outdir}/index.js` });

// The decode pool's worker thread (src/preprocess/pool.ts looks for it next to the bundle).
await build({ ...shared, entryPoints: ['src/preprocess/decode-worker.ts'], outfile: `${outdir}/decode-worker.js` });

await build({ ...shared, entryPoints: ['src/cli.ts'], outfile: `${outdir}/cli.js`, banner: { js: '#!/usr/bin/env node\n' + requireBanner } });

// The CLI is a bin: keep it executable for people who run dist/cli.js directly.
chmodSync(`${outdir}/cli.js`, 0o755);
