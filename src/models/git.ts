/**
 * Reads model files as they are at a given commit, straight from the git object store, so the
 * baseline (PR base) and candidate (PR head) can both be read from one checkout. Fetches a
 * commit a shallow clone lacks, and turns Git LFS pointers into the real bytes with `git lfs`.
 * git is always run without a shell, with shas validated and paths after `--` or `<sha>:`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';
import type { Progress } from '../progress.js';

export interface GitRunOptions {
  cwd?: string;
  input?: Buffer | string;
  /** Largest stdout kept in memory; more is an error. */
  maxBuffer?: number;
}
export interface GitRunner {
  (args: string[], opts?: GitRunOptions): Promise<{ stdout: Buffer; stderr: string }>;
}

export class GitCommandError extends Error {
  constructor(readonly args: readonly string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`git ${args.join(' ')} failed (${exitCode === null ? 'killed' : `exit ${exitCode}`}): ${stderr.trim() || 'no message'}`);
    this.name = 'GitCommandError';
  }
}

const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;
/** The LFS spec caps pointer files below 1024 bytes, so bigger blobs are never pointers. */
export const LFS_POINTER_MAX_BYTES = 1024;

/**
 * Never prompt for credentials (a CI job would hang); treat paths literally, so a configured
 * path like ':(glob)**' or '*.onnx' matches only a file of that name.
 */
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_LITERAL_PATHSPECS: '1' };
}

export const runGit: GitRunner = (args, opts = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: opts.cwd, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let overflow = false;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBuffer) {
        overflow = true;
        child.kill();
      } else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject); // git itself is missing
    child.on('close', (code) => {
      const stderrText = Buffer.concat(stderr).toString('utf8');
      if (overflow) reject(new GitCommandError(args, code, `output larger than ${maxBuffer} bytes`));
      else if (code !== 0) reject(new GitCommandError(args, code, stderrText));
      else resolve({ stdout: Buffer.concat(stdout), stderr: stderrText });
    });
    child.stdin.on('error', () => {}); // git may exit before reading all input; 'close' reports why
    child.stdin.end(opts.input ?? '');
  });

/** Full object names only (sha-1 or sha-256 repositories): never a ref, never an option. */
export function checkSha(sha: string): string {
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(sha)) {
    throw new UserError(`"${sha}" is not a full commit sha (40 or 64 hexadecimal characters).`);
  }
  return sha.toLowerCase();
}

/** A path inside the repository, '/'-separated, with no '.' or empty segments; `configKey` names it in errors. */
export function repoRelativePath(input: string, configKey: string): string {
  const refused = (why: string) => new UserError(`${configKey}: "${input}" ${why}; give a path relative to the repository root.`);
  if (input.trim() === '') throw refused('is empty');
  if (input.includes('\0')) throw refused('contains a NUL character');
  if (path.posix.isAbsolute(input) || path.win32.isAbsolute(input) || input.startsWith('\\')) throw refused('is absolute');
  const segments = input.split(/[\\/]/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw refused("uses '..' to leave the repository");
  if (segments.length === 0) throw refused('names the repository root');
  return segments.join('/');
}

const short = (sha: string) => sha.slice(0, 7);

async function hasCommit(repoDir: string, sha: string, git: GitRunner): Promise<boolean> {
  return git(['cat-file', '-e', `${sha}^{commit}`], { cwd: repoDir }).then(() => true, () => false);
}

/**
 * Makes sure `sha` is in the clone. actions/checkout fetches one commit by default, so the PR base
 * is usually missing: fetch just that commit (depth 1 only if the clone is already shallow, so a
 * full clone is not turned into a shallow one).
 */
export async function ensureCommit(repoDir: string, sha: string, log: Pick<Progress, 'info'>, git: GitRunner = runGit): Promise<void> {
  const commit = checkSha(sha);
  if (await hasCommit(repoDir, commit, git)) return;
  const shallow = (await git(['rev-parse', '--is-shallow-repository'], { cwd: repoDir }).catch(() => null))?.stdout.toString().trim() === 'true';
  log.info(`Fetching commit ${short(commit)} (not in the ${shallow ? 'shallow ' : ''}clone).`);
  let fetchError = '';
  try {
    await git(['fetch', '--no-tags', '--no-recurse-submodules', ...(shallow ? ['--depth=1'] : []), 'origin', commit], { cwd: repoDir, maxBuffer: 1024 * 1024 });
  } catch (error) {
    fetchError = error instanceof GitCommandError ? error.stderr.trim() : (error as Error).message;
  }
  if (await hasCommit(repoDir, commit, git)) return;
  throw new UserError(
    `Commit ${short(commit)} is not in the clone at ${repoDir}, and fetching it from origin failed` +
      `${fetchError ? `: ${fetchError}` : ''}. Check out with actions/checkout (keep persist-credentials on so git can fetch), or use fetch-depth: 0.`,
  );
}

interface TreeEntry { mode: string; type: string; oid: string; size: number }

/** The entry at `path` in `sha`'s tree, or null when there is none. */
async function treeEntry(repoDir: string, sha: string, repoPath: string, git: GitRunner): Promise<TreeEntry | null> {
  const { stdout } = await git(['ls-tree', '-z', '--long', '--full-tree', checkSha(sha), '--', repoPath], { cwd: repoDir });
  for (const record of stdout.toString('utf8').split('\0')) {
    const match = /^(\d+) (\S+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(record);
    if (match && match[5] === repoPath) return { mode: match[1], type: match[2], oid: match[3], size: Number(match[4]) };
  }
  return null;
}

/** Only regular files: a symlink's blob is its target's name, a submodule or folder has no bytes. */
async function blobAt(repoDir: string, sha: string, repoPath: string, git: GitRunner): Promise<TreeEntry | null> {
  const entry = await treeEntry(repoDir, sha, repoPath, git);
  if (entry === null) return null;
  const where = `${repoPath}@${short(sha)}`;
  if (entry.mode === '120000') throw new UserError(`${where} is a symbolic link; point the config at the file itself.`);
  if (entry.type !== 'blob') throw new UserError(`${where} is a ${entry.type === 'tree' ? 'folder' : entry.type}, not a file.`);
  return entry;
}

/** The file's bytes at `sha`; null when the path does not exist there (e.g. a model the PR adds). For small files. */
export async function readFileAtCommit(repoDir: string, sha: string, repoPath: string, git: GitRunner = runGit): Promise<Buffer | null> {
  const entry = await blobAt(repoDir, sha, repoPath, git);
  if (entry === null) return null;
  if (entry.size > DEFAULT_MAX_BUFFER) {
    throw new UserError(`${repoPath}@${short(sha)} is ${entry.size} bytes, too big to read into memory.`);
  }
  return (await git(['cat-file', 'blob', entry.oid], { cwd: repoDir })).stdout;
}

/** Runs git with stdout streamed (through `transform`, if given) into `destFile`. */
async function gitToFile(repoDir: string, args: string[], destFile: string, input: Buffer | null, transform?: Transform): Promise<void> {
  const child = spawn('git', args, { cwd: repoDir, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  exited.catch(() => {}); // awaited below; this only keeps an early spawn error from going unhandled
  child.stdin.on('error', () => {});
  child.stdin.end(input ?? '');
  try {
    if (transform) await pipeline(child.stdout, transform, createWriteStream(destFile));
    else await pipeline(child.stdout, createWriteStream(destFile));
    const code = await exited;
    if (code !== 0) throw new GitCommandError(args, code, Buffer.concat(stderr).toString('utf8'));
  } catch (error) {
    child.kill();
    await rm(destFile, { force: true });
    throw error;
  }
}

/** Streams the file at `sha` into `destFile` (models can be gigabytes); false when the path does not exist there. */
export async function writeFileAtCommit(repoDir: string, sha: string, repoPath: string, destFile: string, git: GitRunner = runGit): Promise<boolean> {
  const entry = await blobAt(repoDir, sha, repoPath, git);
  if (entry === null) return false;
  await gitToFile(repoDir, ['cat-file', 'blob', entry.oid], destFile, null);
  return true;
}

/** Parses a Git LFS pointer file (spec v1); null when the bytes are not one. */
export function parseLfsPointer(bytes: Buffer): { oid: string; size: number } | null {
  if (bytes.length >= LFS_POINTER_MAX_BYTES) return null;
  const text = bytes.toString('utf8');
  if (!text.startsWith('version https://git-lfs.github.com/spec/v1\n')) return null;
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  if (oid === undefined || size === undefined || !Number.isSafeInteger(Number(size))) return null;
  return { oid, size: Number(size) };
}

/**
 * Writes the object an LFS pointer stands for to `destFile` via `git lfs smudge` (which uses the
 * local LFS store, or downloads from the LFS server with the clone's credentials), and checks
 * that the bytes are the ones the pointer names.
 */
export async function resolveLfs(
  repoDir: string,
  pointerBytes: Buffer,
  repoPath: string,
  destFile: string,
  opts: { /** How errors name the file, e.g. 'models/a.onnx@1a2b3c4'. */ label?: string; git?: GitRunner } = {},
): Promise<void> {
  const { label: where = repoPath, git = runGit } = opts;
  const pointer = parseLfsPointer(pointerBytes);
  if (pointer === null) throw new UserError(`${where}: not a Git LFS pointer.`);
  const hasLfs = await git(['lfs', 'version'], { cwd: repoDir }).then(() => true, () => false);
  if (!hasLfs) {
    throw new UserError(`${where}: a Git LFS pointer, and git-lfs is not installed on this runner (install git-lfs or use actions/checkout with lfs: true)`);
  }
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await gitToFile(repoDir, ['lfs', 'smudge', '--', repoPath], destFile, pointerBytes, measure);
  } catch (error) {
    const message = error instanceof GitCommandError ? error.stderr.trim() : (error as Error).message;
    throw new UserError(`${where}: git lfs could not fetch the LFS object ${pointer.oid.slice(0, 12)}: ${message || 'no message'}`, { cause: error });
  }
  const oid = hash.digest('hex');
  if (oid !== pointer.oid || size !== pointer.size) {
    await rm(destFile, { force: true });
    throw new UserError(`${where}: git lfs returned ${size} bytes with sha256 ${oid}, but the pointer names ${pointer.size} bytes with sha256 ${pointer.oid}.`);
  }
}

/** Files that differ between two commits' trees (renames listed under both names); needs both commits present. */
export async function changedFilesFromGit(repoDir: string, baseSha: string, headSha: string, git: GitRunner = runGit): Promise<string[]> {
  const { stdout } = await git(['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', checkSha(baseSha), checkSha(headSha), '--'], { cwd: repoDir });
  return stdout.toString('utf8').split('\0').filter((name) => name !== '');
}
