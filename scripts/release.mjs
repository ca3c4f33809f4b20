// @ts-check
// Assembles what a release tag (v1, v1.2.3) of the Action contains: action.yml, dist/, and the
// production node_modules (onnxruntime-node's CPU build and sharp) for linux-x64 only. GitHub runs
// an action straight from its repository with no install step, so native modules, which can't be
// bundled, have to be in the tag. Usage: node scripts/release.mjs [DIR] (default release/).
// docs/github-action.md describes the release branch this is committed to.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const out = process.argv[2] ?? join(root, 'release');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const file of ['action.yml', 'README.md', 'dist']) cpSync(join(root, file), join(out, file), { recursive: true });

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true, dependencies: pkg.dependencies }, null, 2)}\n`);

// The production dependency tree as npm resolved it (from the lockfile installed by npm ci).
const dirs = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { encoding: 'utf8' })
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && line !== root);
for (const dir of dirs) cpSync(dir, join(out, relative(root, dir)), { recursive: true, dereference: true });

// Keep only linux-x64 binaries of onnxruntime-node: the other platforms' are ~240 MB.
const ortBin = join(out, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
for (const other of ['darwin', 'win32', join('linux', 'arm64')]) rmSync(join(ortBin, other), { recursive: true, force: true });
if (!existsSync(join(ortBin, 'linux', 'x64', 'onnxruntime_binding.node'))) throw new Error('onnxruntime-node linux-x64 binding missing');
process.stdout.write(`release assembled in ${out}\n`);
