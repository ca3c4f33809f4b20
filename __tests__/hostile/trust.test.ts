/**
 * Events that hold a write token and the repository's secrets never evaluate a PR's content
 * (mode: pr): pull_request_target whatever is checked out, workflow_run after a PR's run, and a
 * comment on a PR. pull_request and push stay allowed. The end-to-end refusal, with the base
 * checked out and nothing fetched, is in __tests__/e2e/action.test.ts.
 * Also the last step of the one error path: an exception nothing awaited still ends in one line.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privilegedUntrustedRun, refusePrivilegedUntrustedRun } from '../../src/action/trust.js';
import { readActionContext } from '../../src/config/action.js';
import { installCrashGuard, UserError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'mg-trust-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function contextOf(eventName: string, event: object) {
  const eventPath = join(dir, `${eventName}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(eventPath, JSON.stringify(event));
  const env = { GITHUB_REPOSITORY: 'acme/models', GITHUB_EVENT_PATH: eventPath, GITHUB_EVENT_NAME: eventName, GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir };
  return readActionContext(env, () => '');
}

const pr = { number: 4, base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: 'acme/models' } }, head: { sha: 'c'.repeat(40), ref: 'x', repo: { full_name: 'forker/models' } } };

test('pull_request_target is refused with the reason and the two-stage way', async () => {
  const ctx = await contextOf('pull_request_target', { pull_request: pr, repository: { full_name: 'acme/models' } });
  expect(() => refusePrivilegedUntrustedRun(ctx)).toThrow(UserError);
  expect(() => refusePrivilegedUntrustedRun(ctx)).toThrow(
    "refusing to run mode: pr under pull_request_target: pull_request_target runs with a write token and the secrets, and the PR's model files are untrusted input to a native parser, whatever is checked out (the head is fetched to compare it). " +
      "Run the gate on pull_request (a fork's PR gets a read-only token there, and model-gate writes the report artifact) and post the comment from a workflow_run workflow with mode: comment; see examples/workflows/.",
  );
});

test('workflow_run after a pull_request run, and issue_comment on a PR, are refused', async () => {
  const after = await contextOf('workflow_run', { workflow_run: { id: 1, head_sha: 'c'.repeat(40), event: 'pull_request', conclusion: 'success' } });
  expect(privilegedUntrustedRun(after)).toBe(
    'workflow_run runs with a write token and the secrets, and the run it follows built a pull request (pull_request), whose content is untrusted input to a native parser',
  );
  const comment = await contextOf('issue_comment', { issue: { number: 4, pull_request: { url: 'x' } }, comment: { body: '/gate' } });
  expect(privilegedUntrustedRun(comment)).toBe("issue_comment on a pull request runs with a write token and the secrets, and the PR's content is untrusted input to a native parser");
});

test('pull_request, push, schedule, and workflow_run after a push are allowed', async () => {
  expect(privilegedUntrustedRun(await contextOf('pull_request', { pull_request: pr }))).toBeNull();
  expect(privilegedUntrustedRun(await contextOf('push', { ref: 'refs/heads/main' }))).toBeNull();
  expect(privilegedUntrustedRun(await contextOf('schedule', {}))).toBeNull();
  expect(privilegedUntrustedRun(await contextOf('workflow_run', { workflow_run: { id: 2, head_sha: 'd'.repeat(40), event: 'push', conclusion: 'success' } }))).toBeNull();
  expect(privilegedUntrustedRun(await contextOf('issue_comment', { issue: { number: 9 }, comment: { body: 'hi' } }))).toBeNull();
});

test('an uncaught exception or unhandled rejection ends with one internal-error line and the exit code', () => {
  const target = new EventEmitter();
  const lines: string[] = [];
  const exits: number[] = [];
  installCrashGuard(
    (line) => lines.push(line),
    (code) => exits.push(code),
    1,
    target,
  );
  const assertion = new Error('assert(!this.paused)');
  assertion.stack = 'AssertionError: assert(!this.paused)\n    at Parser.execute (undici)';
  target.emit('uncaughtException', assertion);
  target.emit('unhandledRejection', new Error('a second one while exiting'));
  expect(lines).toEqual(['model-gate: internal error: AssertionError: assert(!this.paused)\n    at Parser.execute (undici)']);
  expect(exits).toEqual([1]);
});
