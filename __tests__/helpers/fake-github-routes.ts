/**
 * The REST endpoints of the fake GitHub (fake-github.ts), with the response shapes of GitHub's
 * REST docs reduced to the fields a client reads, and page/per_page pagination answered with a
 * `Link` header the way GitHub builds it.
 */
import type { ServerResponse } from 'node:http';
import type { FakeComment, FakeIssue, FakeState } from './fake-github.js';

export interface RouteContext {
  match: RegExpMatchArray;
  url: URL;
  body: unknown;
  res: ServerResponse;
}
export interface Route {
  method: string;
  pattern: RegExp;
  handle(context: RouteContext): void;
}

const DOCS = 'https://docs.github.com/rest';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers one page of `items` and links the other pages (next/last/prev/first) as GitHub does. */
export function sendPage(res: ServerResponse, url: URL, items: unknown[], wrap?: (page: unknown[]) => unknown): void {
  const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
  const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
  const pageUrl = (n: number) => {
    const link = new URL(url);
    link.searchParams.set('per_page', String(perPage));
    link.searchParams.set('page', String(n));
    return link.href;
  };
  const links: string[] = [];
  if (page < lastPage) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(lastPage)}>; rel="last"`);
  if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(page - 1)}>; rel="prev"`);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  sendJson(res, 200, wrap ? wrap(slice) : slice, links.length > 0 ? { link: links.join(', ') } : {});
}

function userJson(login: string, type: 'User' | 'Bot') {
  return { login, id: [...login].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7) % 1e7, type };
}

function commentJson(comment: FakeComment, apiBase: string, issueNumber: number) {
  return {
    ...comment,
    node_id: `IC_${comment.id}`,
    url: `${apiBase}/issues/comments/${comment.id}`,
    issue_url: `${apiBase}/issues/${issueNumber}`,
    user: userJson(comment.user.login, comment.user.type),
    author_association: comment.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
  };
}

function issueJson(issue: FakeIssue, apiBase: string, repo: string) {
  return {
    ...issue,
    url: `${apiBase}/issues/${issue.number}`,
    html_url: `https://github.com/${repo}/issues/${issue.number}`,
    labels: issue.labels.map((name) => ({ name })),
  };
}

export function githubRoutes(state: FakeState, repo: string, baseUrl: string): Route[] {
  const repoPath = `/repos/${repo}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const apiBase = `${baseUrl}/repos/${repo}`;
  const at = (suffix: string) => new RegExp(`^${repoPath}${suffix}$`);
  const notFound = (res: ServerResponse) => sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS });
  const invalid = (res: ServerResponse, message: string) => sendJson(res, 422, { message, documentation_url: DOCS });
  const tokenUserType = () => (state.tokenLogin.endsWith('[bot]') ? 'Bot' : 'User');
  const findComment = (id: number) => {
    for (const [issueNumber, comments] of state.comments) {
      const comment = comments.find((c) => c.id === id);
      if (comment) return { issueNumber, comment };
    }
    return null;
  };

  return [
    {
      method: 'GET',
      pattern: /^\/user$/,
      handle({ res }) {
        if (state.userEndpointForbidden) {
          return sendJson(res, 403, { message: 'Resource not accessible by integration', documentation_url: `${DOCS}/users/users#get-the-authenticated-user` });
        }
        sendJson(res, 200, userJson(state.tokenLogin, tokenUserType()));
      },
    },
    {
      method: 'GET',
      pattern: at(''),
      handle({ res }) {
        const [owner, name] = repo.split('/');
        sendJson(res, 200, { name, full_name: repo, owner: { login: owner }, private: false, default_branch: state.defaultBranch });
      },
    },
    {
      method: 'GET',
      pattern: at('/issues/(\\d+)/comments'),
      handle({ match, url, res }) {
        const issueNumber = Number(match[1]);
        const comments = [...(state.comments.get(issueNumber) ?? [])].sort((a, b) => a.id - b.id);
        sendPage(
          res,
          url,
          comments.map((c) => commentJson(c, apiBase, issueNumber)),
        );
      },
    },
    {
      method: 'POST',
      pattern: at('/issues/(\\d+)/comments'),
      handle({ match, body, res }) {
        const issueNumber = Number(match[1]);
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || text.length === 0) return invalid(res, 'Validation Failed: body is missing');
        if (text.length > 65536) return invalid(res, 'Validation Failed: body is too long (maximum is 65536 characters)');
        const now = new Date().toISOString();
        const id = state.nextId();
        const kind = state.pulls.has(issueNumber) ? 'pull' : 'issues';
        const comment: FakeComment = {
          id,
          body: text,
          user: { login: state.tokenLogin, type: tokenUserType() },
          html_url: `https://github.com/${repo}/${kind}/${issueNumber}#issuecomment-${id}`,
          created_at: now,
          updated_at: now,
        };
        state.comments.set(issueNumber, [...(state.comments.get(issueNumber) ?? []), comment]);
        sendJson(res, 201, commentJson(comment, apiBase, issueNumber));
      },
    },
    {
      method: 'PATCH',
      pattern: at('/issues/comments/(\\d+)'),
      handle({ match, body, res }) {
        const found = findComment(Number(match[1]));
        if (!found) return notFound(res);
        // Stricter than GitHub (a maintainer's token may edit others' comments) so a test catches
        // the Action touching a comment that is not its own.
        if (found.comment.user.login !== state.tokenLogin) {
          return sendJson(res, 403, { message: 'fake GitHub: refusing to edit a comment the token did not write' });
        }
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || text.length === 0) return invalid(res, 'Validation Failed: body is missing');
        if (text.length > 65536) return invalid(res, 'Validation Failed: body is too long (maximum is 65536 characters)');
        found.comment.body = text;
        found.comment.updated_at = new Date().toISOString();
        sendJson(res, 200, commentJson(found.comment, apiBase, found.issueNumber));
      },
    },
    {
      method: 'GET',
      pattern: at('/pulls/(\\d+)'),
      handle({ match, res }) {
        const pull = state.pulls.get(Number(match[1]));
        if (!pull) return notFound(res);
        const { changedFiles, ...rest } = pull;
        sendJson(res, 200, {
          ...rest,
          state: 'open',
          url: `${apiBase}/pulls/${pull.number}`,
          html_url: `https://github.com/${repo}/pull/${pull.number}`,
          changed_files: changedFiles.length,
        });
      },
    },
    {
      method: 'GET',
      pattern: at('/pulls/(\\d+)/files'),
      handle({ match, url, res }) {
        const pull = state.pulls.get(Number(match[1]));
        if (!pull) return notFound(res);
        // GitHub lists at most 3000 files for a pull request.
        const files = pull.changedFiles.slice(0, 3000).map((f) => ({ sha: '0'.repeat(40), additions: 0, deletions: 0, changes: 0, ...f }));
        sendPage(res, url, files);
      },
    },
    {
      method: 'GET',
      pattern: at('/actions/runs/(\\d+)/artifacts'),
      handle({ match, url, res }) {
        const runId = Number(match[1]);
        const wanted = url.searchParams.get('name');
        const artifacts = (state.artifacts.get(runId) ?? [])
          .filter((a) => wanted === null || a.name === wanted)
          .map((a) => ({
            id: a.id,
            node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
            name: a.name,
            size_in_bytes: a.zip.length,
            url: `${apiBase}/actions/artifacts/${a.id}`,
            archive_download_url: `${apiBase}/actions/artifacts/${a.id}/zip`,
            expired: false,
            created_at: new Date().toISOString(),
            workflow_run: { id: a.workflow_run.id, head_sha: a.workflow_run.head_sha },
          }));
        sendPage(res, url, artifacts, (page) => ({ total_count: artifacts.length, artifacts: page }));
      },
    },
    {
      method: 'GET',
      pattern: at('/actions/artifacts/(\\d+)/zip'),
      handle({ match, res }) {
        const id = Number(match[1]);
        const exists = [...state.artifacts.values()].some((list) => list.some((a) => a.id === id));
        if (!exists) return notFound(res);
        // GitHub answers with a redirect to a short-lived signed storage URL.
        res.writeHead(302, { location: `${baseUrl}/_signed/artifacts/${id}.zip?sig=fake-signature` });
        res.end();
      },
    },
    {
      method: 'GET',
      pattern: /^\/_signed\/artifacts\/(\d+)\.zip$/,
      handle({ match, res }) {
        const id = Number(match[1]);
        const artifact = [...state.artifacts.values()].flat().find((a) => a.id === id);
        if (!artifact) return notFound(res);
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(artifact.zip.length) });
        if (artifact.cutAfterBytes === undefined) return void res.end(artifact.zip);
        // A storage server that drops the connection mid-body.
        res.write(artifact.zip.subarray(0, artifact.cutAfterBytes), () => setTimeout(() => res.socket?.destroy(), 20));
      },
    },
    {
      method: 'GET',
      pattern: at('/issues'),
      handle({ url, res }) {
        const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
        const wantedState = url.searchParams.get('state') ?? 'open';
        const issues = [...state.issues.values()]
          .filter((i) => wantedState === 'all' || i.state === wantedState)
          .filter((i) => labels.every((label) => i.labels.includes(label)))
          .sort((a, b) => b.number - a.number);
        sendPage(
          res,
          url,
          issues.map((i) => issueJson(i, apiBase, repo)),
        );
      },
    },
    {
      method: 'POST',
      pattern: at('/issues'),
      handle({ body, res }) {
        const input = (body ?? {}) as { title?: unknown; body?: unknown; labels?: unknown };
        if (typeof input.title !== 'string' || input.title.length === 0) return invalid(res, 'Validation Failed: title is missing');
        const taken = new Set([...state.issues.keys(), ...state.pulls.keys()]);
        let number = 1;
        while (taken.has(number)) number += 1;
        const labels = Array.isArray(input.labels) ? input.labels.map(String) : [];
        const issue: FakeIssue = { number, title: input.title, body: typeof input.body === 'string' ? input.body : '', state: 'open', labels };
        state.issues.set(number, issue);
        sendJson(res, 201, issueJson(issue, apiBase, repo));
      },
    },
    {
      method: 'PATCH',
      pattern: at('/issues/(\\d+)'),
      handle({ match, body, res }) {
        const issue = state.issues.get(Number(match[1]));
        if (!issue) return notFound(res);
        const input = (body ?? {}) as Partial<Record<'title' | 'body' | 'state', unknown>> & { labels?: unknown };
        if (typeof input.title === 'string') issue.title = input.title;
        if (typeof input.body === 'string') issue.body = input.body;
        if (input.state === 'open' || input.state === 'closed') issue.state = input.state;
        if (Array.isArray(input.labels)) issue.labels = input.labels.map(String);
        sendJson(res, 200, issueJson(issue, apiBase, repo));
      },
    },
  ];
}
