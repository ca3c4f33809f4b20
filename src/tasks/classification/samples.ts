/**
 * Reads a classification eval set: `class-folders` (<class>/<...>/<image>) or `manifest`
 * (CSV of path,label). Labels become indices into `classes`, the model's output order, which
 * is why folder names are matched by name and never sorted into an order of their own.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../../errors.js';
import type { EvalSample } from '../../contracts/task.js';

/** Files every OS and archiver leaves behind; they are not eval images. */
const JUNK = /^(\..*|Thumbs\.db|desktop\.ini|__MACOSX)$/i;

/** The files under `dir`, each with its id: `id` (the folder's own, '/'-separated) and the names below it. */
async function listFiles(dir: string, id: string): Promise<{ file: string; id: string }[]> {
  const out: { file: string; id: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (JUNK.test(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, `${id}/${entry.name}`)));
    else if (entry.isFile()) out.push({ file: full, id: `${id}/${entry.name}` });
  }
  return out;
}

const toId = (root: string, file: string) => relative(root, file).split(sep).join('/');

/** Where problems that do not stop the run go (the task passes progress.warn; they also reach the report). */
export type Warn = (message: string) => void;

export async function readClassFolders(root: string, classes: readonly string[], warn: Warn = () => {}): Promise<EvalSample<number>[]> {
  const index = new Map(classes.map((name, i) => [name, i]));
  const samples: EvalSample<number>[] = [];
  const ignored: string[] = [];
  const folders = new Set<string>();
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (JUNK.test(entry.name)) continue;
    const full = join(root, entry.name);
    if (!entry.isDirectory()) {
      // torchvision's ImageFolder only looks at folders here; a README or labels.csv beside them is not an image.
      ignored.push(entry.name);
      continue;
    }
    const label = index.get(entry.name);
    if (label === undefined) {
      throw new UserError(`${full}: folder '${entry.name}' is not one of classes [${classes.join(', ')}]`);
    }
    folders.add(entry.name);
    // Ids built from the names as listed: path.relative per file resolved both paths each time (0.1 s for 10,000).
    for (const { file, id } of await listFiles(full, entry.name)) samples.push({ id, file, label });
  }
  if (ignored.length > 0) {
    const names =
      ignored
        .sort()
        .slice(0, 5)
        .map((n) => `'${n}'`)
        .join(', ') + (ignored.length > 5 ? ', …' : '');
    warn(
      `eval set: ignored ${ignored.length} file${ignored.length === 1 ? '' : 's'} at the top of the class folders (${names}): images belong in <class>/ folders, and torchvision's ImageFolder ignores files there too`,
    );
  }
  const found = finish(samples, root);
  warnMissingClasses(found, classes, warn, (name) => (folders.has(name) ? `class folder '${name}/' has no images` : `there is no folder '${name}/'`));
  return found;
}

/** A class without images is not measured at all: its errors are missing from every figure, which the report must say. */
function warnMissingClasses(samples: readonly EvalSample<number>[], classes: readonly string[], warn: Warn, why: (name: string) => string): void {
  const counts = new Array<number>(classes.length).fill(0);
  for (const s of samples) counts[s.label] += 1;
  classes.forEach((name, k) => {
    if (counts[k] === 0) warn(`eval set: ${why(name)}, so class '${name}' is not measured: no image of it is scored`);
  });
}

/** Splits one CSV line, honouring double quotes (RFC 4180). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') ((cell += '"'), i++);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (cells.push(cell), (cell = ''));
    else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

/**
 * A label is a class name; a whole number that is not itself a class name is read as an index
 * into `classes`, because many exported manifests carry indices.
 */
function labelIndex(label: string, classes: readonly string[], where: string): number {
  const byName = classes.indexOf(label);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(label) && Number(label) < classes.length) return Number(label);
  throw new UserError(`${where}: label '${label}' is not one of classes [${classes.join(', ')}]`);
}

export async function readManifest(root: string, manifest: string, classes: readonly string[], warn: Warn = () => {}): Promise<EvalSample<number>[]> {
  const manifestPath = resolve(root, manifest);
  if (!manifestPath.startsWith(root + sep)) throw new UserError(`eval.manifest: '${manifest}' points outside the eval set`);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    throw new UserError(`${manifestPath}: manifest not found in the eval set (eval.manifest: ${manifest})`);
  }
  const base = dirname(manifestPath);
  const samples: EvalSample<number>[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${manifestPath}:${i + 1}`;
    const [path, label, ...rest] = splitCsvLine(line);
    if (i === 0 && /^(path|file|filename|image)$/i.test(path) && /^(label|class)$/i.test(label ?? '')) return; // header
    if (!path || label === undefined || label === '' || rest.length > 0) throw new UserError(`${where}: expected 'path,label', got '${line}'`);
    const file = resolve(base, path);
    if (!file.startsWith(root + sep)) throw new UserError(`${where}: path '${path}' points outside the eval set`);
    samples.push({ id: toId(root, file), file, label: labelIndex(label, classes, where) });
  });
  await Promise.all(
    samples.map(async (s) => {
      const info = await stat(s.file).catch(() => null);
      if (!info?.isFile()) throw new UserError(`${s.file}: listed in ${manifestPath} but not found in the eval set`);
    }),
  );
  const found = finish(samples, root);
  warnMissingClasses(found, classes, warn, (name) => `'${manifest}' lists no image of class '${name}'`);
  return found;
}

function finish(samples: EvalSample<number>[], root: string): EvalSample<number>[] {
  if (samples.length === 0) throw new UserError(`${root}: the eval set has no images`);
  samples.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  for (let i = 1; i < samples.length; i++) {
    if (samples[i].id === samples[i - 1].id) throw new UserError(`${root}: '${samples[i].id}' is listed twice`);
  }
  return samples;
}
