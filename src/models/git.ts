/**
 * Reads model files as they are at a given commit, straight from the git object store, so the
 * baseline (PR base) and candidate (PR head) can both be read from one checkout. Fetches a
 * commit a shallow clone lacks, and turns Git LFS pointers into the real bytes with `git lfs`.
 * Every function takes the repository's Git (src/git); shas are validated and paths go after
 * `--` or `<sha>:`.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { UserError } from '../errors.js';
import { GIT_OUTPUT_LIMIT, GitCommandError, type Git } from '../git/index.js';
import type { Progress } from '../progress.js';

/** The LFS spec caps pointer files below 1024 bytes, so bigger blobs are never pointers. */
export const LFS_POINTER_MAX_BYTES = 1024;

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

async function hasCommit(git: Git, sha: string): Promise<boolean> {
  return git.run(['cat-file', '-e', `${sha}^{commit}`]).then(
    () => true,
    () => false,
  );
}

/**
 * Makes sure `sha` is in the clone. actions/checkout fetches one commit by default, so the PR base
 * is usually missing: fetch just that commit (depth 1 only if the clone is already shallow, so a
 * full clone is not turned into a shallow one).
 */
export async function ensureCommit(git: Git, sha: string, log: Pick<Progress, 'info'>): Promise<void> {
  const commit = checkSha(sha);
  if (await hasCommit(git, commit)) return;
  const shallow = (await git.run(['rev-parse', '--is-shallow-repository']).catch(() => null))?.stdout.toString().trim() === 'true';
  log.info(`Fetching commit ${short(commit)} (not in the ${shallow ? 'shallow ' : ''}clone).`);
  let fetchError = '';
  try {
    await git.run(['fetch', '--no-tags', '--no-recurse-submodules', ...(shallow ? ['--depth=1'] : []), 'origin', commit], { maxBuffer: 1024 * 1024 });
  } catch (error) {
    fetchError = error instanceof GitCommandError ? error.stderr.trim() : (error as Error).message;
  }
  if (await hasCommit(git, commit)) return;
  throw new UserError(
    `Commit ${short(commit)} is not in the clone at ${git.dir}, and fetching it from origin failed` +
      `${fetchError ? `: ${fetchError}` : ''}. Check out with actions/checkout (keep persist-credentials on so git can fetch), or use fetch-depth: 0.`,
  );
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
}

/** The entry at `path` in `sha`'s tree, or null when there is none. */
async function treeEntry(git: Git, sha: string, repoPath: string): Promise<TreeEntry | null> {
  const { stdout } = await git.run(['ls-tree', '-z', '--long', '--full-tree', checkSha(sha), '--', repoPath]);
  for (const record of stdout.toString('utf8').split('\0')) {
    const match = /^(\d+) (\S+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(record);
    if (match && match[5] === repoPath) return { mode: match[1], type: match[2], oid: match[3], size: Number(match[4]) };
  }
  return null;
}

/** What `path` is in `sha`'s tree: a file (a blob, symlinks included), a folder, or nothing; submodules are refused. */
export async function pathKindAt(git: Git, sha: string, repoPath: string): Promise<'file' | 'folder' | null> {
  const entry = await treeEntry(git, sha, repoPath);
  if (entry === null) return null;
  if (entry.type === 'tree') return 'folder';
  if (entry.type !== 'blob') throw new UserError(`${repoPath}@${short(sha)} is a ${entry.type}, not a file or folder.`);
  return 'file';
}

/** The files directly in the folder `path` at `sha` (not recursive), by name, with their git mode; symlinks included (mode 120000). */
export async function folderFilesAt(git: Git, sha: string, repoPath: string): Promise<{ name: string; mode: string }[]> {
  const { stdout } = await git.run(['ls-tree', '-z', '--full-tree', checkSha(sha), '--', `${repoPath}/`]);
  const files: { name: string; mode: string }[] = [];
  for (const record of stdout.toString('utf8').split('\0')) {
    const match = /^(\d+) (\S+) ([0-9a-f]+)\t(.*)$/s.exec(record);
    if (match && match[2] === 'blob' && path.posix.dirname(match[4]) === repoPath) files.push({ name: path.posix.basename(match[4]), mode: match[1] });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Only regular files: a symlink's blob is its target's name, a submodule or folder has no bytes. */
async function blobAt(git: Git, sha: string, repoPath: string): Promise<TreeEntry | null> {
  const entry = await treeEntry(git, sha, repoPath);
  if (entry === null) return null;
  const where = `${repoPath}@${short(sha)}`;
  if (entry.mode === '120000') throw new UserError(`${where} is a symbolic link; point the config at the file itself.`);
  if (entry.type !== 'blob') throw new UserError(`${where} is a ${entry.type === 'tree' ? 'folder' : entry.type}, not a file.`);
  return entry;
}

/** The file's bytes at `sha`; null when the path does not exist there (e.g. a model the PR adds). For small files. */
export async function readFileAtCommit(git: Git, sha: string, repoPath: string): Promise<Buffer | null> {
  const entry = await blobAt(git, sha, repoPath);
  if (entry === null) return null;
  if (entry.size > GIT_OUTPUT_LIMIT) {
    throw new UserError(`${repoPath}@${short(sha)} is ${entry.size} bytes, too big to read into memory.`);
  }
  return (await git.run(['cat-file', 'blob', entry.oid])).stdout;
}

/** Streams the file at `sha` into `destFile` (models can be gigabytes); false when the path does not exist there. */
export async function writeFileAtCommit(git: Git, sha: string, repoPath: string, destFile: string): Promise<boolean> {
  const entry = await blobAt(git, sha, repoPath);
  if (entry === null) return false;
  await git.runToFile(['cat-file', 'blob', entry.oid], destFile);
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
  git: Git,
  pointerBytes: Buffer,
  repoPath: string,
  destFile: string,
  opts: { /** How errors name the file, e.g. 'models/a.onnx@1a2b3c4'. */ label?: string } = {},
): Promise<void> {
  const { label: where = repoPath } = opts;
  const pointer = parseLfsPointer(pointerBytes);
  if (pointer === null) throw new UserError(`${where}: not a Git LFS pointer.`);
  const hasLfs = await git.run(['lfs', 'version']).then(
    () => true,
    () => false,
  );
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
    await git.runToFile(['lfs', 'smudge', '--', repoPath], destFile, { input: pointerBytes, transform: measure });
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
export async function changedFilesFromGit(git: Git, baseSha: string, headSha: string): Promise<string[]> {
  const { stdout } = await git.run(['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', checkSha(baseSha), checkSha(headSha), '--']);
  return stdout
    .toString('utf8')
    .split('\0')
    .filter((name) => name !== '');
}
