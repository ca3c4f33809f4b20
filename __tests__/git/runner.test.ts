/** The one git runner: its environment, its error, its output cap, and streaming to a file. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGit, GitCommandError } from '../../src/git/index.js';
import { initRepo, makeTempDir } from '../models/git-fixture.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
beforeAll(async () => {
  temp = await makeTempDir('mg-runner-');
  const repo = await initRepo(join(temp.path, 'repo'));
  await repo.write('a.txt', 'x'.repeat(5000));
  repo.commit('one file');
  dir = repo.dir;
});
afterAll(async () => {
  await temp.cleanup();
});

test("every call never prompts, takes paths literally, and adds the call's own variables to the inherited ones", async () => {
  const git = createGit(dir, { ...process.env, MG_INHERITED: 'kept' });
  const printenv = ['-c', 'alias.vars=!printenv GIT_TERMINAL_PROMPT GIT_LITERAL_PATHSPECS MG_INHERITED MG_EXTRA', 'vars'];
  const { stdout } = await git.run(printenv, { env: { MG_EXTRA: 'added' } });
  expect(stdout.toString('utf8').split('\n')).toEqual(['0', '1', 'kept', 'added', '']);
  expect(git.dir).toBe(dir);
});

test("a failing command is a GitCommandError with the arguments, exit code and git's message", async () => {
  const error = await createGit(dir, process.env)
    .run(['cat-file', 'blob', 'HEAD:missing.txt'])
    .catch((e) => e);
  expect(error).toBeInstanceOf(GitCommandError);
  expect(error.args).toEqual(['cat-file', 'blob', 'HEAD:missing.txt']);
  expect(error.exitCode).toBe(128);
  expect(error.message).toMatch(/^git cat-file blob HEAD:missing.txt failed \(exit 128\): fatal: .*missing\.txt/);
});

test('stdout past the cap is an error, not a partial result', async () => {
  const git = createGit(dir, process.env);
  expect((await git.run(['cat-file', 'blob', 'HEAD:a.txt'], { maxBuffer: 5000 })).stdout.length).toBe(5000);
  const error = await git.run(['cat-file', 'blob', 'HEAD:a.txt'], { maxBuffer: 4999 }).catch((e) => e);
  expect(error).toBeInstanceOf(GitCommandError);
  expect(error.stderr).toBe('output larger than 4999 bytes');
});

test('runToFile streams stdout into the file, and leaves no file when git fails', async () => {
  const git = createGit(dir, process.env);
  await git.runToFile(['cat-file', 'blob', 'HEAD:a.txt'], join(temp.path, 'copy.txt'));
  expect(await readFile(join(temp.path, 'copy.txt'), 'utf8')).toBe('x'.repeat(5000));
  await expect(git.runToFile(['cat-file', 'blob', 'HEAD:missing.txt'], join(temp.path, 'failed.txt'))).rejects.toBeInstanceOf(GitCommandError);
  const files = await readdir(temp.path);
  expect(files).toContain('copy.txt');
  expect(files).not.toContain('failed.txt');
});
