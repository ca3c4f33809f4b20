/**
 * GitHub API requests that get no answer: each has a deadline, so the run goes on (or fails with
 * a line saying so) instead of waiting for the job's own timeout. A create whose answer never
 * came is looked for before it is tried again, so the comment is never duplicated.
 */
import { upsertStickyComment } from '../../src/publish/comment.js';
import { createGitHub, type GitHub } from '../../src/publish/github.js';
import { markerComment } from '../../src/report/comment-limit.js';
import { hangingRule, startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const target = { owner: 'acme', repo: 'models', issueNumber: 5 };
let fake: FakeGitHub;
let gh: GitHub;
let warnings: string[];
const log = { info: () => {}, warn: (m: string) => warnings.push(m) };

beforeEach(async () => {
  fake = await startFakeGitHub('acme/models');
  warnings = [];
  gh = createGitHub({ token: 'ghs_test', baseUrl: fake.url, log, requestTimeoutMs: 300 });
});
afterEach(() => fake.close());

const posts = () => fake.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/5/comments')).length;

test('a POST that creates the comment and never answers: found again, not posted twice', async () => {
  fake.state.failNext.push(hangingRule('POST', /\/issues\/5\/comments$/));
  const started = Date.now();
  const result = await upsertStickyComment(gh, target, 'default', 'Verdict: pass', log, { retryDelayMs: 10 });
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(result.action).toBe('created');
  expect(fake.state.comments.get(5)?.map((c) => c.body)).toEqual([`${markerComment('default')}\nVerdict: pass`]);
  expect(posts()).toBe(1);
  expect(warnings).toEqual(['Creating the comment on acme/models#5 failed (GitHub did not answer within 0.3 s); checking whether it was created before trying again.']);
});

test('a POST that never answers and created nothing: tried again once the search finds nothing', async () => {
  fake.state.failNext.push({ ...hangingRule('POST', /\/issues\/5\/comments$/), afterHandling: false });
  const result = await upsertStickyComment(gh, target, 'default', 'Verdict: fail', log, { retryDelayMs: 10 });
  expect(result.action).toBe('created');
  expect(fake.state.comments.get(5)).toHaveLength(1);
  expect(posts()).toBe(2);
});

test('a read that never answers is retried; one that never answers at all fails with status 500 and the reason', async () => {
  fake.state.failNext.push(hangingRule('GET', /\/pulls\/9$/));
  fake.state.pulls.set(9, {
    number: 9,
    head: { sha: 'a'.repeat(40), ref: 'x', repo: { full_name: 'acme/models' } },
    base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: 'acme/models' } },
    changedFiles: [],
  });
  const { data } = await gh.rest.pulls.get({ owner: 'acme', repo: 'models', pull_number: 9 });
  expect(data.number).toBe(9);
  expect(fake.state.requests.filter((r) => r.path.endsWith('/pulls/9'))).toHaveLength(2);

  fake.state.failNext.push(hangingRule('POST', /\/issues\/6\/comments$/, 5));
  const error = await gh.rest.issues.createComment({ owner: 'acme', repo: 'models', issue_number: 6, body: 'x', request: { retries: 0 } }).catch((e) => e);
  expect(error.status).toBe(500);
  expect(error.message).toBe('GitHub did not answer within 0.3 s');
});
