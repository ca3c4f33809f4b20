/**
 * What a killed run leaves in the eval-set cache, and an archive that does not fit on the disk.
 * - A CLI run SIGKILLed while it extracts leaves its ".partial-*" folder; the next run removes it
 *   at its start (its builder, a process of this machine, is gone), not 24 h later.
 * - A partial whose builder still runs, or that another machine is building (a shared cache), is
 *   left alone; another machine's is removed after 24 h.
 * - An archive larger than the free space is refused before anything is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partialName } from '../../src/evalset/cache.js';
import { extractArchive } from '../../src/evalset/extract.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { silentProgress, type Progress } from '../../src/progress.js';
import { tarEntry, tarGz } from '../evalset/archive-writers.js';
import { evalConfig, writeArchive } from '../evalset/helpers.js';
import { builtDist } from '../helpers/shared.js';
import { CLASSES, DWNET, EXAMPLE, LENET } from './evalset-fixture.js';

const SHA = '6d9c562ee4fec925e6f8003a95b40e894e4e65790bb7abb3d2d351d0c82cf57b'; // examples/fashion-mnist/fmnist-test.tar.gz
let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'mg-cache-leftovers-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const exited = (child: ChildProcess) => new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
const infos = (): Progress & { lines: string[] } => {
  const lines: string[] = [];
  return { ...silentProgress, lines, info: (m) => lines.push(m) };
};

test('a run SIGKILLed while it extracts: its half-built folder is removed when the next run starts', async () => {
  const cache = join(dir, 'killed');
  const config = join(dir, 'killed.yml');
  await writeFile(
    config,
    `task: classification
eval: { source: ${join(EXAMPLE, 'fmnist-test.tar.gz')}, sha256: ${SHA} }
classes: [${CLASSES.join(', ')}]
preprocess: { color: gray, size: [28, 28], scale: 0.00392156862745098, mean: [0.2860], std: [0.3530] }
gates: { max-top1-drop: 100 }
`,
  );
  const child = spawn('node', [builtDist('cli.js'), 'compare', '--config', config, '--baseline', LENET, '--candidate', DWNET, '--quiet'], {
    env: { ...process.env, MODEL_GATE_CACHE_DIR: cache },
    stdio: 'ignore',
  });
  const gone = exited(child);
  const evalsets = join(cache, 'evalsets');
  let partial: string | undefined;
  // Kill it once it is writing files into its partial folder.
  for (let i = 0; i < 3000 && !partial; i++) {
    for (const name of await readdir(evalsets).catch(() => [] as string[])) {
      if (name.startsWith('.partial-') && (await readdir(join(evalsets, name, 'tree')).catch(() => [])).length > 0) partial = name;
    }
    if (!partial) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGKILL');
  expect(await gone).toBe('SIGKILL');
  expect(partial).toMatch(new RegExp(`^\\.partial-${SHA.slice(0, 12)}-${child.pid}-[0-9a-f]{8}@`));
  expect(await readdir(evalsets)).toEqual([partial]); // half-built, never committed

  const progress = infos();
  const resolved = await resolveEvalSet(evalConfig(join(EXAMPLE, 'fmnist-test.tar.gz'), SHA), { cacheDir: cache, progress });
  expect(progress.lines[0]).toBe(`Removed 1 half-built eval set left by a stopped run: ${partial}.`);
  expect(resolved.fromCache).toBe(false);
  expect((await readdir(evalsets)).sort()).toEqual([SHA, `${SHA}.files.json`]);
}, 120_000);

test("a live builder's partial and another machine's recent one stay; another machine's day-old one goes", async () => {
  const cache = join(dir, 'shared');
  const evalsets = join(cache, 'evalsets');
  const sleeper = spawn('node', ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const live = partialName(SHA, sleeper.pid as number);
  const otherHost = `.partial-${SHA.slice(0, 12)}-12345-0badc0de@another-runner`;
  const oldOtherHost = `.partial-${SHA.slice(0, 12)}-12346-0badc0df@another-runner`;
  for (const name of [live, otherHost, oldOtherHost]) await mkdir(join(evalsets, name, 'tree'), { recursive: true });
  const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
  await utimes(join(evalsets, oldOtherHost), dayAgo, dayAgo);
  try {
    const progress = infos();
    const folder = join(dir, 'plain-folder');
    await mkdir(folder, { recursive: true });
    await resolveEvalSet(evalConfig(folder, null), { cacheDir: cache, progress });
    expect(progress.lines).toEqual([`Removed 1 half-built eval set left by a stopped run: ${oldOtherHost}.`]);
    expect((await readdir(evalsets)).sort()).toEqual([live, otherHost].sort());
  } finally {
    sleeper.kill('SIGKILL');
    await exited(sleeper);
  }
});

test('an archive larger than the free disk space is refused before anything is written', async () => {
  const archive = await writeArchive(dir, 'big.tar.gz', tarGz(tarEntry({ name: 'set/cat/1.png', data: 'x'.repeat(50_000) }), tarEntry({ name: 'set/dog/2.png', data: 'y'.repeat(50_000) })));
  const destination = join(dir, 'small-disk');
  await mkdir(destination);
  const tinyDisk = async () => ({ bytes: 60_000, files: 1_000 });
  await expect(extractArchive(archive.path, 'big.tar.gz', destination, { freeSpace: tinyDisk })).rejects.toThrow(
    `Not enough free disk space to extract big.tar.gz: it needs about 108192 bytes for 2 entries, and ${destination} has 60000 bytes free. Free space, or point the cache directory (MODEL_GATE_CACHE_DIR) at a larger disk.`,
  );
  expect(await readdir(destination)).toEqual([]);

  const cache = join(dir, 'small-disk-cache');
  const error = await resolveEvalSet(evalConfig(archive.path, archive.sha256), { cacheDir: cache, progress: silentProgress, freeSpace: tinyDisk }).catch((e: Error) => e);
  expect((error as Error).message).toMatch(/^Not enough free disk space to extract .*big\.tar\.gz: it needs about 108192 bytes for 2 entries/);
  expect(await readdir(join(cache, 'evalsets'))).toEqual([]); // no entry, no record, no partial

  const fewInodes = async () => ({ bytes: 1e12, files: 1 });
  await expect(extractArchive(archive.path, 'big.tar.gz', destination, { freeSpace: fewInodes })).rejects.toThrow(
    `Not enough free disk space to extract big.tar.gz: it has 2 entries, and the file system of ${destination} has room for 1 more files. Free space, or point the cache directory (MODEL_GATE_CACHE_DIR) at a larger disk.`,
  );
});
