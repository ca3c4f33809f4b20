/**
 * The GitHub Action end to end: the built dist/index.js, run as the runner runs it, against a
 * fake GitHub REST API on 127.0.0.1 and a real git repository whose PRs replace a model.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zip } from '../evalset/archive-writers.js';
import { lostResponseRule, secondaryRateLimitRule, startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { smallEvalSet } from '../helpers/shared.js';
import { checkout, configText, DWNET, initRepo, LENET, makeTempDir, pullRequestEvent, REPO, runAction, type Origin } from './action-fixture.js';

const LENIENT = 'max-top1-drop: 0.5, min-error-reduction: 0, max-latency-regression: 10000';
const STRICT = 'max-top1-drop: 0.5, min-error-reduction: 60, max-latency-regression: 10000';
const MARKER = '<!-- model-gate:.github/model-gate.yml -->';
const TARGET_WHY =
  "pull_request_target runs with a write token and the secrets, and the PR's model files are untrusted input to a native parser, whatever is checked out (the head is fetched to compare it)";

let fake: FakeGitHub;
let temp: { path: string; cleanup: () => Promise<void> };
let origin: Origin;
const workspaces = new Map<string, string>();

beforeAll(async () => {
  temp = await makeTempDir('mg-action-');
  fake = await startFakeGitHub(REPO);
  const evalSet = smallEvalSet();
  const repo = await initRepo(join(temp.path, 'origin'));
  const sha: Record<string, string> = {};
  await repo.write('.github/model-gate.yml', configText(evalSet, LENIENT));
  await repo.write('models/classifier.onnx', await readFile(LENET));
  await repo.write('README.md', '# models\n');
  sha.main = repo.commit('baseline');
  await repo.write('models/classifier.onnx', await readFile(DWNET));
  sha.newModel = repo.commit('classifier: dwnet-v3');
  repo.commit('reset');
  const { git } = await import('../models/git-fixture.js');
  git(repo.dir, ['checkout', '--quiet', '-b', 'docs', sha.main]);
  await repo.write('README.md', '# models\n\nMore words.\n');
  sha.docs = repo.commit('docs only');
  git(repo.dir, ['checkout', '--quiet', '-b', 'strict', sha.main]);
  await repo.write('.github/model-gate.yml', configText(evalSet, STRICT));
  sha.strictMain = repo.commit('stricter gate');
  await repo.write('.github/model-gate.yml', configText(evalSet, LENIENT));
  await repo.write('models/classifier.onnx', await readFile(DWNET));
  sha.loosen = repo.commit('new model, and loosen the gate');
  origin = { repo, sha };
  const pull = (number: number, base: string, head: string, files: string[], headRepo = REPO) =>
    fake.state.pulls.set(number, {
      number,
      base: { sha: base, ref: 'main', repo: { full_name: REPO } },
      head: { sha: head, ref: `pr-${number}`, repo: { full_name: headRepo } },
      changedFiles: files.map((filename) => ({ filename, status: 'modified' })),
    });
  pull(1, sha.main, sha.newModel, ['models/classifier.onnx']);
  pull(2, sha.main, sha.docs, ['README.md']);
  pull(3, sha.strictMain, sha.loosen, ['.github/model-gate.yml', 'models/classifier.onnx']);
  pull(4, sha.main, sha.newModel, ['models/classifier.onnx'], 'forker/models');
  pull(5, sha.main, sha.newModel, ['models/classifier.onnx']);
  pull(6, sha.main, sha.newModel, ['models/classifier.onnx']);
  pull(7, sha.main, sha.docs, ['README.md']);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await temp?.cleanup();
});

async function workspaceAt(sha: string): Promise<string> {
  if (!workspaces.has(sha)) workspaces.set(sha, await checkout(origin, sha, join(temp.path, `ws-${sha.slice(0, 7)}`)));
  return workspaces.get(sha) as string;
}

async function gate(number: number, options: { eventName?: string; headRepo?: string; inputs?: Record<string, string>; artifactService?: boolean; workspace?: string } = {}) {
  const pr = fake.state.pulls.get(number);
  if (!pr) throw new Error(`no PR ${number}`);
  return runAction({
    workspace: options.workspace ?? (await workspaceAt(pr.head.sha)),
    runnerDir: temp.path,
    eventName: options.eventName ?? 'pull_request',
    event: pullRequestEvent(number, pr.base.sha, pr.head.sha, pr.head.repo.full_name),
    inputs: { mode: 'pr', ...options.inputs },
    env: { GITHUB_API_URL: fake.url, ...(options.artifactService === false ? {} : fake.artifactServiceEnv()) },
  });
}

/** The fork-comment workflow (mode: comment) on the workflow_run event of run `runId`, which built PR 4's branch of the fork. */
async function commentMode(runId: number, run: Record<string, unknown> = {}) {
  const workflowRun = {
    id: runId,
    head_sha: origin.sha.newModel,
    head_branch: 'pr-4',
    head_repository: { full_name: 'forker/models' },
    pull_requests: [],
    event: 'pull_request',
    conclusion: 'success',
    ...run,
  };
  return runAction({
    workspace: await workspaceAt(origin.sha.main),
    runnerDir: temp.path,
    eventName: 'workflow_run',
    event: { workflow_run: workflowRun, repository: { full_name: REPO } },
    inputs: { mode: 'comment' },
    env: { GITHUB_API_URL: fake.url },
  });
}

const commentsOn = (number: number) => fake.state.comments.get(number) ?? [];
const ours = (number: number) => commentsOn(number).filter((c) => c.user.login === 'github-actions[bot]');

describe('the Action on a pull request', () => {
  it('posts exactly one comment holding the verdict, and the outputs, summary and artifact', async () => {
    fake.addComment(1, `I quote the marker: ${MARKER} — leave me alone`);
    const run = await gate(1);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(ours(1)).toHaveLength(1);
    const [comment] = ours(1);
    expect(comment.body.startsWith(MARKER)).toBe(true);
    expect(comment.body).toMatch(/\*\*✅ Gates passed\.\*\* \*\*Accuracy: real gain\*\*, the candidate fixes \*\*\d+\.\d%\*\* of baseline errors/);
    expect(comment.body).toContain('### model-gate · classifier');
    expect(run.outputs.verdict).toBe('pass');
    expect(run.outputs['comment-url']).toBe(comment.html_url);
    const report = JSON.parse(await readFile(run.outputs['report-path'], 'utf8'));
    expect(report.comparisons[0].report.evalSet.samples).toBe(2000);
    expect(report.comparisons[0].report.models.baseline.sha256).toBe('40c549b7f2ad0e51ac9a6bee33155db18bb961b5dd9a597b8319d5ea465cf979');
    expect(report.comparisons[0].report.models.candidate.sha256).toBe('1af69a5ea9e516a36731baa13f1f7b508db84fcb634a81a7648ed99d5628a5b3');
    expect(run.summary).toContain('**✅ Gates passed.** **Accuracy: real gain**');
    expect(run.stdout).toContain('::notice::model-gate · classifier: ✅ Gates passed.');
    // No history branch yet is the normal state of a PR run: nothing about a failed fetch in the log.
    expect(run.stdout).not.toMatch(/no nightly history|git fetch.*failed|couldn't find remote ref/);
    expect(fake.state.uploadedArtifacts.map((a) => a.name)).toContain('model-gate-report');
    // The comment links the run whose artifact holds the HTML report with the gallery.
    expect(comment.body).toContain('[artifact `model-gate-report`](https://github.com/acme/models/actions/runs/4242) (`classifier.html`)');
    const html = await readFile(join(run.outputs['report-path'], '..', 'classifier.html'), 'utf8');
    expect(html).toContain('Accuracy: real gain');
    expect(html.match(/<img /g)?.length).toBeGreaterThan(10);
  });

  it('updates that comment on the next run (still one) and leaves the user comment with the marker alone', async () => {
    const userComment = commentsOn(1).find((c) => c.user.login !== 'github-actions[bot]');
    const before = userComment?.body;
    const run = await gate(1);
    expect(run.code).toBe(0);
    expect(ours(1)).toHaveLength(1);
    expect(commentsOn(1)).toHaveLength(2);
    expect(commentsOn(1).find((c) => c.id === userComment?.id)?.body).toBe(before);
  });

  it('skips a PR that changes no model: verdict skipped, exit 0, one summary line, no comment', async () => {
    const run = await gate(2);
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('skipped');
    expect(commentsOn(2)).toHaveLength(0);
    expect(run.summary.trim()).toBe('model-gate: no model listed in `.github/model-gate.yml` changed; skipped.');
    // One log line says which files changed and that none is gated.
    expect(run.stdout).toContain('skipped: this change touches 1 file (README.md); none is a model listed in .github/model-gate.yml, so there is nothing to compare.');
  });

  it('judges a PR that loosens its own gate by the base config, fails with an ::error line, and lists the changed key', async () => {
    const run = await gate(3);
    expect(run.code).not.toBe(0);
    expect(run.outputs.verdict).toBe('fail');
    // Workflow commands escape % as %25 (GitHub shows it as %).
    expect(run.stdout).toMatch(
      /::error::model-gate · classifier: ❌ Gate failed: error reduction at most .*\(minimum 60%25\)\.%0A {2}gate min-error-reduction: error reduction .*minimum 60%25/,
    );
    const [comment] = ours(3);
    expect(comment.body).toContain('This PR changes `.github/model-gate.yml`: `gates.min-error-reduction`');
    expect(comment.body).toContain('**❌ Gate `min-error-reduction` failed:**');
    // The comment as a reviewer sees it, kept for people to read.
    await writeFile(join(process.cwd(), '__outputs__', 'action-comment-gate-failed.md'), comment.body);
  });

  it('waits out a 403 secondary rate limit and still posts exactly one comment', async () => {
    fake.state.failNext.push(secondaryRateLimitRule('POST', /\/issues\/5\/comments$/, 1));
    const run = await gate(5);
    expect(run.code).toBe(0);
    expect(ours(5)).toHaveLength(1);
    expect(fake.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/5/comments'))).toHaveLength(2);
  });

  it('does not duplicate the comment when a create succeeded but its response was lost; with no artifact service, links to no artifact', async () => {
    fake.state.failNext.push(lostResponseRule('POST', /\/issues\/6\/comments$/));
    const run = await gate(6, { artifactService: false });
    expect(run.code).toBe(0);
    expect(ours(6)).toHaveLength(1);
    const [comment] = ours(6);
    expect(comment.body).not.toContain('[artifact `model-gate-report`]');
    expect(comment.body).toMatch(/The full report \(`classifier\.html`, report\.json\) could not be uploaded as artifact `model-gate-report`: artifact service unavailable: /);
    expect(run.summary).not.toContain('[artifact `model-gate-report`]');
  });

  it('refuses pull_request_target with the PR head checked out', async () => {
    const run = await gate(1, { eventName: 'pull_request_target' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::model-gate: refusing to run under pull_request_target with the PR head checked out: that event has a write token and secrets, and the PR's model files are untrusted input.",
    );
  });

  it("refuses pull_request_target with the default checkout (the base) before the fork's head is fetched or run", async () => {
    const baseOnly = await checkout(origin, origin.sha.main, join(temp.path, 'ws-target-base'));
    const requestsBefore = fake.state.requests.length;
    const run = await gate(4, { eventName: 'pull_request_target', workspace: baseOnly });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error::model-gate: refusing to run mode: pr under pull_request_target: ${TARGET_WHY}. Run the gate on pull_request`);
    expect(commentsOn(4)).toHaveLength(0);
    expect(fake.state.requests.slice(requestsBefore)).toEqual([]); // not even the PR's file list
    const { git } = await import('../models/git-fixture.js');
    expect(() => git(baseOnly, ['cat-file', '-e', `${origin.sha.newModel}^{commit}`])).toThrow(); // the head never came in
  });
});

describe('fork PRs', () => {
  it('writes the artifact and does not comment; the workflow_run comment workflow posts it', async () => {
    fake.state.currentRun = { id: 9001, head_sha: origin.sha.newModel };
    const uploaded = fake.state.uploadedArtifacts.length;
    const forkRun = await gate(4);
    expect(forkRun.code).toBe(0);
    expect(commentsOn(4)).toHaveLength(0);
    expect(fake.state.uploadedArtifacts).toHaveLength(uploaded + 1);

    const commentRun = await commentMode(9001);
    expect(commentRun.stderr).toBe('');
    expect(commentRun.code).toBe(0);
    expect(ours(4)).toHaveLength(1);
    expect(ours(4)[0].body).toContain('Accuracy: real gain');
    expect(commentRun.outputs['comment-url']).toBe(ours(4)[0].html_url);
  });

  it('refuses a report whose PR number points at a PR with another head (spoofed)', async () => {
    const report = JSON.parse(fake.state.uploadedArtifacts.at(-1)?.zip ? await reportFromLastArtifact() : '{}');
    report.pullRequest.number = 7; // PR 7's head is the docs commit, not the commit this run built
    fake.state.artifacts.set(9002, [
      { id: 77, name: 'model-gate-report', zip: zip([{ name: 'report.json', data: Buffer.from(JSON.stringify(report)) }]), workflow_run: { id: 9002, head_sha: origin.sha.newModel } },
    ]);
    const run = await commentMode(9002);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('::error::model-gate: PR #7 has head');
    expect(commentsOn(7)).toHaveLength(0);
  });
});

describe('a report bound to the PR and the run that built it (mode: comment)', () => {
  async function reportNaming(runId: number, number: number) {
    const report = JSON.parse(await reportFromLastArtifact());
    report.pullRequest.number = number;
    fake.state.artifacts.set(runId, [
      { id: runId, name: 'model-gate-report', zip: zip([{ name: 'report.json', data: Buffer.from(JSON.stringify(report)) }]), workflow_run: { id: runId, head_sha: origin.sha.newModel } },
    ]);
  }

  it("refuses a report naming another PR whose head is the same commit (PR 1, acme/models:pr-1), built from the fork's pr-4", async () => {
    await reportNaming(9005, 1);
    const before = ours(1).map((c) => c.body);
    const run = await commentMode(9005);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::model-gate: PR #1 comes from acme/models:pr-1, but run 9005 built forker/models:pr-4: refusing to comment (the report names another PR with the same commit)',
    );
    expect(ours(1).map((c) => c.body)).toEqual(before);
  });

  it('refuses a PR number that is not among the PRs GitHub lists for the run', async () => {
    await reportNaming(9006, 1);
    const before = ours(1).map((c) => c.body);
    const run = await commentMode(9006, { head_branch: 'pr-1', head_repository: { full_name: REPO }, pull_requests: [{ number: 5 }] });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::model-gate: run 9006 built PR #5, not #1 that its report names: refusing to comment');
    expect(ours(1).map((c) => c.body)).toEqual(before);
  });
});

describe('the artifact download (mode: comment)', () => {
  it('a storage server that drops the connection after 30 KB: one ::error:: line and exit 1, no crash', async () => {
    const noise = Buffer.from(Array.from({ length: 120_000 }, (_, i) => (i * 2654435761) >>> 24));
    const zipBytes = zip([{ name: 'report.json', data: noise, method: 0 }]);
    fake.state.artifacts.set(9003, [{ id: 78, name: 'model-gate-report', zip: zipBytes, workflow_run: { id: 9003, head_sha: origin.sha.newModel }, cutAfterBytes: 30_000 }]);
    const run = await commentMode(9003);
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^::error::model-gate: Downloading artifact "model-gate-report" of workflow run 9003 failed: the connection failed \\(\\w+\\) after 30000 of ${zipBytes.length} bytes\\. Re-run the workflow to try again\\.$`,
      ),
    );
    expect(run.stderr).not.toMatch(/AssertionError|paused/);
    expect(commentsOn(4).filter((c) => c.user.login === 'github-actions[bot]')).toHaveLength(1); // the earlier one only
  });
});

async function reportFromLastArtifact(): Promise<string> {
  const { extractArchive } = await import('../../src/evalset/extract.js');
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(join(temp.path, 'artifact-'));
  const zipPath = join(dir, 'a.zip');
  await writeFile(zipPath, fake.state.uploadedArtifacts.at(-1)?.zip as Buffer);
  await extractArchive(zipPath, 'artifact', join(dir, 'out'), {});
  return readFile(join(dir, 'out', 'report.json'), 'utf8');
}
