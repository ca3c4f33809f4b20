/**
 * The last guard against pings: whatever a renderer hands the publisher, a comment or tracking
 * issue model-gate posts mentions nobody, and its hidden marker stays as it is, so the next run
 * still finds it (no duplicate).
 */
import { upsertStickyComment } from '../../src/publish/comment.js';
import { createGitHub, type GitHub } from '../../src/publish/github.js';
import { syncTrackingIssue } from '../../src/publish/tracking-issue.js';
import { markerComment } from '../../src/report/comment-limit.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const log = { info: () => {}, warn: () => {} };
let fake: FakeGitHub;
let gh: GitHub;
beforeEach(async () => {
  fake = await startFakeGitHub('acme/models');
  gh = createGitHub({ token: 'ghs_test', baseUrl: fake.url, log });
});
afterEach(() => fake.close());

test('a sticky comment with @acme/admins in it: posted without the mention, then updated in place', async () => {
  const target = { owner: 'acme', repo: 'models', issueNumber: 3 };
  await upsertStickyComment(gh, target, 'cfg@x', 'class @acme/admins regressed; cc @octocat', log);
  await upsertStickyComment(gh, target, 'cfg@x', 'class @acme/admins is fine now', log);
  const comments = fake.state.comments.get(3) ?? [];
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toBe(`${markerComment('cfg@x')}\nclass @\u200bacme/admins is fine now`);
});

test('a tracking issue body and its closing comment: no mention, the marker intact', async () => {
  const target = { owner: 'acme', repo: 'models', marker: 'nightly@cfg', label: 'model-gate-regression' };
  const opened = await syncTrackingIssue(gh, target, true, 'model @acme/admins drifted', '2025-01-01', log);
  const again = await syncTrackingIssue(gh, target, true, 'model @acme/admins still drifts', '2025-01-02', log);
  expect(again.number).toBe(opened.number);
  const issue = fake.state.issues.get(opened.number as number);
  expect(issue?.body).toBe(`${markerComment('nightly@cfg')}\nmodel @\u200bacme/admins still drifts`);
  await syncTrackingIssue(gh, target, false, 'all clean, thanks @octocat', '2025-01-03', log);
  expect((fake.state.comments.get(opened.number as number) ?? []).at(-1)?.body).toBe('The night of 2025-01-03 came back clean; closing.\n\nall clean, thanks @\u200boctocat');
});
