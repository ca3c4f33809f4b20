import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { extractArchive } from '../../src/evalset/extract.js';
import { resolveEvalSet } from '../../src/evalset/index.js';
import { silentProgress } from '../../src/progress.js';
import { gnuLongName, paxHeader, tar, tarEntry, tarGz } from './archive-writers.js';
import { evalConfig, listTree, makeTempDir, sha256Of, writeArchive } from './helpers.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

async function freshDir(): Promise<string> {
  const path = join(temp.path, `dest-${Math.random().toString(36).slice(2)}`);
  await mkdir(path);
  return path;
}

const longFolder = 'a-class-name-long-enough-that-ustar-cannot-hold-it-'.repeat(3);

function goodTarGz(): Buffer {
  return tarGz(
    tarEntry({ name: 'set/', type: '5' }),
    tarEntry({ name: 'set/cat/', type: '5' }),
    tarEntry({ name: 'set/cat/1.png', data: 'meow' }),
    tarEntry({ name: './set/dog/2.png', data: 'woof' }), // folder implied, "./" prefix
    gnuLongName(`set/${longFolder}/3.png`),
    tarEntry({ name: 'truncated-in-ustar', data: 'gnu' }),
    paxHeader({ path: `set/${longFolder}/4.png` }),
    tarEntry({ name: 'truncated-too', data: 'pax' }),
  );
}

describe('tar extraction through resolveEvalSet', () => {
  test('a good .tar.gz is verified, extracted into the cache, and its single top folder becomes the root', async () => {
    const archive = await writeArchive(temp.path, 'set.tar.gz', goodTarGz());
    const cacheDir = join(temp.path, 'cache');
    const resolved = await resolveEvalSet(evalConfig(archive.path, archive.sha256), { cacheDir, progress: silentProgress });
    const { expectedSha256, ...rest } = resolved;
    expect(rest).toEqual({
      root: join(cacheDir, 'evalsets', archive.sha256, 'set'),
      source: archive.path,
      sha256: archive.sha256,
      fromCache: false,
      cacheEntry: join(cacheDir, 'evalsets', archive.sha256),
    });
    expect(expectedSha256?.get(join(resolved.root, 'cat/1.png'))).toBe(sha256Of(Buffer.from('meow')));
    expect(expectedSha256?.size).toBe(4);
    expect(await listTree(resolved.root)).toEqual([longFolder, `${longFolder}/3.png`, `${longFolder}/4.png`, 'cat', 'cat/1.png', 'dog', 'dog/2.png'].sort());
    expect(await readFile(join(resolved.root, 'cat/1.png'), 'utf8')).toBe('meow');
    expect(await readFile(join(resolved.root, `${longFolder}/3.png`), 'utf8')).toBe('gnu');
    expect(await readFile(join(resolved.root, `${longFolder}/4.png`), 'utf8')).toBe('pax');
    // Only the committed entry and its record of files remain: no staging leftovers.
    expect(await listTree(join(cacheDir, 'evalsets'))).toHaveLength(1 + 1 + 8);
  });

  test('the second run uses the cache without extracting again', async () => {
    const archive = await writeArchive(temp.path, 'set.tgz', goodTarGz());
    const cacheDir = join(temp.path, 'cache');
    const first = await resolveEvalSet(evalConfig(archive.path, archive.sha256), { cacheDir, progress: silentProgress });
    const before = await stat(join(first.root, 'cat/1.png'));
    const second = await resolveEvalSet(evalConfig(archive.path, archive.sha256.toUpperCase()), { cacheDir, progress: silentProgress });
    expect(second.fromCache).toBe(true);
    expect(second.root).toBe(first.root);
    expect((await stat(join(second.root, 'cat/1.png'))).ino).toBe(before.ino);
  });

  test('a plain .tar without a top folder is rooted at the extraction folder', async () => {
    const archive = await writeArchive(temp.path, 'flat.tar', tar(tarEntry({ name: 'a/1.png', data: 'x' }), tarEntry({ name: 'b/2.png', data: 'y' })));
    const cacheDir = join(temp.path, 'cache');
    const resolved = await resolveEvalSet(evalConfig(archive.path, archive.sha256), { cacheDir, progress: silentProgress });
    expect(resolved.root).toBe(join(cacheDir, 'evalsets', archive.sha256));
    expect(await listTree(resolved.root)).toEqual(['a', 'a/1.png', 'b', 'b/2.png']);
  });

  test('a hash mismatch names both hashes and the file, and caches nothing', async () => {
    const archive = await writeArchive(temp.path, 'set.tar.gz', goodTarGz());
    const cacheDir = join(temp.path, 'cache');
    const wrong = '0'.repeat(64);
    const error = await resolveEvalSet(evalConfig(archive.path, wrong), { cacheDir, progress: silentProgress }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(`expected ${wrong}, got ${archive.sha256}`);
    expect(error.message).toContain(archive.path);
    expect(await listTree(cacheDir)).toEqual([]);
  });

  test('an archive without eval.sha256 is refused, naming the key', async () => {
    const archive = await writeArchive(temp.path, 'set.tar.gz', goodTarGz());
    await expect(resolveEvalSet(evalConfig(archive.path, null), { cacheDir: temp.path, progress: silentProgress })).rejects.toThrow(/eval\.sha256 is required/);
    await expect(resolveEvalSet(evalConfig(archive.path, 'abc'), { cacheDir: temp.path, progress: silentProgress })).rejects.toThrow(/eval\.sha256 must be 64 hexadecimal/);
  });
});

describe('hostile tar archives are refused before anything is written', () => {
  // Each starts with a harmless file so that "nothing written" proves validation came first.
  const harmless = tarEntry({ name: 'set/ok/1.png', data: 'fine' });
  const cases: [string, Buffer, RegExp][] = [
    ['a ../ path', tarEntry({ name: 'set/../../evil', data: 'x' }), /entry "set\/\.\.\/\.\.\/evil" contains a '\.\.' segment/],
    ['an absolute path', tarEntry({ name: '/etc/x', data: 'x' }), /entry "\/etc\/x" is an absolute path/],
    ['a Windows drive path', tarEntry({ name: 'C:/Windows/x', data: 'x' }), /starts with a Windows drive letter/],
    ['a backslash trick', tarEntry({ name: 'set\\..\\..\\evil', data: 'x' }), /contains a backslash/],
    ['a symlink', tarEntry({ name: 'set/link', type: '2', linkname: '/etc/passwd' }), /entry "set\/link" is a symbolic link/],
    ['a hardlink', tarEntry({ name: 'set/hard', type: '1', linkname: 'set/ok/1.png' }), /entry "set\/hard" is a hard link/],
    ['a character device', tarEntry({ name: 'set/tty', type: '3' }), /is a character device/],
    ['a block device', tarEntry({ name: 'set/sda', type: '4' }), /is a block device/],
    ['a FIFO', tarEntry({ name: 'set/pipe', type: '6' }), /is a FIFO/],
    ['a pax path escaping', Buffer.concat([paxHeader({ path: '../pax-evil' }), tarEntry({ name: 'innocent', data: 'x' })]), /entry "\.\.\/pax-evil"/],
    ['a GNU long name escaping', Buffer.concat([gnuLongName('../../gnu-evil'), tarEntry({ name: 'innocent', data: 'x' })]), /entry "\.\.\/\.\.\/gnu-evil"/],
    ['a duplicate file', tarEntry({ name: 'set/ok/1.png', data: 'again' }), /"set\/ok\/1\.png" appears twice/],
    ['a case collision', tarEntry({ name: 'set/OK/1.png', data: 'x' }), /differs from "set\/ok" only in letter case/],
    ['a file used as a folder', tarEntry({ name: 'set/ok/1.png/x', data: 'x' }), /is both a file and a folder/],
  ];

  test.each(cases)('%s', async (_label, hostile, message) => {
    const archive = await writeArchive(temp.path, 'hostile.tar.gz', tarGz(harmless, hostile));
    const cacheDir = join(temp.path, 'cache');
    const error = await resolveEvalSet(evalConfig(archive.path, archive.sha256), { cacheDir, progress: silentProgress }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(archive.path);
    expect(await listTree(cacheDir)).toEqual(['evalsets']);
  });

  test('more entries than the cap: refused, destination untouched', async () => {
    const path = (await writeArchive(temp.path, 'many.tar', tar(...[0, 1, 2, 3, 4].map((i) => tarEntry({ name: `f${i}`, data: 'x' }))))).path;
    const destination = await freshDir();
    await expect(extractArchive(path, 'many.tar', destination, { limits: { maxEntries: 4 } })).rejects.toThrow(/many\.tar: it has more than 4 entries/);
    expect(await listTree(destination)).toEqual([]);
    // At the cap exactly it is fine: 5 entries, limit 5.
    await extractArchive(path, 'many.tar', destination, { limits: { maxEntries: 5 } });
    expect(await listTree(destination)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
  });

  test('more bytes than the cap: refused at the entry that passes it, destination untouched', async () => {
    const entries = [tarEntry({ name: 'a', data: Buffer.alloc(600) }), tarEntry({ name: 'b', data: Buffer.alloc(500) })];
    const path = (await writeArchive(temp.path, 'big.tar.gz', tarGz(...entries))).path;
    const destination = await freshDir();
    // 600 + 500 = 1100 bytes against a 1000-byte cap.
    await expect(extractArchive(path, 'big.tar.gz', destination, { limits: { maxTotalBytes: 1000 } })).rejects.toThrow(
      /big\.tar\.gz: it unpacks to more than 1000 bytes \(the limit\), passed at entry "b"/,
    );
    expect(await listTree(destination)).toEqual([]);
  });

  test('a corrupt header checksum, a truncated archive and a non-archive are clear errors', async () => {
    const good = tar(tarEntry({ name: 'a', data: 'hello' }), tarEntry({ name: 'b', data: 'world' }));
    const corrupt = Buffer.from(good);
    corrupt[512 + 512 + 10] ^= 0xff; // second header's name
    const destination = await freshDir();
    const write = (name: string, data: Buffer) => writeArchive(temp.path, name, data).then((a) => a.path);
    await expect(extractArchive(await write('c.tar', corrupt), 'c.tar', destination)).rejects.toThrow(/c\.tar: it is not a valid tar archive \(bad header checksum at byte 1024\)/);
    await expect(extractArchive(await write('t.tar', good.subarray(0, 1024 + 100)), 't.tar', destination)).rejects.toThrow(/t\.tar: the archive is truncated/);
    await expect(extractArchive(await write('n.tar', Buffer.alloc(2048, 'x')), 'n.tar', destination)).rejects.toThrow(/n\.tar: it is not a tar, tar\.gz or zip archive/);
    const badGzip = Buffer.concat([tarGz(tarEntry({ name: 'a', data: 'x' })).subarray(0, 20), Buffer.alloc(20, 7)]);
    await expect(extractArchive(await write('g.tgz', badGzip), 'g.tgz', destination)).rejects.toThrow(/g\.tgz: its gzip data is damaged/);
    expect(await listTree(destination)).toEqual([]);
  });
});
