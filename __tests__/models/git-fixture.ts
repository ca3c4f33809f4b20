/**
 * Real git repositories for the tests, in os.tmpdir(), isolated from the machine's git config
 * (no global or system config, a fixed identity), so they behave the same on a clean CI box.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Also read by the code under test, which runs git with the inherited environment.
Object.assign(process.env, {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'model-gate tests',
  GIT_AUTHOR_EMAIL: 'tests@model-gate.invalid',
  GIT_COMMITTER_NAME: 'model-gate tests',
  GIT_COMMITTER_EMAIL: 'tests@model-gate.invalid',
});

export function git(cwd: string, args: string[], input?: Buffer | string): string {
  return execFileSync('git', args, { cwd, input, stdio: ['pipe', 'pipe', 'pipe'] })
    .toString('utf8')
    .trim();
}

export const hasGitLfs = (() => {
  try {
    execFileSync('git', ['lfs', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface TestRepo {
  dir: string;
  write(path: string, data: Uint8Array | string): Promise<void>;
  remove(path: string): void;
  /** Stages everything and commits; returns the new commit's sha. */
  commit(message: string): string;
}

export async function makeTempDir(prefix = 'mg-git-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export async function initRepo(dir: string): Promise<TestRepo> {
  await mkdir(dir, { recursive: true });
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  // Lets a shallow clone fetch any commit by sha, as GitHub does.
  git(dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  return {
    dir,
    async write(path, data) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), data);
    },
    remove(path) {
      git(dir, ['rm', '--quiet', '--', path]);
    },
    commit(message) {
      git(dir, ['add', '--all']);
      git(dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
      return git(dir, ['rev-parse', 'HEAD']);
    },
  };
}

/**
 * Stores `data` in the repository's local LFS store (as `git add` with the LFS filter would)
 * and returns the pointer file's bytes. Needs git-lfs.
 */
export function lfsClean(repoDir: string, path: string, data: Buffer): Buffer {
  return execFileSync('git', ['lfs', 'clean', '--', path], { cwd: repoDir, input: data });
}
