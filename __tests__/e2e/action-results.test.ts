/**
 * task: results in the GitHub Action, end to end: the built dist/index.js against the fake GitHub
 * and a real git repository. Result sets come from the PR's base and head commits (models[].path
 * names a folder of lm-evaluation-harness files), or from the workspace (results-baseline /
 * results-candidate, where a job puts the artifacts it downloaded). The files are the example's
 * (examples/llm-results/runs), so every figure is the one the CLI prints for them.
 */
import { cp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { runCli } from '../helpers/run-cli.js';
import { checkout, initRepo, makeTempDir, pullRequestEvent, REPO, runAction, type Origin } from './action-fixture.js';

const RUNS = join(process.cwd(), 'examples', 'llm-results', 'runs');
const MARKER = '<!-- model-gate:.github/model-gate.yml -->';
/** The example's config, reading models[] from the repository. */
const CONFIG = `task: results
models:
  - { name: llm, path: evals/llm }
results:
  format: lm-eval
  metric: acc_norm
  slices: [task, language]
  derive: { language: { from: task, pattern: '_(de|fr)$', default: en } }
  focus: { language: [en, de] }
gates: { max-metric-drop: 0.5, no-worse-focus-slice: true }
`;
/** The set digests of the example's two runs (what the CLI's report.json says of examples/llm-results). */
const LLAMA_7B = 'c52854ef041d09875d01f9ab8a41ffaf7c34d92a5915b753692ab7e2e86713a3';
const LLAMA_2_7B = '1aee0e292d1af3cf10602c631d75c81c5d25183afef558f0d7b6721047eae0a4';

let fake: FakeGitHub;
let temp: { path: string; cleanup: () => Promise<void> };
let origin: Origin;

async function writeRun(dir: string, run: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names = await readdir(join(RUNS, run));
  for (const name of names) await cp(join(RUNS, run, name), join(dir, name));
  return names;
}

beforeAll(async () => {
  temp = await makeTempDir('mg-action-results-');
  fake = await startFakeGitHub(REPO);
  const repo = await initRepo(join(temp.path, 'origin'));
  const sha: Record<string, string> = {};
  await repo.write('.github/model-gate.yml', CONFIG);
  const before = await writeRun(join(repo.dir, 'evals/llm'), 'llama-7b');
  await repo.write('README.md', '# llm\n');
  sha.main = repo.commit('llama-7b results');
  for (const name of before) repo.remove(`evals/llm/${name}`);
  const after = await writeRun(join(repo.dir, 'evals/llm'), 'llama-2-7b');
  sha.llama2 = repo.commit('llama-2-7b results');
  origin = { repo, sha };
  const files = [...before, ...after].map((name) => ({ filename: `evals/llm/${name}`, status: 'modified' }));
  fake.state.pulls.set(1, {
    number: 1,
    base: { sha: sha.main, ref: 'main', repo: { full_name: REPO } },
    head: { sha: sha.llama2, ref: 'pr-1', repo: { full_name: REPO } },
    changedFiles: files,
  });
  fake.state.pulls.set(2, {
    number: 2,
    base: { sha: sha.main, ref: 'main', repo: { full_name: REPO } },
    head: { sha: sha.llama2, ref: 'pr-2', repo: { full_name: REPO } },
    changedFiles: files,
  });
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await temp?.cleanup();
});

let workspaces = 0;
const workspace = () => checkout(origin, origin.sha.llama2, join(temp.path, `ws-${++workspaces}`));

function action(ws: string, eventName: string, event: object, inputs: Record<string, string> = {}) {
  return runAction({ workspace: ws, runnerDir: temp.path, eventName, event, inputs: { mode: 'pr', ...inputs }, env: { GITHUB_API_URL: fake.url, ...fake.artifactServiceEnv() } });
}

const ours = (number: number) => (fake.state.comments.get(number) ?? []).filter((c) => c.user.login === 'github-actions[bot]');
const VERDICT =
  /^\*\*❌ Gate failed:\*\* significantly worse on language de −14\.58 pt\. \*\*Accuracy: real loss\*\*, worse where it matters: \*\*−14\.58 pt\*\* acc\\_norm on language de \(240 samples; 95% CI −19\.59 to −9\.45 pt, Holm-adjusted p = 6\.2e-8\); on average over all 720 samples: \+4\.72 pt/;

describe('task: results in the Action', () => {
  it('reads the result folders at the PR base and head, comments, fails the focus gate, and writes the outputs, summary and artifact', async () => {
    const run = await action(await workspace(), 'pull_request', pullRequestEvent(1, origin.sha.main, origin.sha.llama2));
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain(
      '::error::model-gate · llm: ❌ Gate failed: significantly worse on language de −14.58 pt.%0A  gate no-worse-focus-slice: language de −14.58 pt (Holm-adjusted p = 6.2e-8)',
    );
    expect(run.outputs.verdict).toBe('fail');
    const [comment] = ours(1);
    const lines = comment.body.split('\n');
    expect(lines[0]).toBe(MARKER);
    expect(lines[1]).toBe(`### model-gate · llm · \`llm @ base ${origin.sha.main.slice(0, 7)}\` → \`llm @ head ${origin.sha.llama2.slice(0, 7)}\``);
    expect(lines[2]).toMatch(VERDICT);
    expect(comment.body).toContain('[artifact `model-gate-report`](https://github.com/acme/models/actions/runs/4242) (`llm.html`)');
    expect(run.outputs['comment-url']).toBe(comment.html_url);
    expect(run.summary).toContain('worse where it matters');
    const report = JSON.parse(await readFile(run.outputs['report-path'], 'utf8'));
    const llm = report.comparisons[0].report;
    expect([report.verdict, report.configSource, llm.task, llm.evalSet.samples]).toEqual(['fail', 'base', 'results', 720]);
    // The bytes read from git are the example's files: the same set digests as the CLI's report.
    expect([llm.models.baseline.sha256, llm.models.candidate.sha256]).toEqual([LLAMA_7B, LLAMA_2_7B]);
    // Per-sample records stay out of the run's report.json (the CLI's --json has them).
    expect([llm.models.baseline.samples, llm.models.candidate.samples]).toEqual([undefined, undefined]);
    expect(await readFile(join(run.outputs['report-path'], '..', 'llm.html'), 'utf8')).toContain('720 paired samples');
    expect(fake.state.uploadedArtifacts.map((a) => a.name)).toContain('model-gate-report');
  });

  it('compares result sets downloaded into the workspace (results-baseline / results-candidate) with the same verdict', async () => {
    const ws = await workspace();
    await writeRun(join(ws, 'artifacts/base'), 'llama-7b');
    await writeRun(join(ws, 'artifacts/head'), 'llama-2-7b');
    const run = await action(ws, 'pull_request', pullRequestEvent(2, origin.sha.main, origin.sha.llama2), { 'results-baseline': 'artifacts/base', 'results-candidate': 'artifacts/head' });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('::error::model-gate · results: ❌ Gate failed: significantly worse on language de −14.58 pt.');
    const [comment] = ours(2);
    expect(comment.body.split('\n')[1]).toBe('### model-gate · results · `base` → `head`');
    expect(comment.body.split('\n')[2]).toMatch(VERDICT);
    const report = JSON.parse(await readFile(run.outputs['report-path'], 'utf8'));
    expect(report.comparisons[0].report.models.candidate.sha256).toBe(LLAMA_2_7B);
    expect(report.pullRequest).toEqual({ number: 2, baseSha: origin.sha.main, headSha: origin.sha.llama2 });
  });

  it('from a fork: writes the artifact and no comment; the workflow_run comment workflow rebuilds the same comment from it', async () => {
    fake.state.pulls.set(3, { ...fake.state.pulls.get(1)!, number: 3, head: { sha: origin.sha.llama2, ref: 'pr-3', repo: { full_name: 'forker/models' } } });
    fake.state.currentRun = { id: 9101, head_sha: origin.sha.llama2 };
    const fork = await action(await workspace(), 'pull_request', pullRequestEvent(3, origin.sha.main, origin.sha.llama2, 'forker/models'));
    expect(fork.outputs.verdict).toBe('fail');
    expect(ours(3)).toHaveLength(0);
    const comment = await runAction({
      workspace: await workspace(),
      runnerDir: temp.path,
      eventName: 'workflow_run',
      event: { workflow_run: { id: 9101, head_sha: origin.sha.llama2, event: 'pull_request', conclusion: 'failure' }, repository: { full_name: REPO } },
      inputs: { mode: 'comment' },
      env: { GITHUB_API_URL: fake.url },
    });
    expect(comment.stderr).toBe('');
    expect(comment.code).toBe(0);
    expect(ours(3)).toHaveLength(1);
    expect(ours(3)[0].body.split('\n')[2]).toMatch(VERDICT);
    // Rebuilt by our renderer from the report's data: the text a same-repo PR gets, linking the fork's run.
    expect(ours(3)[0].body).toBe(ours(1)[0].body.replace('/actions/runs/4242', '/actions/runs/9101'));
  });

  it('on a schedule (no PR) judges by the workspace config, writes the summary and outputs, and posts no comment', async () => {
    const ws = await workspace();
    await writeRun(join(ws, 'reference'), 'llama-2-7b');
    await writeRun(join(ws, 'tonight'), 'llama-2-7b');
    const comments = [...fake.state.comments.values()].flat().length;
    const run = await action(ws, 'schedule', { repository: { full_name: REPO, default_branch: 'main' } }, { 'results-baseline': 'reference', 'results-candidate': 'tonight' });
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.summary).toContain('**✅ Gates passed.** **Accuracy: no change**');
    const report = JSON.parse(await readFile(run.outputs['report-path'], 'utf8'));
    expect([report.configSource, report.pullRequest]).toEqual(['workspace', null]);
    expect([...fake.state.comments.values()].flat()).toHaveLength(comments);
  });

  it('refuses a result path that is, or holds, a symbolic link, and one that leaves the workspace', async () => {
    const ws = await workspace();
    const outside = join(temp.path, 'runner-secret.jsonl');
    await writeFile(outside, '{"id": "token", "correct": 1}\n');
    await writeRun(join(ws, 'artifacts/base'), 'llama-7b');
    await mkdir(join(ws, 'artifacts/evil'), { recursive: true });
    await symlink(outside, join(ws, 'artifacts/evil/samples_leak_2025-01-01T00-00-00.jsonl'));
    await symlink(join(temp.path), join(ws, 'artifacts/up'));
    const schedule = { repository: { full_name: REPO, default_branch: 'main' } };
    const inFolder = await action(ws, 'schedule', schedule, { 'results-baseline': 'artifacts/base', 'results-candidate': 'artifacts/evil' });
    expect(inFolder.code).not.toBe(0);
    expect(inFolder.stdout).toContain("::error::model-gate: input results-candidate: 'artifacts/evil/samples_leak_2025-01-01T00-00-00.jsonl' is a symbolic link; result files must be files");
    const link = await action(ws, 'schedule', schedule, { 'results-baseline': 'artifacts/base', 'results-candidate': 'artifacts/up' });
    expect(link.stdout).toContain("::error::model-gate: input results-candidate: 'artifacts/up' is a symbolic link");
    const up = await action(ws, 'schedule', schedule, { 'results-baseline': 'artifacts/base', 'results-candidate': '../runner-secret.jsonl' });
    expect(up.stdout).toContain("::error::model-gate: input results-candidate: expected a path inside the workspace, got '../runner-secret.jsonl'");
    const half = await action(ws, 'schedule', schedule, { 'results-candidate': 'artifacts/base' });
    expect(half.stdout).toContain('::error::model-gate: input results-baseline: required with results-candidate');
  });

  it('refuses mode: nightly and model-gate nightly with a message saying what to run instead', async () => {
    const ws = await workspace();
    const run = await runAction({
      workspace: ws,
      runnerDir: temp.path,
      eventName: 'schedule',
      event: { repository: { full_name: REPO, default_branch: 'main' } },
      inputs: { mode: 'nightly' },
      env: { GITHUB_API_URL: fake.url },
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/::error::model-gate: .*model-gate\.yml: task: results has no nightly run: model-gate runs no model, so there is nothing to re-evaluate/);
    const cli = await runCli(['nightly', '--config', '.github/model-gate.yml', '--history', join(temp.path, 'h.jsonl')], { cacheDir: join(temp.path, 'cache'), cwd: ws });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('results-baseline and results-candidate, or model-gate compare --baseline REFERENCE --candidate TONIGHT');
  });
});
