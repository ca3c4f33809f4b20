/**
 * The one Octokit the Action talks to GitHub with: REST methods + paginate, and two plugins that
 * cover different failures.
 *
 * - plugin-throttling handles GitHub *telling us to slow down*: a 403/429 whose message says
 *   "secondary rate limit" (with `retry-after`), or a primary limit (`x-ratelimit-remaining: 0`).
 *   It waits the time GitHub asks for, then replays the request. A request refused this way was
 *   not carried out, so replaying even a POST is safe. It also spaces writes out (one per second,
 *   three seconds between notification-triggering ones such as a new comment), as GitHub's
 *   best-practices guide asks, which keeps us from tripping the secondary limit at all.
 * - plugin-retry handles *transient server or network failures* (5xx, resets) with backoff.
 *   Those are ambiguous for writes: the POST may have happened. Callers that create things pass
 *   `request: { retries: 0 }` and check before re-trying (see comment.ts).
 * - every request has a deadline (github-fetch.ts): one GitHub never answers fails like a lost
 *   connection (status 500 to octokit) instead of holding the job until the job's own timeout,
 *   so the two rules above apply to it too.
 */
import { randomUUID } from 'node:crypto';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { fetchWithDeadline } from './github-fetch.js';

const GitHubOctokit = Octokit.plugin(retry, throttling);
export type GitHub = InstanceType<typeof GitHubOctokit>;

export interface GitHubLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface CreateGitHubOptions {
  token: string;
  /** GITHUB_API_URL, e.g. https://api.github.com or http://127.0.0.1:PORT in tests. */
  baseUrl: string;
  log: GitHubLog;
  /**
   * The longest rate-limit wait we sit out; a longer `retry-after` (a primary limit resets up to
   * an hour later) fails the request instead of holding a runner for that long. Default 300 s.
   */
  maxRetryAfterSeconds?: number;
  /** How many times one request is replayed after rate limits. Default 3. */
  maxRateLimitRetries?: number;
  /** The longest one request (its answer and body) may take, in ms. Default 60 s. */
  requestTimeoutMs?: number;
}

interface RequestDescription {
  method?: string;
  url?: string;
}

export function createGitHub(options: CreateGitHubOptions): GitHub {
  const { log } = options;
  const maxWait = options.maxRetryAfterSeconds ?? 300;
  const maxRetries = options.maxRateLimitRetries ?? 3;

  const decide = (kind: string, retryAfter: number, request: RequestDescription, retryCount: number): boolean => {
    const what = `${request.method ?? 'request'} ${request.url ?? ''}`.trim();
    if (retryCount >= maxRetries) {
      log.warn(`GitHub ${kind} rate limit on ${what}; giving up after ${retryCount} retries.`);
      return false;
    }
    if (retryAfter > maxWait) {
      log.warn(`GitHub ${kind} rate limit on ${what}: asked to wait ${retryAfter} s, more than the ${maxWait} s allowed; giving up.`);
      return false;
    }
    log.warn(`GitHub ${kind} rate limit on ${what}; waiting ${retryAfter} s before retry ${retryCount + 1} of ${maxRetries}.`);
    return true;
  };

  return new GitHubOctokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'model-gate',
    request: { fetch: fetchWithDeadline(options.requestTimeoutMs ?? 60_000) },
    // Octokit logs every request (info) and every failed one (error) through this. The failures
    // reach the caller as exceptions, and some are expected (GET /user is 403 for GITHUB_TOKEN),
    // so they go to the info log, not to warnings; per-request success lines are dropped.
    log: { debug: () => {}, info: () => {}, warn: (message: string) => log.warn(message), error: (message: string) => log.info(message) },
    throttle: {
      // The plugin keys its write/notification spacing on this id in process-wide limiters;
      // our own id keeps one client's pacing from delaying another client in the same process.
      id: `model-gate-${randomUUID()}`,
      onRateLimit: (retryAfter: number, request: RequestDescription, _octokit: unknown, retryCount: number) => decide('primary', retryAfter, request, retryCount),
      onSecondaryRateLimit: (retryAfter: number, request: RequestDescription, _octokit: unknown, retryCount: number) => decide('secondary', retryAfter, request, retryCount),
    },
    retry: { retries: 3 },
  });
}

/** A failure worth another try: a 5xx, or no answer at all (octokit reports that as status 500). */
export function isTransientError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 500;
}

/** The HTTP status of an octokit error, or null for anything else. */
export function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}
