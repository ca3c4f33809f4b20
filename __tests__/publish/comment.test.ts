/** The sticky comment against the fake GitHub: one comment, found again, never duplicated. */
import { ACTIONS_BOT_LOGIN, tokenLogin, upsertStickyComment } from '../../src/publish/comment.js';
import { createGitHub, type GitHub } from '../../src/publish/github.js';
import { markerComment } from '../../src/report/comment-limit.js';
import { lostResponseRule, secondaryRateLimitRule, startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const target = { owner: 'acme', repo: 'models', issueNumber: 12 };
const MARKER = markerComment('default');

let fake: FakeGitHub;
let gh: GitHub;
let warnings: string[];
const log = { info: () => {}, warn: (m: string) => warnings.push(m) };

beforeEach(async () => {
  fake = await startFakeGitHub('acme/models');
  warnings = [];
  gh = createGitHub({ token: 'ghs_test', baseUrl: fake.url, log, maxRetryAfterSeconds: 5 });
});
afterEach(async () => {
  await fake.close();
});

const commentsOn = (n = target.issueNumber) => fake.state.comments.get(n) ?? [];
const requests = (method: string, pathEnd: string) => fake.state.requests.filter((r) => r.method === method && r.path.endsWith(pathEnd));

test('creates the comment with the marker as its first line, then finds and updates it in place', async () => {
  const first = await upsertStickyComment(gh, target, 'default', 'Verdict: pass', log);
  expect(first.action).toBe('created');
  expect(commentsOn()).toHaveLength(1);
  expect(commentsOn()[0].body).toBe(`${MARKER}\nVerdict: pass`);
  expect(commentsOn()[0].user.login).toBe('github-actions[bot]');
  expect(first.url).toBe(commentsOn()[0].html_url);
  expect(warnings).toEqual([]); // GET /user answering 403 is expected for GITHUB_TOKEN, not a warning

  const second = await upsertStickyComment(gh, target, 'default', 'Verdict: fail', log);
  expect(second).toMatchObject({ id: first.id, action: 'updated' });
  expect(commentsOn().map((c) => c.body)).toEqual([`${MARKER}\nVerdict: fail`]);
});

test('an unchanged body sends no PATCH', async () => {
  await upsertStickyComment(gh, target, 'default', 'Verdict: pass', log);
  const again = await upsertStickyComment(gh, target, 'default', 'Verdict: pass', log);
  expect(again.action).toBe('unchanged');
  expect(requests('PATCH', `/issues/comments/${again.id}`)).toHaveLength(0);
  expect(requests('POST', '/issues/12/comments')).toHaveLength(1);
});

test("a user's comment quoting the marker is left alone", async () => {
  const quoted = fake.addComment(12, `Why does the bot write ${MARKER}?`, { login: 'alice', type: 'User' });
  const result = await upsertStickyComment(gh, target, 'default', 'Verdict: pass', log);
  expect(result.action).toBe('created');
  expect(commentsOn()).toHaveLength(2);
  expect(commentsOn().find((c) => c.id === quoted.id)?.body).toBe(`Why does the bot write ${MARKER}?`);
});

test('another config’s marker is a different comment', async () => {
  await upsertStickyComment(gh, target, 'vision', 'A', log);
  // A second config is a second step, so a second client (and no shared write pacing).
  const otherStep = createGitHub({ token: 'ghs_test', baseUrl: fake.url, log });
  await upsertStickyComment(otherStep, target, 'speech', 'B', log);
  await upsertStickyComment(gh, target, 'vision', 'A2', log);
  expect(commentsOn().map((c) => c.body)).toEqual([`${markerComment('vision')}\nA2`, `${markerComment('speech')}\nB`]);
});

test('finds its comment on the second page of more than 100 comments', async () => {
  for (let i = 0; i < 130; i++) fake.addComment(12, `chatter ${i}`);
  const ours = fake.addComment(12, `${MARKER}\nold verdict`, { login: ACTIONS_BOT_LOGIN, type: 'Bot' });
  const result = await upsertStickyComment(gh, target, 'default', 'new verdict', log);
  expect(result).toMatchObject({ id: ours.id, action: 'updated' });
  expect(commentsOn()).toHaveLength(131);
  expect(requests('GET', '/issues/12/comments').map((r) => new URLSearchParams(r.query).get('page'))).toContain('2');
});

test('with duplicates from the past, updates the oldest and leaves the others', async () => {
  const oldest = fake.addComment(12, `${MARKER}\nfirst`, { login: ACTIONS_BOT_LOGIN, type: 'Bot' });
  const newer = fake.addComment(12, `${MARKER}\nsecond`, { login: ACTIONS_BOT_LOGIN, type: 'Bot' });
  const result = await upsertStickyComment(gh, target, 'default', 'third', log);
  expect(result.id).toBe(oldest.id);
  expect(commentsOn().find((c) => c.id === newer.id)?.body).toBe(`${MARKER}\nsecond`);
  expect(warnings.join('\n')).toMatch(/2 comments .* carry the marker/);
});

test('a secondary rate limit with retry-after is waited out: exactly one comment', async () => {
  fake.state.failNext.push(secondaryRateLimitRule('POST', /\/issues\/12\/comments$/, 1));
  const started = Date.now();
  const result = await upsertStickyComment(gh, target, 'default', 'Verdict: pass', log);
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(result.action).toBe('created');
  expect(commentsOn()).toHaveLength(1);
  expect(requests('POST', '/issues/12/comments')).toHaveLength(2);
  expect(warnings.join('\n')).toMatch(/secondary rate limit .* waiting 1 s/);
});

test('a create whose response was lost (502 after creating) is found again, not repeated', async () => {
  fake.state.failNext.push(lostResponseRule('POST', /\/issues\/12\/comments$/));
  const result = await upsertStickyComment(gh, target, 'default', 'Verdict: pass', log, { retryDelayMs: 10 });
  expect(result.action).toBe('created');
  expect(commentsOn()).toHaveLength(1);
  expect(result.id).toBe(commentsOn()[0].id);
  expect(requests('POST', '/issues/12/comments')).toHaveLength(1);
  expect(warnings.join('\n')).toMatch(/checking whether it was created/);
});

test('a 502 before anything was created is retried after a fresh search', async () => {
  fake.state.failNext.push({ method: 'POST', pathPattern: /\/issues\/12\/comments$/, status: 502, times: 1 });
  const result = await upsertStickyComment(gh, target, 'default', 'Verdict: pass', log, { retryDelayMs: 10 });
  expect(result.action).toBe('created');
  expect(commentsOn()).toHaveLength(1);
  expect(requests('POST', '/issues/12/comments')).toHaveLength(2);
});

test('a rate limit asking for longer than the cap fails instead of waiting', async () => {
  fake.state.failNext.push(secondaryRateLimitRule('POST', /\/issues\/12\/comments$/, 3600));
  await expect(upsertStickyComment(gh, target, 'default', 'x', log)).rejects.toMatchObject({ status: 403 });
  expect(warnings.join('\n')).toMatch(/asked to wait 3600 s/);
  expect(commentsOn()).toHaveLength(0);
});

test('tokenLogin reads /user when allowed and falls back for installation tokens', async () => {
  expect(await tokenLogin(gh)).toBe('github-actions[bot]');
  expect(await tokenLogin(gh, 'my-app[bot]')).toBe('my-app[bot]');
  fake.state.userEndpointForbidden = false;
  fake.state.tokenLogin = 'release-bot';
  expect(await tokenLogin(gh)).toBe('release-bot');
});

test('an over-long body is capped before it is sent, so GitHub accepts it', async () => {
  const result = await upsertStickyComment(gh, target, 'default', 'y'.repeat(100000), log);
  expect(result.action).toBe('created');
  expect(commentsOn()[0].body.length).toBeLessThanOrEqual(65536);
});
