import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { crc32, crc32Portable } from '../../src/evalset/crc32.js';
import { extractArchive } from '../../src/evalset/extract.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { silentProgress } from '../../src/progress.js';
import { zip, type ZipSpec } from './archive-writers.js';
import { evalConfig, listTree, makeTempDir, writeArchive } from './helpers.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

async function resolveZip(entries: ZipSpec[]) {
  const archive = await writeArchive(temp.path, 'set.zip', zip(entries));
  const cacheDir = join(temp.path, 'cache');
  const result = await resolveEvalSet(evalConfig(archive.path, archive.sha256), { cacheDir, progress: silentProgress }).catch((e: unknown) => e);
  return { archive, cacheDir, result };
}

test('CRC-32 matches the standard check value for "123456789" (0xCBF43926)', () => {
  const input = Buffer.from('123456789');
  expect(crc32Portable(input)).toBe(0xcbf43926);
  expect(crc32(input)).toBe(0xcbf43926);
  // Incremental use, as the zip reader does chunk by chunk.
  expect(crc32(input.subarray(4), crc32(input.subarray(0, 4)))).toBe(0xcbf43926);
});

test('a good zip (stored and deflated entries) extracts correctly, unwrapping its top folder and skipping __MACOSX', async () => {
  const big = Buffer.from('abcdefghij'.repeat(5000));
  const { archive, cacheDir, result } = await resolveZip([
    { name: 'set/', method: 0 },
    { name: 'set/cat/1.png', data: 'meow', method: 0 },
    { name: 'set/dog/2.png', data: big },
    { name: '__MACOSX/set/._cat', data: 'apple metadata' },
  ]);
  expect(result).toMatchObject({
    root: join(cacheDir, 'evalsets', archive.sha256, 'set'),
    source: archive.path,
    sha256: archive.sha256,
    fromCache: false,
    cacheEntry: join(cacheDir, 'evalsets', archive.sha256),
  });
  expect([...(result as { expectedSha256: Map<string, string> }).expectedSha256.keys()].map((f) => f.slice(join(cacheDir, 'evalsets', archive.sha256).length + 1)).sort()).toEqual([
    'set/cat/1.png',
    'set/dog/2.png',
  ]);
  const root = (result as { root: string }).root;
  expect(await listTree(root)).toEqual(['cat', 'cat/1.png', 'dog', 'dog/2.png']);
  expect(await readFile(join(root, 'cat/1.png'), 'utf8')).toBe('meow');
  expect((await readFile(join(root, 'dog/2.png'))).equals(big)).toBe(true);
  expect(await listTree(join(cacheDir, 'evalsets', archive.sha256))).not.toContain('__MACOSX');
});

describe('hostile zips are refused and nothing is cached', () => {
  const cases: [string, ZipSpec[], RegExp][] = [
    [
      'zip-slip',
      [
        { name: 'ok.png', data: 'x' },
        { name: '../../evil.sh', data: 'rm -rf /' },
      ],
      /entry "\.\.\/\.\.\/evil\.sh" contains a '\.\.' segment/,
    ],
    ['an absolute path', [{ name: '/tmp/evil', data: 'x' }], /entry "\/tmp\/evil" is an absolute path/],
    ['a backslash path', [{ name: '..\\evil', data: 'x' }], /entry "\.\.\\evil" contains a backslash/],
    ['a symlink', [{ name: 'link', data: '/etc/passwd', unixMode: 0o120777 }], /entry "link" is a symbolic link/],
    // Declares 10 bytes but inflates to 100 000: caught while inflating, staged files removed.
    [
      'a size that lies',
      [
        { name: 'ok.png', data: 'x' },
        { name: 'bomb', data: Buffer.alloc(100_000), declaredSize: 10 },
      ],
      /entry "bomb" declares 10 bytes but unpacks to more/,
    ],
    ['a size too large', [{ name: 'short', data: 'abc', declaredSize: 5, method: 0 }], /entry "short" declares 5 bytes but unpacks to 3/],
  ];
  test.each(cases)('%s', async (_label, entries, message) => {
    const { archive, cacheDir, result } = await resolveZip(entries);
    expect(result).toBeInstanceOf(UserError);
    expect((result as Error).message).toMatch(message);
    expect((result as Error).message).toContain(archive.path);
    expect(await listTree(cacheDir)).toEqual(['evalsets']);
  });

  test('path checks run for every entry before the first file is written', async () => {
    const path = (
      await writeArchive(
        temp.path,
        'slip.zip',
        zip([
          { name: 'a.png', data: 'x' },
          { name: 'b/../../c', data: 'y' },
        ]),
      )
    ).path;
    const destination = join(temp.path, 'dest');
    await mkdir(destination);
    await expect(extractArchive(path, 'slip.zip', destination)).rejects.toThrow(/slip\.zip: entry "b\/\.\.\/\.\.\/c"/);
    expect(await listTree(destination)).toEqual([]);
  });

  test('entries over 1 MiB are streamed: a good one extracts, a lying one is stopped', async () => {
    // 2 MiB of a repeating non-trivial pattern, larger than the one-shot inflate path.
    const large = Buffer.alloc(2 * 1024 * 1024, 'pattern-0123456789');
    const destination = join(temp.path, 'dest');
    await mkdir(destination);
    const good = (await writeArchive(temp.path, 'large.zip', zip([{ name: 'large.bin', data: large }]))).path;
    await extractArchive(good, 'large.zip', destination);
    expect((await readFile(join(destination, 'large.bin'))).equals(large)).toBe(true);
    const lying = (await writeArchive(temp.path, 'lying.zip', zip([{ name: 'lie.bin', data: large, declaredSize: 1536 * 1024 }]))).path;
    await expect(extractArchive(lying, 'lying.zip', join(temp.path, 'dest'))).rejects.toThrow(/lying\.zip: entry "lie\.bin" declares 1572864 bytes but unpacks to more/);
  });

  test('a damaged CRC is refused', async () => {
    const data = zip([{ name: 'a.png', data: 'hello', method: 0 }]);
    data[30 + 'a.png'.length] = 'j'.charCodeAt(0); // "hello" -> "jello" in the stored data
    const path = (await writeArchive(temp.path, 'crc.zip', data)).path;
    const destination = join(temp.path, 'dest');
    await mkdir(destination);
    await expect(extractArchive(path, 'crc.zip', destination)).rejects.toThrow(/crc\.zip: entry "a\.png" fails its CRC-32 check/);
  });

  test('the entry cap is checked from the end record, before the directory is read', async () => {
    const path = (await writeArchive(temp.path, 'many.zip', zip([1, 2, 3].map((i) => ({ name: `${i}.png`, data: 'x' }))))).path;
    const destination = join(temp.path, 'dest');
    await mkdir(destination);
    await expect(extractArchive(path, 'many.zip', destination, { limits: { maxEntries: 2 } })).rejects.toThrow(/many\.zip: it has more than 2 entries/);
    await expect(extractArchive(path, 'many.zip', destination, { limits: { maxTotalBytes: 2 } })).rejects.toThrow(/many\.zip: it unpacks to more than 2 bytes/);
    expect(await listTree(destination)).toEqual([]);
  });
});
