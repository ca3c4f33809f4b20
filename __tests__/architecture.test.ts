/**
 * The layers the lint enforces (scripts/layers.mjs) are the ones docs/architecture.md describes,
 * and every file of src/ belongs to one of them, so no new folder escapes the import rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYERS, allowedImports, forbiddenZones } from '../scripts/layers.mjs';

const layers = LAYERS;

test('docs/architecture.md lists the same layers, in the same order, as the lint rule', () => {
  const doc = readFileSync(join(process.cwd(), 'docs', 'architecture.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| (\d+) \| ((?:`[\w-]+` ?)+) \|/gm)].map((m) => ({ layer: Number(m[1]), names: [...m[2].matchAll(/`([\w-]+)`/g)].map((n) => n[1]) }));
  expect(rows).toEqual(layers.map((layer, i) => ({ layer: i, names: layer.map((e) => e.name) })));
});

test('every file and folder of src/ belongs to exactly one layer', () => {
  const owners = (entry: string) => layers.flat().filter((e) => e.paths.includes(`src/${entry}`));
  const unowned = readdirSync(join(process.cwd(), 'src')).filter((entry) => owners(entry).length !== 1);
  expect(unowned).toEqual([]);
});

test('a layer may import only earlier layers, so the allowed imports have no cycle', () => {
  expect(allowedImports('errors')).toEqual([]);
  expect(allowedImports('models')).toEqual(['errors', 'version', 'progress', 'config', 'contracts', 'git', 'download']);
  for (const element of layers.flat()) {
    for (const other of allowedImports(element.name)) expect(allowedImports(other)).not.toContain(element.name);
  }
  // Siblings in one layer (the Action and the CLI) may not import each other.
  const cliZone = forbiddenZones(LAYERS).find((z) => z.target.includes('src/cli'));
  expect(cliZone?.from).toEqual(expect.arrayContaining(['src/action', 'src/main.ts', 'src/index.ts']));
});
