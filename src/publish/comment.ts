/**
 * The sticky PR comment: one per config, found again on every push by a hidden HTML marker and
 * updated in place. Only comments written by the token's own user count, so a person quoting
 * the marker is never overwritten, and a create whose response was lost is found again instead
 * of being posted twice.
 */
import { capComment, markerComment } from '../report/comment-limit.js';
import { neutraliseMentionsAround } from '../report/untrusted-text.js';
import { isTransientError, statusOf, type GitHub, type GitHubLog } from './github.js';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface StickyCommentResult {
  id: number;
  url: string;
  action: 'created' | 'updated' | 'unchanged';
}

export interface StickyCommentOptions {
  /** The login that writes the comments; default: tokenLogin(gh). */
  login?: string;
  /** Create attempts when the POST fails transiently (each preceded by a fresh search). Default 3. */
  createAttempts?: number;
  /** Pause before searching again after a failed create, times the attempt number. Default 1000. */
  retryDelayMs?: number;
}

/** GITHUB_TOKEN is an installation token of the GitHub Actions app; its comments show this login. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

/**
 * The login of the token's user. Installation tokens (GITHUB_TOKEN, or a GitHub App's token)
 * cannot read GET /user and get 403 "Resource not accessible by integration"; then we assume
 * `fallback`, which is right for GITHUB_TOKEN. A GitHub App token must pass its app's bot login
 * (`<app-slug>[bot]`) as the fallback, or its earlier comments will not be recognised.
 */
export async function tokenLogin(gh: GitHub, fallback = ACTIONS_BOT_LOGIN): Promise<string> {
  try {
    const { data } = await gh.rest.users.getAuthenticated();
    return data.login;
  } catch (error) {
    const status = statusOf(error);
    if (status === 403 || status === 404) return fallback;
    throw error;
  }
}

interface ExistingComment {
  id: number;
  body: string;
  url: string;
}

async function findOwnComments(gh: GitHub, target: CommentTarget, login: string, markerText: string): Promise<ExistingComment[]> {
  const comments = await gh.paginate(gh.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  return comments
    .filter((c) => c.user?.login.toLowerCase() === login.toLowerCase() && (c.body ?? '').includes(markerText))
    .sort((a, b) => a.id - b.id)
    .map((c) => ({ id: c.id, body: c.body ?? '', url: c.html_url }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates or updates the comment carrying `marker`. The body gets the marker as its first line
 * (if it lacks it). Renderers fit their bodies to GitHub's limit (report/run-comment.ts); the cap
 * here only guards against one that did not. If several of our comments carry the marker (an earlier
 * duplicate), the oldest is kept up to date and the others are left as they are: deleting
 * needs more than we know about why they exist, and they stop being updated, which is visible.
 */
export async function upsertStickyComment(gh: GitHub, target: CommentTarget, marker: string, body: string, log: GitHubLog, options: StickyCommentOptions = {}): Promise<StickyCommentResult> {
  const markerText = markerComment(marker);
  // Renderers neutralise the text they did not write (run-comment.ts); this is the last guard: a
  // comment model-gate posts never mentions anyone.
  const fullBody = capComment(neutraliseMentionsAround(body.includes(markerText) ? body : `${markerText}\n${body}`, markerText));
  const login = options.login ?? (await tokenLogin(gh));
  const attempts = options.createAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const where = `${target.owner}/${target.repo}#${target.issueNumber}`;

  const updateOrKeep = async (found: ExistingComment[], actionIfSame: StickyCommentResult['action']): Promise<StickyCommentResult> => {
    const [oldest] = found;
    if (found.length > 1) {
      log.warn(`${found.length} comments on ${where} carry the marker ${markerText}; updating the oldest (${oldest.url}).`);
    }
    if (oldest.body === fullBody) return { id: oldest.id, url: oldest.url, action: actionIfSame };
    // PATCH is idempotent, so plugin-retry may replay it on a 5xx without harm.
    const { data } = await gh.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: oldest.id, body: fullBody });
    return { id: data.id, url: data.html_url, action: 'updated' };
  };

  const existing = await findOwnComments(gh, target, login, markerText);
  if (existing.length > 0) return updateOrKeep(existing, 'unchanged');

  for (let attempt = 1; ; attempt++) {
    try {
      const { data } = await gh.rest.issues.createComment({
        owner: target.owner,
        repo: target.repo,
        issue_number: target.issueNumber,
        body: fullBody,
        // Never replay a create blindly: the server may have made the comment and lost the reply.
        request: { retries: 0 },
      });
      return { id: data.id, url: data.html_url, action: 'created' };
    } catch (error) {
      if (!isTransientError(error) || attempt >= attempts) throw error;
      log.warn(`Creating the comment on ${where} failed (${(error as Error).message}); checking whether it was created before trying again.`);
      await sleep(retryDelayMs * attempt);
      const afterFailure = await findOwnComments(gh, target, login, markerText);
      if (afterFailure.length > 0) return updateOrKeep(afterFailure, 'created');
    }
  }
}
