/**
 * Nightly runs end to end: the CLI against a history file, and the Action (dist/index.js) writing
 * history to a real git remote and opening, updating and closing the tracking issue on a fake
 * GitHub. Drift is made by seeding the history, never by changing what the models compute.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { runCli } from '../helpers/run-cli.js';
import { sharedEvalSetCache, smallEvalSet } from '../helpers/shared.js';
import { git } from '../models/git-fixture.js';
import { checkout, configText, initRepo, LENET, makeTempDir, REPO, runAction } from './action-fixture.js';

const LENET_SHA = '40c549b7f2ad0e51ac9a6bee33155db18bb961b5dd9a597b8319d5ea465cf979';

let temp: { path: string; cleanup: () => Promise<void> };
let evalSet: { archive: string; sha256: string };
let origin: Awaited<ReturnType<typeof initRepo>>;

beforeAll(async () => {
  temp = await makeTempDir('mg-nightly-');
  evalSet = smallEvalSet();
  origin = await initRepo(join(temp.path, 'origin'));
  await origin.write('.github/model-gate.yml', `${configText(evalSet, 'max-top1-drop: 0.5')}nightly: { mention: [octocat, '@acme/ml-owners'] }\n`);
  await origin.write('models/classifier.onnx', await readFile(LENET));
  origin.commit('models');
}, 120_000);
afterAll(() => temp?.cleanup());

/** A past night: the same model and eval set, with the figures given. */
function night(day: number, top1: number, p50Ms: number, top5 = 0.99): string {
  return `${JSON.stringify({
    timestamp: `2026-11-${String(day).padStart(2, '0')}T03:17:00.000Z`,
    commit: 'a'.repeat(40),
    model: { name: 'classifier', path: 'models/classifier.onnx', sha256: LENET_SHA },
    evalSha256: evalSet.sha256,
    executionProvider: 'cpu',
    runner: { cpu: 'test', gpu: null },
    metrics: { top1, top5 },
    latency: { batch1: { p50Ms, p90Ms: p50Ms * 1.2 } },
  })}\n`;
}

function cliNightly(history: string, json: string) {
  return runCli(['nightly', '--config', '.github/model-gate.yml', '--history', history, '--json', json, '--quiet'], { cacheDir: sharedEvalSetCache(), cwd: origin.dir });
}

describe('model-gate nightly (CLI)', () => {
  it('records a clean first night, then reports accuracy drift with the old and new values', async () => {
    const history = join(temp.path, 'cli-history.jsonl');
    const first = await cliNightly(history, join(temp.path, 'n1.json'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [record] = (await readFile(history, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(record.model).toEqual({ name: 'classifier', path: 'models/classifier.onnx', sha256: LENET_SHA });
    expect(record.evalSha256).toBe(evalSet.sha256);
    expect(Object.keys(record)).toEqual(['timestamp', 'commit', 'model', 'evalSha256', 'executionProvider', 'runner', 'metrics', 'latency']);

    // Same model, same eval set, different accuracy on an earlier night: that is drift.
    const { p50Ms } = record.latency.batch1;
    await writeFile(history, night(1, 0.5, p50Ms, record.metrics.top5) + `${JSON.stringify(record)}\n` + night(3, 0.5, p50Ms, record.metrics.top5));
    const json = join(temp.path, 'n2.json');
    const second = await cliNightly(history, json);
    expect(second.code).toBe(1);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ kind: 'accuracy-drift', model: 'classifier', old: 0.5, new: record.metrics.top1 });
    expect(second.stderr).toContain('model-gate: ');
    expect((await readFile(history, 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  it('reports a latency regression only when a second benchmark confirms it', async () => {
    const history = join(temp.path, 'latency-history.jsonl');
    await cliNightly(history, join(temp.path, 'l0.json'));
    const measured = JSON.parse((await readFile(history, 'utf8')).trim());
    // Ten past nights 20× faster than tonight can be: any honest measurement is a regression.
    const fast = measured.latency.batch1.p50Ms / 20;
    // Past nights on this same runner (same cpu, provider, model and eval set), as the history keeps them.
    const past = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100]
      .map(
        (v, i) => `${JSON.stringify({ ...measured, timestamp: `2026-11-${String(i + 1).padStart(2, '0')}T03:17:00.000Z`, latency: { batch1: { p50Ms: (fast * v) / 100, p90Ms: fast } } })}\n`,
      )
      .join('');
    await writeFile(history, past);
    const json = join(temp.path, 'l1.json');
    const run = await cliNightly(history, json);
    expect(run.code).toBe(1);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.findings.map((f: { kind: string }) => f.kind)).toEqual(['latency-regression']);
    expect(report.findings[0].message).toContain('confirmed by a second benchmark');
    expect(report.findings[0].changePercent).toBeGreaterThan(10);
  });
});

describe('mode: nightly (Action)', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub(REPO);
  });
  afterAll(() => fake?.close());

  const HISTORY_FILE = 'github-model-gate.yml.history.jsonl';
  const historyOnBranch = () => git(origin.dir, ['show', `model-gate-history:${HISTORY_FILE}`]);

  async function nightlyRun() {
    const workspace = await checkout({ repo: origin, sha: {} }, git(origin.dir, ['rev-parse', 'main']), join(temp.path, `ws-${Date.now()}`));
    return runAction({
      workspace,
      runnerDir: temp.path,
      eventName: 'schedule',
      event: { schedule: '17 3 * * *', repository: { full_name: REPO, default_branch: 'main' } },
      inputs: { mode: 'nightly' },
      env: { GITHUB_API_URL: fake.url, GITHUB_REF: 'refs/heads/main', GITHUB_SHA: git(origin.dir, ['rev-parse', 'main']) },
    });
  }

  /** Appends a night to the history branch as another writer would. */
  function seedNight(line: string) {
    const existing = (() => {
      try {
        return `${historyOnBranch()}\n`;
      } catch {
        return '';
      }
    })();
    const blob = git(origin.dir, ['hash-object', '-w', '--stdin'], existing + line);
    const tree = git(origin.dir, ['mktree'], `100644 blob ${blob}\t${HISTORY_FILE}\n`);
    const parent = (() => {
      try {
        return ['-p', git(origin.dir, ['rev-parse', 'model-gate-history'])];
      } catch {
        return [];
      }
    })();
    const commit = git(origin.dir, ['commit-tree', tree, ...parent, '-m', 'seed']);
    git(origin.dir, ['update-ref', 'refs/heads/model-gate-history', commit]);
  }

  it('opens the tracking issue on drift, updates it on the next bad night, and closes it on a clean one', async () => {
    seedNight(night(1, 0.5, 1000));
    const first = await nightlyRun();
    expect(first.code).not.toBe(0);
    expect(first.stdout).toContain('::error::model-gate nightly: ');
    expect(historyOnBranch().split('\n')).toHaveLength(2);
    const open = () => [...fake.state.issues.values()].filter((i) => i.state === 'open' && i.labels.includes('model-gate-regression'));
    expect(open()).toHaveLength(1);
    expect(open()[0].body).toContain('classifier: top-1 changed from 50.00% to');
    expect(open()[0].body).toContain('```mermaid');
    // The new issue names the run and notifies the configured owners (nightly.mention).
    expect(open()[0].body).toMatch(/\n\n\[Workflow run\]\(https:\/\/github\.com\/acme\/models\/actions\/runs\/4242\) · cc @octocat @acme\/ml-owners$/);
    expect(first.summary).toContain('xychart-beta');

    seedNight(night(2, 0.6, 1000));
    const second = await nightlyRun();
    expect(second.code).not.toBe(0);
    expect(open()).toHaveLength(1);
    const still = fake.state.comments.get(open()[0].number)?.find((c) => c.body.startsWith('Still failing'));
    expect(still?.body).toMatch(/ · cc @octocat @acme\/ml-owners$/);
    // An edited body notifies no one: it keeps the run link and leaves the mentions to the comment.
    expect(open()[0].body).not.toContain('cc @octocat');
    expect(open()[0].body).toContain('[Workflow run](https://github.com/acme/models/actions/runs/4242)');

    const third = await nightlyRun();
    expect(third.stderr).toBe('');
    expect(third.code).toBe(0);
    expect(third.outputs.verdict).toBe('pass');
    expect(open()).toHaveLength(0);
    expect([...fake.state.issues.values()].filter((i) => i.state === 'closed')).toHaveLength(1);
    expect(historyOnBranch().split('\n')).toHaveLength(5);
  });

  it('never writes history from a pull_request run', async () => {
    const before = historyOnBranch();
    const workspace = await checkout({ repo: origin, sha: {} }, git(origin.dir, ['rev-parse', 'main']), join(temp.path, 'ws-pr'));
    const run = await runAction({
      workspace,
      runnerDir: temp.path,
      eventName: 'pull_request',
      event: { pull_request: { number: 9, base: { sha: 'a'.repeat(40) }, head: { sha: 'b'.repeat(40), repo: { full_name: REPO } } }, repository: { full_name: REPO } },
      inputs: { mode: 'nightly' },
      env: { GITHUB_API_URL: fake.url },
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('::error::');
    expect(historyOnBranch()).toBe(before);
  });
});
