// Bundles the CLI and the Action entry into dist/. Native modules stay external: they are
// loaded from node_modules at run time (see README "How the Action finds its native modules").
import { build } from 'esbuild';

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['onnxruntime-node', 'sharp'],
  // Some bundled dependencies are CommonJS and call require(); give ESM output one.
  banner: { js: "import { createRequire as __mgCreateRequire } from 'node:module';\nconst require = __mgCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
};

await build({ ...shared, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node\n' + shared.banner.js } });
