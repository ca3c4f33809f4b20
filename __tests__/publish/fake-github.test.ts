/** The fake GitHub itself: auth check, Link pagination as octokit reads it, injected failures. */
import { createGitHub } from '../../src/publish/github.js';
import { lostResponseRule, secondaryRateLimitRule, startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

let fake: FakeGitHub;
beforeEach(async () => {
  fake = await startFakeGitHub('acme/models');
});
afterEach(async () => {
  await fake.close();
});

const quietLog = { info: () => {}, warn: () => {} };

test('refuses requests without an Authorization header, as GitHub does for private data', async () => {
  const response = await fetch(`${fake.url}/repos/acme/models`);
  expect(response.status).toBe(401);
  const authorized = await fetch(`${fake.url}/repos/acme/models`, { headers: { authorization: 'token abc' } });
  expect(await authorized.json()).toMatchObject({ full_name: 'acme/models', default_branch: 'main' });
});

test('pages comments with a Link header that octokit.paginate follows to the end', async () => {
  for (let i = 0; i < 250; i++) fake.addComment(7, `comment ${i}`);
  const first = await fetch(`${fake.url}/repos/acme/models/issues/7/comments?per_page=100`, { headers: { authorization: 'token t' } });
  const link = first.headers.get('link') ?? '';
  expect(link).toContain(`<${fake.url}/repos/acme/models/issues/7/comments?per_page=100&page=2>; rel="next"`);
  expect(link).toContain('page=3>; rel="last"');
  expect(((await first.json()) as unknown[]).length).toBe(100);

  const gh = createGitHub({ token: 't', baseUrl: fake.url, log: quietLog });
  const all = await gh.paginate(gh.rest.issues.listComments, { owner: 'acme', repo: 'models', issue_number: 7, per_page: 100 });
  expect(all.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `comment ${i}`));
  const pages = fake.state.requests.filter((r) => r.path === '/repos/acme/models/issues/7/comments' && r.authorized);
  expect(pages.map((r) => new URLSearchParams(r.query).get('page') ?? '1')).toEqual(['1', '1', '2', '3']);
});

test('pull request files are paged at most 100 at a time', async () => {
  const changedFiles = Array.from({ length: 150 }, (_, i) => ({ filename: `f${i}.onnx`, status: 'modified' }));
  const ref = { sha: 'a'.repeat(40), ref: 'main', repo: { full_name: 'acme/models' } };
  fake.state.pulls.set(3, { number: 3, head: ref, base: ref, changedFiles });
  const gh = createGitHub({ token: 't', baseUrl: fake.url, log: quietLog });
  const files = await gh.paginate(gh.rest.pulls.listFiles, { owner: 'acme', repo: 'models', pull_number: 3, per_page: 500 });
  expect(files).toHaveLength(150);
  expect(fake.state.requests.filter((r) => r.path.endsWith('/pulls/3/files'))).toHaveLength(2);
});

test('a failNext rule answers in place of the handler, then is used up', async () => {
  fake.state.failNext.push(secondaryRateLimitRule('POST', /\/issues\/1\/comments$/, 7));
  const post = () =>
    fetch(`${fake.url}/repos/acme/models/issues/1/comments`, {
      method: 'POST',
      headers: { authorization: 'token t', 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'hello' }),
    });
  const refused = await post();
  expect(refused.status).toBe(403);
  expect(refused.headers.get('retry-after')).toBe('7');
  expect(((await refused.json()) as { message: string }).message).toMatch(/secondary rate limit/);
  expect(fake.state.comments.get(1)).toBeUndefined();
  expect((await post()).status).toBe(201);
  expect(fake.state.failNext).toHaveLength(0);
});

test('an afterHandling rule performs the write and still answers with the failure', async () => {
  fake.state.failNext.push(lostResponseRule('POST', /\/comments$/));
  const response = await fetch(`${fake.url}/repos/acme/models/issues/1/comments`, {
    method: 'POST',
    headers: { authorization: 'token t', 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'hello' }),
  });
  expect(response.status).toBe(502);
  expect(fake.state.comments.get(1)?.map((c) => c.body)).toEqual(['hello']);
});

test('an artifact zip is served through a redirect to a signed URL, like GitHub', async () => {
  fake.state.artifacts.set(9, [{ id: 55, name: 'report', zip: Buffer.from('PK-not-really'), workflow_run: { id: 9, head_sha: 'b'.repeat(40) } }]);
  const redirect = await fetch(`${fake.url}/repos/acme/models/actions/artifacts/55/zip`, { headers: { authorization: 'token t' }, redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const location = redirect.headers.get('location')!;
  expect(location).toContain('sig=');
  expect(Buffer.from(await (await fetch(location)).arrayBuffer()).toString()).toBe('PK-not-really');
});
