/**
 * The sharded PR gate as examples/workflows/model-gate-sharded.yml runs it: three matrix jobs
 * (input shard: i/3, each on its own checkout) write shard records and post nothing; a merge job
 * (mode: merge) reads them from the folder download-artifact fills and posts the one comment,
 * equal in every figure to the unsharded gate's. The built dist/index.js against a fake GitHub on
 * 127.0.0.1 and a real git repository.
 */
import { cp, mkdir } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { timeless } from '../helpers/same-report.js';
import { smallEvalSet } from '../helpers/shared.js';
import { checkout, configText, DWNET, initRepo, LENET, makeTempDir, pullRequestEvent, REPO, runAction, type Origin } from './action-fixture.js';

const GATES = 'max-top1-drop: 0.5, min-error-reduction: 0, max-latency-regression: 10000';

let fake: FakeGitHub;
let temp: { path: string; cleanup: () => Promise<void> };
let origin: Origin;

beforeAll(async () => {
  temp = await makeTempDir('mg-action-shards-');
  fake = await startFakeGitHub(REPO);
  const repo = await initRepo(join(temp.path, 'origin'));
  const sha: Record<string, string> = {};
  await repo.write('.github/model-gate.yml', configText(smallEvalSet(), GATES));
  await repo.write('models/classifier.onnx', await readFile(LENET));
  await repo.write('README.md', '# models\n');
  sha.main = repo.commit('baseline');
  await repo.write('models/classifier.onnx', await readFile(DWNET));
  sha.newModel = repo.commit('classifier: dwnet-v3');
  await repo.write('models/classifier.onnx', await readFile(LENET));
  sha.revert = repo.commit('classifier: back to lenet-v1');
  await repo.write('README.md', '# models\n\nMore words.\n');
  sha.docs = repo.commit('docs only');
  origin = { repo, sha };
  const pull = (number: number, base: string, head: string, files: string[]) =>
    fake.state.pulls.set(number, {
      number,
      base: { sha: base, ref: 'main', repo: { full_name: REPO } },
      head: { sha: head, ref: `pr-${number}`, repo: { full_name: REPO } },
      changedFiles: files.map((filename) => ({ filename, status: 'modified' })),
    });
  pull(1, sha.main, sha.newModel, ['models/classifier.onnx']);
  pull(2, sha.newModel, sha.revert, ['models/classifier.onnx']);
  pull(3, sha.revert, sha.docs, ['README.md']);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await temp?.cleanup();
});

let checkouts = 0;
/** A job of PR `number` on a runner of its own (a fresh checkout of the head). */
async function job(number: number, inputs: Record<string, string>, prepare?: (workspace: string) => Promise<void>) {
  const pr = fake.state.pulls.get(number);
  if (!pr) throw new Error(`no PR ${number}`);
  const workspace = await checkout(origin, pr.head.sha, join(temp.path, `ws-${++checkouts}`));
  await prepare?.(workspace);
  const run = await runAction({
    workspace,
    runnerDir: temp.path,
    eventName: 'pull_request',
    event: pullRequestEvent(number, pr.base.sha, pr.head.sha),
    inputs,
    env: { GITHUB_API_URL: fake.url, ...fake.artifactServiceEnv() },
  });
  return { ...run, workspace };
}

/** Three matrix jobs of PR `number`, at once; their shard records by shard number. */
async function matrix(number: number): Promise<string[]> {
  const runs = await Promise.all([1, 2, 3].map((i) => job(number, { mode: 'pr', shard: `${i}/3` })));
  runs.forEach((run, k) => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['shard-path']).toMatch(new RegExp(`shard-${k + 1}-of-3\\.json\\.gz$`));
    expect(run.summary).toMatch(new RegExp(`^model-gate: shard ${k + 1}/3: [\\d,]+ of 2,000 samples${k === 0 ? ', and latency' : ''}, for classifier; upload `));
  });
  return runs.map((run) => run.outputs['shard-path']);
}

/** download-artifact's layout without merge-multiple: one folder per artifact under `shards/`. */
const downloaded = (files: readonly string[]) => async (workspace: string) => {
  for (const [k, file] of files.entries()) {
    await mkdir(join(workspace, 'shards', `model-gate-shard-${k}`), { recursive: true });
    await cp(file, join(workspace, 'shards', `model-gate-shard-${k}`, file.split('/').pop() as string));
  }
};

const ours = (number: number) => (fake.state.comments.get(number) ?? []).filter((c) => c.user.login === 'github-actions[bot]');

it('three shard jobs post nothing; the merge job posts the one comment, equal to the unsharded gate in every figure', async () => {
  const plain = await job(1, { mode: 'pr' });
  expect(plain.code).toBe(0);
  const unsharded = JSON.parse(await readFile(plain.outputs['report-path'], 'utf8'));
  const before = ours(1)[0].body;

  const files = await matrix(1);
  expect(ours(1)).toHaveLength(1);
  expect(ours(1)[0].body).toBe(before);

  const merge = await job(1, { mode: 'merge', shards: 'shards' }, downloaded([files[2], files[0], files[1]]));
  expect(merge.stderr).toBe('');
  expect(merge.code).toBe(0);
  expect(merge.outputs.verdict).toBe('pass');
  expect(ours(1)).toHaveLength(1);
  const [comment] = ours(1);
  expect(comment.body).toMatch(/\*\*✅ Gates passed\.\*\* \*\*Accuracy: real gain\*\*, the candidate fixes/);
  expect(comment.body).toContain('merged from 3 shards; latency measured in shard 1 alone');
  expect(merge.outputs['comment-url']).toBe(comment.html_url);
  const merged = JSON.parse(await readFile(merge.outputs['report-path'], 'utf8'));
  expect(merged.comparisons[0].report.shards).toMatchObject({ count: 3, latencyMeasuredOn: { shard: 1 } });
  expect(timeless(merged)).toEqual(timeless(unsharded));
}, 240_000);

it('the merge job refuses a missing shard, and shards made for another PR, with an ::error:: line', async () => {
  const files = await matrix(1);
  const missing = await job(1, { mode: 'merge', shards: 'shards' }, downloaded([files[0], files[2]]));
  expect(missing.code).not.toBe(0);
  expect(missing.stdout).toContain('::error::model-gate: merge: shard 2 of 3 missing');
  // PR 2 compares the same file names with baseline and candidate the other way round.
  const other = await job(2, { mode: 'merge', shards: 'shards' }, downloaded(files));
  expect(other.code).not.toBe(0);
  expect(other.stdout).toMatch(
    /::error::model-gate: merge: the shards evaluated a baseline with sha256 40c549b7f2ad…, not models\/classifier\.onnx @ base \w{7} \(1af69a5ea9e5…\); were they made for another commit\?/,
  );
  const none = await job(1, { mode: 'merge', shards: 'shards' });
  expect(none.stdout).toMatch(/::error::model-gate: input shards: cannot read .*\/shards \(ENOENT\); download the shard artifacts there first/);
  expect(ours(2)).toHaveLength(0);
}, 240_000);

it('a shard job of a PR that changes no gated model writes no record', async () => {
  const run = await job(3, { mode: 'pr', shard: '2/3' });
  expect(run.code).toBe(0);
  expect(run.outputs['shard-path']).toBe('');
  expect(run.summary.trim()).toBe('model-gate: shard 2/3: no model listed in `.github/model-gate.yml` changed; nothing to evaluate.');
});

it.each([
  [{ mode: 'nightly', shard: '1/3' }, 'input shard: used with mode: pr only (each matrix job evaluates one shard; mode: merge combines them), not mode: nightly'],
  [{ mode: 'pr', shard: '4/3' }, "input shard: expected i/n with 1 ≤ i ≤ n (e.g. ${{ matrix.shard }}/7), got '4/3'"],
  [{ mode: 'pr', shard: '1/2/3' }, "input shard: expected i/n with 1 ≤ i ≤ n (e.g. ${{ matrix.shard }}/7), got '1/2/3'"],
  [{ mode: 'merge' }, 'input shards: required with mode: merge (the folder in the workspace the shard records were downloaded to)'],
  [{ mode: 'pr', shards: 'shards' }, 'input shards: used with mode: merge only, not mode: pr'],
  [{ mode: 'merge', shards: '../elsewhere' }, "input shards: expected a path inside the workspace, got '../elsewhere'"],
])('refuses the inputs %j', async (inputs, message) => {
  const run = await job(3, inputs);
  expect(run.code).not.toBe(0);
  expect(run.stdout).toContain(`::error::model-gate: ${message}`);
});
