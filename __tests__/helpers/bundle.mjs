/**
 * Bundles a TypeScript entry into one ESM file that a child `node` runs (the tests' fixture
 * builders and writers), with a `require` for the CommonJS packages it pulls in.
 */
import { build } from 'esbuild';

/** @param {string} entry @param {string} outfile */
export async function bundleScript(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __mgCreateRequire } from 'node:module';\nconst require = __mgCreateRequire(import.meta.url);" },
  });
  return outfile;
}
