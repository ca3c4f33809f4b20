/**
 * The world an Action run sees, built for real: an origin git repository whose PR commits
 * replace a model, a shallow clone as the workspace (as actions/checkout leaves it), a small
 * pinned eval set, event payloads, and the runner's environment pointing at a fake GitHub on
 * 127.0.0.1. The Action under test is the built dist/index.js (built from the current sources
 * for this run), run as a child process.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtDist, sharedEvalSetCache } from '../helpers/shared.js';
import { git, initRepo, makeTempDir, type TestRepo } from '../models/git-fixture.js';
import { assertValidReportFile } from '../helpers/report-schema.js';

export const REPO = 'acme/models';
const EXAMPLE = join(process.cwd(), 'examples', 'fashion-mnist');
export const LENET = join(EXAMPLE, 'models', 'fmnist-lenet-v1.onnx');
export const DWNET = join(EXAMPLE, 'models', 'fmnist-dwnet-v3.onnx');

export function configText(evalSet: { archive: string; sha256: string }, gates: string): string {
  return `task: classification
eval: { source: ${evalSet.archive}, sha256: ${evalSet.sha256} }
classes: [T-shirt-top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle-boot]
models:
  - { name: classifier, path: models/classifier.onnx }
preprocess: { color: gray, size: [28, 28], scale: 0.00392156862745098, mean: [0.2860], std: [0.3530] }
inference: { execution-provider: cpu, batch-size: 64, threads: 1 }
latency: { batch-sizes: [1], warmup: 2, runs: 20 }
gates: { ${gates} }
`;
}

export interface Origin {
  repo: TestRepo;
  /** Commit shas by name. */
  sha: Record<string, string>;
}

export async function runAction(options: {
  workspace: string;
  runnerDir: string;
  eventName: string;
  event: object;
  inputs: Record<string, string>;
  env: Record<string, string>;
}): Promise<{ code: number; stdout: string; stderr: string; outputs: Record<string, string>; summary: string }> {
  const { runnerDir } = options;
  const temp = join(runnerDir, `run-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  await mkdir(temp, { recursive: true });
  const eventPath = join(temp, 'event.json');
  const outputPath = join(temp, 'output');
  const summaryPath = join(temp, 'summary.md');
  await writeFile(eventPath, JSON.stringify(options.event));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const inputs = Object.fromEntries(Object.entries(options.inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: runnerDir,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: REPO,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: temp,
    RUNNER_TOOL_CACHE: join(runnerDir, 'tool-cache'),
    // Where the Action keeps verified eval sets: the run's shared cache, so the small set is extracted once.
    MODEL_GATE_CACHE_DIR: sharedEvalSetCache(),
    'INPUT_GITHUB-TOKEN': 'ghs_test-token',
    ...inputs,
    ...options.env,
  };
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('node', [builtDist('index.js')], { env, cwd: options.workspace, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  const outputs: Record<string, string> = {};
  const text = await readFile(outputPath, 'utf8');
  for (const match of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1]] = match[3];
  // Every report.json / nightly.json the Action writes must fit the published schema.
  if (outputs['report-path']) assertValidReportFile(outputs['report-path']);
  return { ...result, outputs, summary: await readFile(summaryPath, 'utf8') };
}

/** A workspace as actions/checkout leaves it: a depth-1 clone of one commit. */
export async function checkout(origin: Origin, sha: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  git(dir, ['init', '--quiet']);
  git(dir, ['remote', 'add', 'origin', `file://${origin.repo.dir}`]);
  git(dir, ['fetch', '--quiet', '--depth=1', 'origin', sha]);
  git(dir, ['checkout', '--quiet', '--detach', sha]);
  return dir;
}

export function pullRequestEvent(number: number, base: string, head: string, headRepo = REPO): object {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      base: { sha: base, ref: 'main', repo: { full_name: REPO } },
      head: { sha: head, ref: `pr-${number}`, repo: { full_name: headRepo } },
    },
    repository: { full_name: REPO, default_branch: 'main' },
  };
}

export { git, initRepo, makeTempDir };
