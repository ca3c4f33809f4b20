/**
 * For the end-to-end tests that assert two ways of running give the same report (chunked or not,
 * sharded or not): the report without what depends on the clock or on how the run was split, and
 * the embedded examples' configs pointed at a subset of their eval set.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The report without latency figures, the sentences that quote them, and the run's own facts (stream, shards, timing). */
export function timeless(value: unknown): unknown {
  // (fromCache: the first run extracts the archive, later ones find it cached.)
  if (Array.isArray(value)) return value.map(timeless);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (/latency|^p50Ms$|^generatedAt$|^headline$|^stream$|^path$|^fromCache$|^timing$|^shards$/i.test(key)) continue;
    if (key === 'gates') {
      out.gates = (v as { name: string }[]).filter((g) => g.name !== 'max-latency-regression').map(timeless);
      continue;
    }
    out[key] = timeless(v);
  }
  return out;
}

/**
 * An example's model-gate.yml, written to `file` after `edit`, with its eval set's path made
 * absolute, a latency gate nothing can fail (so the verdict compares the accuracy gates only) and
 * a short latency measurement.
 */
export async function exampleConfig(folder: string, file: string, edit: (yaml: string) => string): Promise<string> {
  const root = join(process.cwd(), 'examples', folder);
  const yaml = (await readFile(join(root, 'model-gate.yml'), 'utf8')).replace(/source: \.\//, `source: ${root}/`);
  await writeFile(
    file,
    edit(yaml.replace(/max-latency-regression: \d+/, 'max-latency-regression: 100000')).replace(/latency: .*/, 'latency: { batch-sizes: [1], warmup: 0, runs: 10, rounds: 3 }'),
  );
  return file;
}

/**
 * The detection example's eval set extracted into `into`, with an annotations file `name` of its
 * first `count` scenes only; returns the extracted folder.
 */
export async function firstScenes(into: string, count: number, name: string): Promise<string> {
  await mkdir(into);
  execFileSync('tar', ['xzf', join(process.cwd(), 'examples', 'fmnist-det', 'fmnist-det.tar.gz'), '-C', into]);
  const folder = join(into, 'fmnist-det');
  const coco = JSON.parse(await readFile(join(folder, 'annotations.coco.json'), 'utf8'));
  const images = coco.images.slice(0, count);
  const ids = new Set(images.map((i: { id: number }) => i.id));
  await writeFile(join(folder, name), JSON.stringify({ ...coco, images, annotations: coco.annotations.filter((a: { image_id: number }) => ids.has(a.image_id)) }));
  return folder;
}
