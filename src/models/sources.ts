/**
 * The Action's view of the configured models: which of them a PR touches, and the baseline
 * (PR base) and candidate (PR head) bytes of each, written to files the engine can load.
 * A model is a file in the repository ({ name, path }) or one key of a JSON/YAML manifest of
 * { url, sha256 } ({ name, manifest, key }), so a version bump is a one-line change.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ModelEntry } from '../config/types.js';
import { DEFAULT_FETCH_OPTIONS, displayUrl, downloadWithRetry, parseHttpUrl, type FetchOptions } from '../download/http.js';
import { sha256File } from '../download/sha256.js';
import { UserError } from '../errors.js';
import type { Git } from '../git/index.js';
import type { Progress } from '../progress.js';
import { LFS_POINTER_MAX_BYTES, parseLfsPointer, readFileAtCommit, repoRelativePath, resolveLfs, writeFileAtCommit } from './git.js';
import { parseOnnxFacts } from './onnx-facts.js';

export type { ModelEntry } from '../config/types.js';

export interface ModelSide {
  /** The repository the model is read from. */
  git: Git;
  sha: string;
  /** How the report names this side, e.g. 'base a1b2c3d'. */
  label: string;
}

export interface MaterializedModel {
  file: string;
  label: string;
}

/** One manifest value: where the model is and the sha256 its bytes must have. */
export interface ManifestModel {
  url: string;
  sha256: string;
}

/**
 * Must leave at `dest` the bytes at `url`, or throw; materializeModel checks the sha256 itself.
 * `configKey` names where the URL came from (the manifest and key) for error messages.
 */
export type ModelDownloader = (url: string, sha256: string, dest: string, configKey: string) => Promise<void>;

const isManifestEntry = (entry: ModelEntry): entry is Extract<ModelEntry, { manifest: string }> => 'manifest' in entry;

/** The repo-relative file a change to which means the model may have changed. */
function watchedPath(entry: ModelEntry): string {
  return isManifestEntry(entry) ? repoRelativePath(entry.manifest, `models "${entry.name}": manifest`) : repoRelativePath(entry.path, `models "${entry.name}": path`);
}

/**
 * Whether `changedFiles` (repo-relative, as the files API or `git diff` gives them) can change
 * this model. A path entry also counts non-.onnx files in the model's own folder: ONNX external
 * data (`model.onnx.data`, any name the exporter chose) can change while the .onnx bytes stay
 * the same, and running a model too often costs minutes where skipping it lets a change through
 * ungated. A config change does not count here: the base commit's config is the one that judges.
 */
export function isRelevantChange(entry: ModelEntry, changedFiles: readonly string[]): boolean {
  const watched = watchedPath(entry);
  const folder = path.posix.dirname(watched);
  return changedFiles.some((file) => {
    if (file === watched) return true;
    if (isManifestEntry(entry)) return false;
    return path.posix.dirname(file) === folder && !file.toLowerCase().endsWith('.onnx');
  });
}

/** For a manifest entry whose file changed: did this key's bytes change (not just its URL)? */
export function manifestEntryChanged(base: ManifestModel | null, head: ManifestModel | null): boolean {
  return (base?.sha256 ?? null) !== (head?.sha256 ?? null);
}

/** The manifest's value for the entry's key at that commit; null when the manifest or the key is absent there. */
export async function readManifestEntry(entry: Extract<ModelEntry, { manifest: string }>, side: ModelSide): Promise<ManifestModel | null> {
  const manifestPath = watchedPath(entry);
  const where = `${manifestPath}@${side.sha.slice(0, 7)}`;
  const text = await readFileAtCommit(side.git, side.sha, manifestPath);
  if (text === null) return null;
  let parsed: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both kinds of manifest.
    parsed = parseYaml(text.toString('utf8'));
  } catch (error) {
    throw new UserError(`${where}: not valid JSON or YAML: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`${where}: expected a mapping of model keys to { url, sha256 }.`);
  }
  if (!Object.prototype.hasOwnProperty.call(parsed, entry.key)) return null;
  const value = (parsed as Record<string, unknown>)[entry.key];
  const configKey = `${where} "${entry.key}"`;
  if (typeof value !== 'object' || value === null) throw new UserError(`${configKey}: expected { url, sha256 }.`);
  const { url, sha256 } = value as Record<string, unknown>;
  if (typeof url !== 'string') throw new UserError(`${configKey}.url: expected a URL string.`);
  if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256.trim())) {
    throw new UserError(`${configKey}.sha256: expected 64 hexadecimal characters.`);
  }
  // Which hosts may be fetched is the trusted config's to say (allowed-hosts); the download checks it.
  parseHttpUrl(url, `${configKey}.url`);
  return { url, sha256: sha256.trim().toLowerCase() };
}

/** Names on disk: the config schema keeps names plain, but a file name must never be a path. */
export function modelFolder(workDir: string, name: string, sha: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  const tag = safe === name ? '' : `-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  return path.join(workDir, `${safe}${tag}-${sha.slice(0, 12)}`);
}

/** Writes the file at that commit to `dest`, resolving a Git LFS pointer; false when absent. */
export async function writeResolved(side: ModelSide, repoPath: string, dest: string): Promise<boolean> {
  const label = `${repoPath}@${side.sha.slice(0, 7)}`;
  await mkdir(path.dirname(dest), { recursive: true });
  if (!(await writeFileAtCommit(side.git, side.sha, repoPath, dest))) return false;
  if ((await stat(dest)).size >= LFS_POINTER_MAX_BYTES) return true;
  const pointerBytes = await readFile(dest);
  if (parseLfsPointer(pointerBytes) === null) return true;
  const resolved = `${dest}.lfs`;
  await resolveLfs(side.git, pointerBytes, repoPath, resolved, { label });
  await rename(resolved, dest);
  return true;
}

/**
 * Copies the external data files the model names, from the same commit, next to it: the
 * engine loads them relative to the model. Unsafe locations are left for resolveModel to refuse
 * with its own message, and missing ones for it to report as missing.
 */
async function writeExternalData(side: ModelSide, repoPath: string, modelFile: string): Promise<void> {
  // Protobuf messages cannot exceed 2 GiB: a bigger .onnx holds its weights inline, with no sidecars.
  if ((await stat(modelFile)).size > 2 ** 31) return;
  const bytes = await readFile(modelFile);
  let locations: string[];
  try {
    locations = parseOnnxFacts(bytes, repoPath).externalDataFiles;
  } catch {
    return; // not ONNX: resolveModel says so, naming the file
  }
  for (const location of locations) {
    if (path.isAbsolute(location) || path.win32.isAbsolute(location) || location.split(/[\\/]/).includes('..') || location === '') continue;
    const inRepo = path.posix.join(path.posix.dirname(repoPath), location.split('\\').join('/'));
    await writeResolved(side, inRepo, path.join(path.dirname(modelFile), location));
  }
}

/**
 * The model's bytes as they are at `side.sha`, in a file of their own under `workDir`; null when
 * the model does not exist at that commit (added or deleted by the PR).
 */
export async function materializeModel(entry: ModelEntry, side: ModelSide, workDir: string, download: ModelDownloader): Promise<MaterializedModel | null> {
  const folder = modelFolder(workDir, entry.name, side.sha);
  if (!isManifestEntry(entry)) {
    const repoPath = watchedPath(entry);
    const file = path.join(folder, path.posix.basename(repoPath));
    if (!(await writeResolved(side, repoPath, file))) return null;
    await writeExternalData(side, repoPath, file);
    return { file, label: `${repoPath} @ ${side.label}` };
  }

  const model = await readManifestEntry(entry, side);
  if (model === null) return null;
  const urlName = path.posix.basename(new URL(model.url).pathname).replace(/[^A-Za-z0-9._-]/g, '_');
  const file = path.join(folder, urlName.toLowerCase().endsWith('.onnx') ? urlName : 'model.onnx');
  await mkdir(folder, { recursive: true });
  await download(model.url, model.sha256, file, `${watchedPath(entry)}@${side.sha.slice(0, 7)} "${entry.key}".url`);
  // Nothing about the bytes that came back is printed: the URL came from the PR, and its content is not ours to show.
  if ((await sha256File(file)) !== model.sha256) {
    throw new UserError(
      `${watchedPath(entry)}@${side.sha.slice(0, 7)} "${entry.key}": ${displayUrl(model.url)} does not have the sha256 the manifest pins (${model.sha256}); nothing was evaluated.`,
    );
  }
  return { file, label: `${entry.key}: ${displayUrl(model.url)} @ ${side.label}` };
}

/**
 * The ModelDownloader the Action uses: the one the eval set uses too (the URL policy with the
 * trusted config's allowed-hosts, retries, stall timeout).
 */
export function verifiedDownloader(progress: Progress, fetch: Partial<FetchOptions> = {}): ModelDownloader {
  const options: FetchOptions = { ...DEFAULT_FETCH_OPTIONS, ...fetch };
  return async (url, _sha256, dest, configKey) => {
    progress.info(`Downloading ${displayUrl(url)}`);
    await downloadWithRetry(url, dest, configKey, options, progress);
  };
}
