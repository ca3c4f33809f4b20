// @ts-check
// The architecture as data: src/'s folders in layers, in the order data flows through them. A
// folder may import its own files and any folder of an earlier layer; never a later layer or
// another folder of its own layer. eslint.config.js turns this into import-x/no-restricted-paths
// zones, so `npm run lint` fails on an import against the flow, and since every import points to
// an earlier layer there can be no folder cycle. docs/architecture.md shows the same table
// (__tests__/architecture.test.ts compares the two).

/**
 * @typedef {{ name: string, paths: string[], only?: Record<string, string[]> }} Element
 * `only`: from that earlier element, just these files (relative to its folder) may be imported.
 */

/** @type {Element[][]} */
export const LAYERS = [
  [
    { name: 'errors', paths: ['src/errors.ts'] },
    { name: 'version', paths: ['src/version.ts'] },
    { name: 'progress', paths: ['src/progress.ts', 'src/progress-stderr.ts'] },
  ],
  [{ name: 'config', paths: ['src/config'] }],
  // The types every stage shares; a leaf: of config, only its types.
  [{ name: 'contracts', paths: ['src/contracts'], only: { config: ['types.ts'] } }],
  [
    { name: 'git', paths: ['src/git'] },
    { name: 'download', paths: ['src/download'] },
  ],
  [{ name: 'models', paths: ['src/models'] }],
  [{ name: 'evalset', paths: ['src/evalset'] }],
  [{ name: 'preprocess', paths: ['src/preprocess'] }],
  [{ name: 'inference', paths: ['src/inference'] }],
  [{ name: 'quantize', paths: ['src/quantize'] }],
  [{ name: 'metrics', paths: ['src/metrics'] }],
  [{ name: 'report', paths: ['src/report'] }],
  [{ name: 'tasks', paths: ['src/tasks'] }],
  [{ name: 'history', paths: ['src/history'] }],
  [{ name: 'publish', paths: ['src/publish'] }],
  [{ name: 'engine', paths: ['src/engine.ts', 'src/engine'] }],
  [{ name: 'nightly', paths: ['src/nightly'] }],
  [
    { name: 'action', paths: ['src/action', 'src/main.ts', 'src/index.ts'] },
    { name: 'cli', paths: ['src/cli', 'src/cli.ts'] },
  ],
];

/**
 * The names of the elements `name` may import (its own files aside), in layer order.
 * @param {string} name
 * @returns {string[]}
 */
export function allowedImports(name, layers = LAYERS) {
  const at = layers.findIndex((layer) => layer.some((e) => e.name === name));
  if (at < 0) throw new Error(`no layer has an element named ${name}`);
  return layers
    .slice(0, at)
    .flat()
    .map((e) => e.name);
}

/**
 * import-x/no-restricted-paths zones: for each element, every path it must not import (later
 * layers and its own layer's other folders), and the files outside its `only` lists.
 * @param {Element[][]} layers
 */
export function forbiddenZones(layers) {
  const all = layers.flat();
  const names = new Set();
  for (const e of all) {
    if (names.has(e.name)) throw new Error(`element ${e.name} is listed twice`);
    names.add(e.name);
  }
  return all.flatMap((element) => {
    const allowed = new Set(allowedImports(element.name, layers));
    const from = all.filter((e) => e !== element && !allowed.has(e.name)).flatMap((e) => e.paths);
    const message = `${element.name} may import only ${[...allowed].join(', ') || 'nothing from src/'} (docs/architecture.md).`;
    const narrowed = Object.entries(element.only ?? {}).map(([name, files]) => {
      const source = all.find((e) => e.name === name);
      if (!source || !allowed.has(name)) throw new Error(`${element.name}.only names ${name}, which it may not import at all`);
      return { target: element.paths, from: source.paths, except: files.map((f) => `./${f}`), message: `${element.name} may import only ${files.join(', ')} of ${name}.` };
    });
    return from.length > 0 ? [{ target: element.paths, from, message }, ...narrowed] : narrowed;
  });
}
