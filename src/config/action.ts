/**
 * Reads what the runner gives the Action (inputs and GITHUB_* variables, and the event payload)
 * into one frozen ActionContext. With src/config/load.ts this is the only place that reads the
 * environment; everything downstream gets these values as parameters.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import * as core from '@actions/core';
import { UserError } from '../errors.js';
import { parseShard } from './shard.js';

export type ActionMode = 'pr' | 'merge' | 'comment' | 'nightly';

export interface PullRequestFacts {
  readonly number: number;
  readonly baseSha: string;
  readonly headSha: string;
  readonly baseRef: string;
  /** owner/name of the head repository; differs from the base repository for a fork. */
  readonly headRepo: string;
  readonly isFork: boolean;
}

export interface WorkflowRunFacts {
  readonly id: number;
  readonly headSha: string;
  /** The branch and repository (owner/name) the run built: a fork's for a fork PR. */
  readonly headBranch: string;
  readonly headRepo: string;
  /** The PRs GitHub links the run to (empty for a fork's PR, which GitHub does not list there). */
  readonly pullRequests: readonly number[];
  readonly event: string;
  readonly conclusion: string | null;
}

export interface ActionContext {
  readonly mode: ActionMode;
  /** Repo-relative path of model-gate.yml. */
  readonly configPath: string;
  readonly token: string;
  readonly apiUrl: string;
  readonly serverUrl: string;
  readonly owner: string;
  readonly repo: string;
  readonly workspace: string;
  readonly runnerTemp: string;
  readonly runId: string;
  readonly eventName: string;
  readonly ref: string;
  readonly sha: string;
  readonly defaultBranch: string | null;
  readonly pullRequest: PullRequestFacts | null;
  readonly workflowRun: WorkflowRunFacts | null;
  /** An issue_comment (or similar) event on a pull request's conversation. */
  readonly onPullRequestComment: boolean;
  readonly baselineRef: string | null;
  readonly candidateRef: string | null;
  /**
   * task: results: the two result sets as paths inside the workspace (e.g. artifacts an earlier
   * job uploaded and this job downloaded), instead of models[] read at the base and head commits.
   * Both or neither.
   */
  readonly resultsInputs: { readonly baseline: string; readonly candidate: string } | null;
  /** pr mode in a matrix job: "i/n", evaluate shard i of n and write its record instead of reporting. */
  readonly shard: string | null;
  /** mode: merge: the workspace folder holding every shard record of the run (downloaded artifacts). */
  readonly shards: string | null;
  readonly comment: boolean;
  readonly failOnGate: boolean;
  readonly executionProvider: string | undefined;
  /** Environment for parseConfig (cache folder, progress). */
  readonly configEnv: Readonly<Record<string, string | undefined>>;
  /** The runner's environment, which git inherits (its config, credentials, PATH); nothing is configured from it. */
  readonly runnerEnv: Readonly<Record<string, string | undefined>>;
}

type Env = Readonly<Record<string, string | undefined>>;
type Json = Record<string, any>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new UserError(`${name} is not set: model-gate must run inside a GitHub Actions job`);
  return value;
}

function bool(name: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (/^(true|yes|1)$/i.test(value)) return true;
  if (/^(false|no|0)$/i.test(value)) return false;
  throw new UserError(`input ${name}: expected true or false, got '${value}'`);
}

function pullRequestOf(event: Json, repository: string): PullRequestFacts | null {
  const pr = event.pull_request;
  if (!pr || typeof pr.number !== 'number') return null;
  const headRepo = String(pr.head?.repo?.full_name ?? '');
  return {
    number: pr.number,
    baseSha: String(pr.base?.sha ?? ''),
    headSha: String(pr.head?.sha ?? ''),
    baseRef: String(pr.base?.ref ?? ''),
    headRepo,
    isFork: headRepo !== '' && headRepo.toLowerCase() !== repository.toLowerCase(),
  };
}

function workflowRunOf(event: Json): WorkflowRunFacts | null {
  const run = event.workflow_run;
  if (!run || typeof run.id !== 'number') return null;
  const pullRequests = Array.isArray(run.pull_requests) ? run.pull_requests.map((p: Json) => p?.number).filter((n: unknown): n is number => typeof n === 'number') : [];
  return {
    id: run.id,
    headSha: String(run.head_sha ?? ''),
    headBranch: String(run.head_branch ?? ''),
    headRepo: String(run.head_repository?.full_name ?? ''),
    pullRequests,
    event: String(run.event ?? ''),
    conclusion: run.conclusion ?? null,
  };
}

/** A workspace-relative path input: never absolute, never leaving the workspace by '..'; null when empty. */
function workspacePath(input: InputReader, name: string): string | null {
  const value = input(name).trim();
  if (value === '') return null;
  if (isAbsolute(value) || value.split(/[\\/]/).includes('..')) throw new UserError(`input ${name}: expected a path inside the workspace, got '${value}'`);
  return normalize(value);
}

function resultsInputsOf(input: InputReader): ActionContext['resultsInputs'] {
  const [baseline, candidate] = ['results-baseline', 'results-candidate'].map((name) => workspacePath(input, name));
  if (baseline === null && candidate === null) return null;
  if (baseline === null || candidate === null) {
    throw new UserError(
      `input ${baseline === null ? 'results-baseline' : 'results-candidate'}: required with ${baseline === null ? 'results-candidate' : 'results-baseline'} (the two result sets to compare)`,
    );
  }
  return { baseline, candidate };
}

/**
 * shard belongs to a pr-mode matrix job and shards to the merge job after it; each is refused
 * elsewhere, so a misplaced input never silently runs the whole comparison on every runner.
 */
function shardingOf(input: InputReader, mode: ActionMode, resultsInputs: ActionContext['resultsInputs']): Pick<ActionContext, 'shard' | 'shards'> {
  const shard = input('shard').trim() || null;
  const shards = workspacePath(input, 'shards');
  if (shard !== null && mode !== 'pr') throw new UserError(`input shard: used with mode: pr only (each matrix job evaluates one shard; mode: merge combines them), not mode: ${mode}`);
  if (shard !== null && resultsInputs) throw new UserError('input shard: not used with results-baseline/results-candidate (result files are read whole)');
  if (shard !== null) parseShard(shard, 'input shard', '${{ matrix.shard }}/7');
  if (mode === 'merge' && shards === null) throw new UserError('input shards: required with mode: merge (the folder in the workspace the shard records were downloaded to)');
  if (mode !== 'merge' && shards !== null) throw new UserError(`input shards: used with mode: merge only, not mode: ${mode}`);
  return { shard, shards };
}

export interface InputReader {
  (name: string): string;
}

export function readActionContext(env: Env = process.env, input: InputReader = (name) => core.getInput(name)): ActionContext {
  const repository = required(env, 'GITHUB_REPOSITORY');
  const [owner, repo] = repository.split('/');
  const eventPath = required(env, 'GITHUB_EVENT_PATH');
  let event: Json;
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8')) as Json;
  } catch (error) {
    throw new UserError(`${eventPath}: cannot read the event payload (${(error as Error).message})`);
  }
  const mode = (input('mode') || 'pr') as ActionMode;
  if (!['pr', 'merge', 'comment', 'nightly'].includes(mode)) throw new UserError(`input mode: expected pr | merge | comment | nightly, got '${mode}'`);
  const configPath = normalize(input('config') || '.github/model-gate.yml');
  if (isAbsolute(configPath) || configPath.startsWith('..')) throw new UserError(`input config: expected a path inside the repository, got '${configPath}'`);
  const runnerTemp = env.RUNNER_TEMP || required(env, 'RUNNER_TEMP');
  // Verified eval sets persist in the runner's tool cache between jobs on a self-hosted runner.
  const cacheDir = env.MODEL_GATE_CACHE_DIR || join(env.RUNNER_TOOL_CACHE || runnerTemp, 'model-gate');
  const resultsInputs = resultsInputsOf(input);
  const context: ActionContext = {
    mode,
    configPath,
    token: input('github-token'),
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    owner,
    repo,
    workspace: required(env, 'GITHUB_WORKSPACE'),
    runnerTemp,
    runId: env.GITHUB_RUN_ID || '0',
    eventName: required(env, 'GITHUB_EVENT_NAME'),
    ref: env.GITHUB_REF || '',
    sha: env.GITHUB_SHA || '',
    defaultBranch: event.repository?.default_branch ?? null,
    pullRequest: pullRequestOf(event, repository),
    workflowRun: workflowRunOf(event),
    onPullRequestComment: Boolean(event.issue?.pull_request),
    baselineRef: input('baseline-ref') || null,
    candidateRef: input('candidate-ref') || null,
    resultsInputs,
    ...shardingOf(input, mode, resultsInputs),
    comment: bool('comment', input('comment'), true),
    failOnGate: bool('fail-on-gate', input('fail-on-gate'), true),
    executionProvider: input('execution-provider') || undefined,
    configEnv: { MODEL_GATE_CACHE_DIR: cacheDir, MODEL_GATE_PROGRESS: 'lines', HOME: env.HOME },
    runnerEnv: env,
  };
  return Object.freeze(context);
}
