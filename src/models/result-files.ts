/**
 * task: results in the Action: a models[] entry's path names a result file, or a folder of them
 * (not recursive, as the readers read it), in the repository. Each side is those bytes at the
 * PR's base or head commit, read from git's object store (Git LFS pointers resolved) into a
 * folder of its own under workDir, where the same readers as the CLI's read them.
 */
import path from 'node:path';
import type { ModelEntry } from '../config/types.js';
import { UserError } from '../errors.js';
import { folderFilesAt, pathKindAt, repoRelativePath } from './git.js';
import { modelFolder, writeResolved, type MaterializedModel, type ModelSide } from './sources.js';

/** What the result readers read in a folder; other files (a README, the harness's logs) are not copied. */
const RESULT_EXTENSIONS = ['.jsonl', '.json', '.csv'];
/** More files than MMLU's 57 subjects many times over; a folder with more is not one result set. */
export const MAX_RESULT_FILES = 1000;

/** A model-gate report.json path may end in #baseline or #candidate (the side to read); that is not part of the file name. */
function splitSide(entryPath: string): { file: string; suffix: string } {
  const match = /#(baseline|candidate)$/.exec(entryPath);
  return match ? { file: entryPath.slice(0, -match[0].length), suffix: match[0] } : { file: entryPath, suffix: '' };
}

const watched = (entry: ModelEntry) => {
  if (!('path' in entry)) throw new UserError(`models "${entry.name}": task: results reads a result file or folder in the repository (path), not a manifest`);
  return repoRelativePath(splitSide(entry.path).file, `models "${entry.name}": path`);
};

/** The entry's result set may have changed: the file itself, or a file directly in the folder. */
export function isResultSetChange(entry: ModelEntry, changedFiles: readonly string[]): boolean {
  const target = watched(entry);
  return changedFiles.some((file) => file === target || path.posix.dirname(file) === target);
}

/** The result file or folder as it is at `side.sha`; null when the path does not exist there (added or removed by the PR). */
export async function materializeResultSet(entry: ModelEntry, side: ModelSide, workDir: string): Promise<MaterializedModel | null> {
  const repoPath = watched(entry);
  const { suffix } = splitSide((entry as { path: string }).path);
  const where = `${repoPath}@${side.sha.slice(0, 7)}`;
  const kind = await pathKindAt(side.git, side.sha, repoPath);
  if (kind === null) return null;
  const folder = modelFolder(workDir, entry.name, side.sha);
  const label = `${repoPath}${suffix} @ ${side.label}`;
  if (kind === 'file') {
    const file = path.join(folder, path.posix.basename(repoPath));
    await writeResolved(side, repoPath, file);
    return { file: `${file}${suffix}`, label };
  }
  const files = (await folderFilesAt(side.git, side.sha, repoPath)).filter((f) => RESULT_EXTENSIONS.includes(path.posix.extname(f.name).toLowerCase()));
  if (files.length === 0) throw new UserError(`${where}: a folder with no result files (${RESULT_EXTENSIONS.join(', ')}) (models "${entry.name}")`);
  if (files.length > MAX_RESULT_FILES) throw new UserError(`${where}: ${files.length} result files, more than the ${MAX_RESULT_FILES} one result set may have (models "${entry.name}")`);
  const link = files.find((f) => f.mode === '120000');
  if (link) throw new UserError(`${where}/${link.name} is a symbolic link; commit the result file itself (models "${entry.name}")`);
  const dest = path.join(folder, path.posix.basename(repoPath));
  for (const f of files) await writeResolved(side, `${repoPath}/${f.name}`, path.join(dest, f.name));
  return { file: dest, label };
}
