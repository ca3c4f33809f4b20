import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { createGit, type Git } from '../../src/git/index.js';
import { changedFilesFromGit, checkSha, ensureCommit, parseLfsPointer, readFileAtCommit, repoRelativePath, resolveLfs, writeFileAtCommit } from '../../src/models/git.js';
import { git, hasGitLfs, initRepo, lfsClean, makeTempDir, type TestRepo } from './git-fixture.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let repo: TestRepo;
let base: string;
let head: string;
const bigModel = randomBytes(3 * 1024 * 1024 + 17);

beforeAll(async () => {
  temp = await makeTempDir();
  repo = await initRepo(join(temp.path, 'origin'));
  await repo.write('models/classifier.onnx', 'baseline bytes');
  await repo.write('models/old-name.onnx', 'renamed later');
  await repo.write('README.md', 'hello');
  base = repo.commit('baseline model');
  await repo.write('models/classifier.onnx', 'candidate bytes');
  await repo.write('models/big.onnx', bigModel);
  git(repo.dir, ['mv', 'models/old-name.onnx', 'models/new-name.onnx']);
  head = repo.commit('candidate model');
});
afterAll(async () => {
  await temp.cleanup();
});

const silentLog = { info: () => {} };
/** The repository at `dir`, run as the Action runs git (with this process's environment). */
const at = (dir: string) => createGit(dir, process.env);

describe('readFileAtCommit / writeFileAtCommit', () => {
  test('read the bytes each commit holds, without touching the work tree', async () => {
    expect((await readFileAtCommit(at(repo.dir), base, 'models/classifier.onnx'))?.toString()).toBe('baseline bytes');
    expect((await readFileAtCommit(at(repo.dir), head, 'models/classifier.onnx'))?.toString()).toBe('candidate bytes');
  });

  test('null / false when the path does not exist at that commit (a model the PR adds)', async () => {
    expect(await readFileAtCommit(at(repo.dir), base, 'models/big.onnx')).toBeNull();
    const dest = join(temp.path, 'absent.onnx');
    expect(await writeFileAtCommit(at(repo.dir), base, 'models/big.onnx', dest)).toBe(false);
    expect(await readdir(temp.path)).not.toContain('absent.onnx');
  });

  test('writeFileAtCommit streams a multi-megabyte blob byte for byte', async () => {
    const dest = join(temp.path, 'big-copy.onnx');
    expect(await writeFileAtCommit(at(repo.dir), head, 'models/big.onnx', dest)).toBe(true);
    expect((await readFile(dest)).equals(bigModel)).toBe(true);
  });

  test('a folder or a symbolic link is a UserError, not its listing or its target', async () => {
    await expect(readFileAtCommit(at(repo.dir), head, 'models')).rejects.toThrow(`models@${head.slice(0, 7)} is a folder, not a file.`);
    const linked = await initRepo(join(temp.path, 'with-link'));
    await linked.write('secret.txt', 'do not read');
    git(linked.dir, ['config', 'core.symlinks', 'true']);
    await import('node:fs/promises').then((fs) => fs.symlink('/etc/passwd', join(linked.dir, 'model.onnx')));
    const sha = linked.commit('a symlink');
    await expect(readFileAtCommit(at(linked.dir), sha, 'model.onnx')).rejects.toThrow(/model\.onnx@\w{7} is a symbolic link/);
  });

  test('paths are literal: a glob in the config matches no file', async () => {
    expect(await readFileAtCommit(at(repo.dir), head, 'models/*.onnx')).toBeNull();
  });
});

describe('input checks', () => {
  test('repoRelativePath normalises and refuses paths that leave the repository, naming the config key', () => {
    expect(repoRelativePath('./models//a.onnx', 'models[0].path')).toBe('models/a.onnx');
    for (const [bad, why] of [
      ['../secrets.onnx', "uses '..'"],
      ['models/../../x', "uses '..'"],
      ['/etc/passwd', 'is absolute'],
      ['C:\\x.onnx', 'is absolute'],
      ['', 'is empty'],
      ['./', 'names the repository root'],
    ]) {
      let error: unknown;
      try {
        repoRelativePath(bad, 'models[0].path');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toContain(`models[0].path: "${bad}" ${why}`);
    }
  });

  test('checkSha accepts only full object names, so nothing reaches git as a ref or an option', () => {
    expect(checkSha('A'.repeat(40))).toBe('a'.repeat(40));
    for (const bad of ['HEAD', 'main', '--upload-pack=touch /tmp/pwned', 'a'.repeat(39), `${'a'.repeat(40)}:x`]) {
      expect(() => checkSha(bad)).toThrow(UserError);
    }
  });
});

describe('ensureCommit in a shallow clone (actions/checkout fetch-depth: 1)', () => {
  test('fetches the missing base commit from origin, after which its files can be read', async () => {
    const clone = join(temp.path, 'shallow');
    git(temp.path, ['clone', '--quiet', '--depth=1', '--no-local', `file://${repo.dir}`, clone]);
    expect(git(clone, ['rev-parse', '--is-shallow-repository'])).toBe('true');
    await expect(readFileAtCommit(at(clone), base, 'models/classifier.onnx')).rejects.toThrow();

    const messages: string[] = [];
    await ensureCommit(at(clone), base, { info: (message) => void messages.push(message) });
    expect(messages).toEqual([`Fetching commit ${base.slice(0, 7)} (not in the shallow clone).`]);
    expect((await readFileAtCommit(at(clone), base, 'models/classifier.onnx'))?.toString()).toBe('baseline bytes');
    expect(git(clone, ['rev-parse', '--is-shallow-repository'])).toBe('true');

    // Already there: no fetch.
    messages.length = 0;
    await ensureCommit(at(clone), head, { info: (message) => void messages.push(message) });
    expect(messages).toEqual([]);
  });

  test("a commit origin does not have either is a UserError with git's reason and what to do", async () => {
    const clone = join(temp.path, 'shallow2');
    git(temp.path, ['clone', '--quiet', '--depth=1', '--no-local', `file://${repo.dir}`, clone]);
    const error = await ensureCommit(at(clone), 'f'.repeat(40), silentLog).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/^Commit fffffff is not in the clone at .*shallow2, and fetching it from origin failed: .+\. Check out with actions\/checkout/s);
  });
});

describe('changedFilesFromGit', () => {
  test('lists modified, added, and both names of a renamed file', async () => {
    expect((await changedFilesFromGit(at(repo.dir), base, head)).sort()).toEqual(['models/big.onnx', 'models/classifier.onnx', 'models/new-name.onnx', 'models/old-name.onnx']);
  });
});

describe('Git LFS', () => {
  const data = Buffer.from('the real model weights');
  const pointerText = (oid: string, size: number) => `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;

  test('parseLfsPointer reads oid and size, and rejects anything else', () => {
    const oid = 'ab'.repeat(32);
    expect(parseLfsPointer(Buffer.from(pointerText(oid, 1234)))).toEqual({ oid, size: 1234 });
    expect(parseLfsPointer(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\n`))).toBeNull();
    expect(parseLfsPointer(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid.slice(2)}\nsize 1\n`))).toBeNull();
    expect(parseLfsPointer(Buffer.from('ONNX protobuf bytes'))).toBeNull();
    expect(parseLfsPointer(Buffer.concat([Buffer.from(pointerText(oid, 1)), Buffer.alloc(1024)]))).toBeNull();
  });

  test('without git-lfs on the runner: a UserError saying how to fix it', async () => {
    const real = at(repo.dir);
    const noLfs: Git = { ...real, run: (args, opts) => (args[0] === 'lfs' ? Promise.reject(new Error("git: 'lfs' is not a git command.")) : real.run(args, opts)) };
    const pointer = Buffer.from(pointerText('ab'.repeat(32), 5));
    await expect(resolveLfs(noLfs, pointer, 'models/a.onnx', join(temp.path, 'x'), { label: 'models/a.onnx@1234567' })).rejects.toThrow(
      'models/a.onnx@1234567: a Git LFS pointer, and git-lfs is not installed on this runner (install git-lfs or use actions/checkout with lfs: true)',
    );
  });

  (hasGitLfs ? describe : describe.skip)('with git-lfs installed', () => {
    test('the pointer is smudged into the real bytes from the local LFS store', async () => {
      const pointer = lfsClean(repo.dir, 'models/lfs.onnx', data);
      const dest = join(temp.path, 'smudged.onnx');
      await resolveLfs(at(repo.dir), pointer, 'models/lfs.onnx', dest);
      expect((await readFile(dest)).equals(data)).toBe(true);
    });

    test("an object that cannot be fetched: a UserError naming the path and carrying git-lfs's message, no file left", async () => {
      const pointer = Buffer.from(pointerText('cd'.repeat(32), 10));
      const dest = join(temp.path, 'missing.onnx');
      const error = await resolveLfs(at(repo.dir), pointer, 'models/gone.onnx', dest, { label: 'models/gone.onnx@abcdef0' }).catch((e) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toMatch(/^models\/gone\.onnx@abcdef0: git lfs could not fetch the LFS object cdcdcdcdcdcd: .*Error downloading/s);
      expect(await readdir(temp.path)).not.toContain('missing.onnx');
    });

    test('bytes that do not match the pointer (a damaged LFS store) are refused', async () => {
      const other = await initRepo(join(temp.path, 'damaged'));
      const pointer = lfsClean(other.dir, 'm.onnx', data);
      const { oid } = parseLfsPointer(pointer)!;
      await writeFile(join(other.dir, '.git', 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid), 'the fake model weights');
      const dest = join(temp.path, 'damaged.onnx');
      const error = await resolveLfs(at(other.dir), pointer, 'm.onnx', dest).catch((e) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toContain(`but the pointer names ${data.length} bytes with sha256 ${oid}`);
      expect(await readdir(temp.path)).not.toContain('damaged.onnx');
    });
  });
});
