/**
 * The decode pool: worker threads (dist/decode-worker.js, built from the sources for this run) give the same
 * bytes and geometry as decoding on this thread, for several preprocessings of one chunk at once,
 * and a bad file fails the decode with the same UserError either way.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { UserError } from '../../src/errors.js';
import { decodeImages, openDecodePool, type DecodePool, type ResolvedDecodeSpec } from '../../src/preprocess/index.js';
import { silentProgress } from '../../src/progress.js';
import { pathToFileURL } from 'node:url';
import { builtDist } from '../helpers/shared.js';
import { randomBytes } from './png-encoder.js';

let dir: string;
let files: string[];
let workers: DecodePool;
const inThread = openDecodePool({ workers: 0 });

const spec = (over: Partial<ResolvedDecodeSpec>): ResolvedDecodeSpec => ({
  color: 'rgb',
  size: [12, 12],
  resize: 'stretch',
  kernel: 'linear',
  cropRatio: 0.875,
  padValue: 114,
  ...over,
});
const SPECS: ResolvedDecodeSpec[] = [
  spec({ resize: 'center-crop', size: [16, 16], kernel: 'cubic' }),
  spec({ color: 'gray', size: [8, 10], kernel: 'lanczos3' }),
  spec({ color: 'bgr', resize: 'letterbox', size: [20, 20], kernel: 'linear' }),
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-gate-pool-'));
  const formats = ['png', 'jpeg', 'webp'] as const;
  files = await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const [width, height] = [17 + (i % 7) * 5, 11 + (i % 5) * 9];
      const format = formats[i % 3];
      const bytes = await sharp(randomBytes(width * height * 3, i + 1), { raw: { width, height, channels: 3 } })
        .toFormat(format)
        .toBuffer();
      const path = join(dir, `img${String(i).padStart(2, '0')}.${format}`);
      await writeFile(path, bytes);
      return path;
    }),
  );
  workers = openDecodePool({ workers: 2, script: pathToFileURL(builtDist('decode-worker.js')) });
});
afterAll(async () => {
  await workers.close();
  await rm(dir, { recursive: true, force: true });
});

it('runs real worker threads', () => {
  expect(workers.workers).toBe(2);
  expect(inThread.workers).toBe(0);
});

it('decodes every preprocessing of a chunk once, identical to this thread and to one spec at a time', async () => {
  let lastProgress = 0;
  const pooled = await workers.decode(files, SPECS, (done) => (lastProgress = done));
  const local = await inThread.decode(files, SPECS);
  expect(lastProgress).toBe(files.length);
  for (const [k, s] of SPECS.entries()) {
    const single = await decodeImages(files, s, silentProgress);
    expect(Buffer.from(pooled[k].pixels)).toEqual(Buffer.from(local[k].pixels));
    expect(Buffer.from(pooled[k].pixels)).toEqual(Buffer.from(single.pixels));
    expect(pooled[k].geometry).toEqual(single.geometry);
    expect(local[k].geometry).toEqual(single.geometry);
  }
});

it('serves several decodes in a row and in parallel', async () => {
  const [a, b] = await Promise.all([workers.decode(files.slice(0, 9), [SPECS[1]]), workers.decode(files.slice(9), [SPECS[1]])]);
  const whole = await inThread.decode(files, [SPECS[1]]);
  expect(Buffer.concat([Buffer.from(a[0].pixels), Buffer.from(b[0].pixels)])).toEqual(Buffer.from(whole[0].pixels));
});

it('a corrupt file fails the decode with the UserError this thread gives, naming the file', async () => {
  const bad = join(dir, 'bad.jpeg');
  await writeFile(bad, Buffer.from('not a jpeg at all'));
  const list = [...files.slice(0, 20), bad, ...files.slice(20)];
  const fromWorker = await workers.decode(list, SPECS).catch((e: unknown) => e);
  const fromThread = await inThread.decode(list, SPECS).catch((e: unknown) => e);
  expect(fromWorker).toBeInstanceOf(UserError);
  expect((fromWorker as Error).message).toBe((fromThread as Error).message);
  expect((fromWorker as Error).message).toBe(`${bad}: not an image (sharp: Input buffer contains unsupported image format)`);
  // The pool still works afterwards.
  const again = await workers.decode(files.slice(0, 3), [SPECS[0]]);
  expect(again[0].count).toBe(3);
});

it("checks each file's bytes against the sha256 it must have: a changed one fails the decode naming it, on a worker and on this thread", async () => {
  const { CachedFileChangedError, sha256Hex } = await import('../../src/evalset/integrity.js');
  const { readFile } = await import('node:fs/promises');
  const expected = new Map<string, string>();
  for (const file of files.slice(0, 10)) expected.set(file, sha256Hex(await readFile(file)));
  expected.set(files[7], sha256Hex(Buffer.from('not these bytes')));
  const pools = [openDecodePool({ workers: 2, script: pathToFileURL(builtDist('decode-worker.js')), expectedSha256: expected }), openDecodePool({ workers: 0, expectedSha256: expected })];
  try {
    for (const pool of pools) {
      await expect(pool.decode(files.slice(0, 7), SPECS)).resolves.toHaveLength(SPECS.length); // all as recorded
      const error = await pool.decode(files.slice(0, 10), SPECS).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CachedFileChangedError);
      expect((error as Error).message).toBe(`${files[7]} is not the file extracted from the verified eval-set archive (its sha256 changed).`);
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
});
