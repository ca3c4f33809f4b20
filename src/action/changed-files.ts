/** Which files a pull request changes, as the PR gate needs them to pick the models to compare. */
import { UserError } from '../errors.js';
import type { GitHub } from '../publish/github.js';

/** GitHub lists at most this many files of a pull request; past it the list is cut short. */
export const PR_FILES_API_LIMIT = 3000;

/**
 * Files the PR changes, per the files API (renames under both names). A PR with
 * PR_FILES_API_LIMIT files or more may hide a model change past the cut, so then
 * `whenTruncated` gives the list instead (pass `() => changedFilesFromGit(...)`); without it,
 * that is an error, never a silent skip.
 */
export async function listChangedFiles(gh: GitHub, pr: { owner: string; repo: string; pullNumber: number }, whenTruncated?: () => Promise<string[]>): Promise<string[]> {
  const files = await gh.paginate(gh.rest.pulls.listFiles, { owner: pr.owner, repo: pr.repo, pull_number: pr.pullNumber, per_page: 100 });
  if (files.length >= PR_FILES_API_LIMIT) {
    if (!whenTruncated) {
      throw new UserError(`Pull request #${pr.pullNumber} changes ${PR_FILES_API_LIMIT} files or more, more than GitHub lists; cannot tell which models changed.`);
    }
    return whenTruncated();
  }
  const names = new Set<string>();
  for (const file of files) {
    names.add(file.filename);
    if (file.previous_filename) names.add(file.previous_filename);
  }
  return [...names];
}
