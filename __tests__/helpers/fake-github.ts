/**
 * A local stand-in for the GitHub REST API on 127.0.0.1, holding just the endpoints the Action
 * uses, with GitHub's response shapes, real `Link` pagination (so octokit's paginate works), an
 * auth-header check, a request log for assertions, and injectable failures: a secondary rate
 * limit, or a 502 sent *after* the write happened (the "lost response" that makes naive retries
 * duplicate comments). It also plays the Actions artifact service (fake-artifact-service.ts), so
 * an uploaded artifact can be asserted and downloaded again by a `workflow_run` run.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleArtifactService, type UploadedArtifact } from './fake-artifact-service.js';
import { githubRoutes, sendJson, type Route } from './fake-github-routes.js';

export interface FakeUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface FakeComment {
  id: number;
  body: string;
  user: FakeUser;
  html_url: string;
  created_at: string;
  updated_at: string;
}

export interface FakeRef {
  sha: string;
  ref: string;
  repo: { full_name: string };
}

export interface FakePull {
  number: number;
  head: FakeRef;
  base: FakeRef;
  changedFiles: { filename: string; status: string; previous_filename?: string }[];
}

export interface FakeArtifact {
  id: number;
  name: string;
  zip: Buffer;
  workflow_run: { id: number; head_sha: string };
  /** The storage URL sends the full content-length, then only this many bytes, and closes the connection. */
  cutAfterBytes?: number;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

export interface FailRule {
  method: string;
  pathPattern: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests still fail; the rule is removed at 0. */
  times: number;
  /**
   * Run the real handler first (the comment *is* created), then answer with this failure
   * instead of its response: the client sees an error for a write that succeeded.
   */
  afterHandling?: boolean;
  /** Send no answer at all (with afterHandling: the write happens, and the client waits forever). */
  hang?: boolean;
}

export interface FakeState {
  tokenLogin: string;
  /** true: GET /user answers 403 as it does for an installation token such as GITHUB_TOKEN. */
  userEndpointForbidden: boolean;
  defaultBranch: string;
  comments: Map<number, FakeComment[]>;
  pulls: Map<number, FakePull>;
  /** By workflow run id. */
  artifacts: Map<number, FakeArtifact[]>;
  issues: Map<number, FakeIssue>;
  requests: { method: string; path: string; query: string; body?: unknown; authorized: boolean }[];
  failNext: FailRule[];
  /** Artifacts finished through the artifact service (CreateArtifact, blob upload, FinalizeArtifact). */
  uploadedArtifacts: UploadedArtifact[];
  /** The workflow run that uploaded artifacts are listed under (`actions/runs/{id}/artifacts`). */
  currentRun: { id: number; head_sha: string };
  nextId(): number;
}

export interface FakeGitHub {
  url: string;
  repo: string;
  state: FakeState;
  /** Adds a comment as someone else (default: a human user), returning it. */
  addComment(issueNumber: number, body: string, user?: FakeUser): FakeComment;
  /** Environment for @actions/artifact (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL) pointing here. */
  artifactServiceEnv(): Record<string, string>;
  close(): Promise<void>;
}

/** The answer GitHub gives when secondary limits trip; plugin-throttling keys on the message. */
export function secondaryRateLimitRule(method: string, pathPattern: RegExp, retryAfterSeconds = 1, times = 1): FailRule {
  return {
    method,
    pathPattern,
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    },
    times,
  };
}

/** The request is carried out (a comment is created), and no answer ever comes. */
export function hangingRule(method: string, pathPattern: RegExp, times = 1): FailRule {
  return { method, pathPattern, status: 0, times, afterHandling: true, hang: true };
}

/** The write happens, then the client gets a 502 Bad Gateway as if a proxy lost the response. */
export function lostResponseRule(method: string, pathPattern: RegExp, times = 1): FailRule {
  return { method, pathPattern, status: 502, body: { message: 'Server Error' }, times, afterHandling: true };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function takeFailRule(state: FakeState, method: string, path: string): FailRule | null {
  const index = state.failNext.findIndex((rule) => rule.method === method && rule.pathPattern.test(path));
  if (index === -1) return null;
  const rule = state.failNext[index];
  rule.times -= 1;
  if (rule.times <= 0) state.failNext.splice(index, 1);
  return rule;
}

/** Lets a handler run to completion while its response goes nowhere. */
function discardingResponse(): ServerResponse {
  const sink = { writeHead: () => sink, setHeader: () => sink, end: () => sink, write: () => true };
  return sink as unknown as ServerResponse;
}

export async function startFakeGitHub(repo: string): Promise<FakeGitHub> {
  let lastId = 1000;
  const state: FakeState = {
    tokenLogin: 'github-actions[bot]',
    userEndpointForbidden: true,
    defaultBranch: 'main',
    comments: new Map(),
    pulls: new Map(),
    artifacts: new Map(),
    issues: new Map(),
    requests: [],
    failNext: [],
    uploadedArtifacts: [],
    currentRun: { id: 1, head_sha: '0'.repeat(40) },
    nextId: () => ++lastId,
  };
  let baseUrl = '';
  let routes: Route[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', baseUrl);
      const method = req.method ?? 'GET';
      const raw = await readBody(req);
      if (await handleArtifactService(state, baseUrl, method, url, req.headers, raw, res)) return;

      let body: unknown;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return sendJson(res, 400, { message: 'Problems parsing JSON' });
        }
      }
      const authorized = Boolean(req.headers.authorization?.match(/^(token|bearer) \S+/i));
      state.requests.push({ method, path: url.pathname, query: url.search, body, authorized });
      const isSignedDownload = url.pathname.startsWith('/_signed/');
      if (!authorized && !isSignedDownload) {
        return sendJson(res, 401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' });
      }

      const failure = takeFailRule(state, method, url.pathname);
      if (failure?.hang && !failure.afterHandling) return;
      if (failure && !failure.afterHandling) {
        return sendJson(res, failure.status, failure.body ?? { message: 'injected failure' }, failure.headers);
      }
      const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
      const target = failure ? discardingResponse() : res;
      if (!route) sendJson(target, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      else route.handle({ match: url.pathname.match(route.pattern)!, url, body, res: target });
      if (failure?.hang) return;
      if (failure) sendJson(res, failure.status, failure.body ?? { message: 'injected failure' }, failure.headers);
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: `fake GitHub bug: ${(error as Error).message}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes = githubRoutes(state, repo, baseUrl);

  return {
    url: baseUrl,
    repo,
    state,
    addComment(issueNumber, body, user = { login: 'octocat', type: 'User' }) {
      const now = new Date().toISOString();
      const id = state.nextId();
      const comment: FakeComment = {
        id,
        body,
        user,
        html_url: `https://github.com/${repo}/issues/${issueNumber}#issuecomment-${id}`,
        created_at: now,
        updated_at: now,
      };
      state.comments.set(issueNumber, [...(state.comments.get(issueNumber) ?? []), comment]);
      return comment;
    },
    artifactServiceEnv() {
      // @actions/artifact reads the run and job ids from the `scp` claim of this (unsigned) JWT.
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const claims = { scp: 'Actions.GenericRead:1 Actions.Results:fake-run-backend-id:fake-job-backend-id' };
      const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.fake-signature`;
      return { ACTIONS_RUNTIME_TOKEN: token, ACTIONS_RESULTS_URL: `${baseUrl}/` };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
