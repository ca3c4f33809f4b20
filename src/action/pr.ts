/**
 * The PR gate: which models this PR changes, their bytes at the base and head commits, the
 * base commit's (trusted) config, and one comparison per changed model on one shared eval set.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext } from '../config/action.js';
import { changedConfigKeys } from '../config/diff.js';
import { parseConfig } from '../config/load.js';
import type { Config, ModelRef } from '../config/types.js';
import type { HistoryRecord } from '../contracts/history.js';
import type { RunComparison, RunReport } from '../contracts/run.js';
import { compareAll, precheckModels, prepareEval } from '../engine.js';
import { UserError } from '../errors.js';
import { actionsEvalSetCache } from '../evalset/actions-cache.js';
import { createGit, type Git } from '../git/index.js';
import { historyCharts } from '../history/charts.js';
import { gitBranchHistory, historyFileFor } from '../history/store.js';
import { changedFilesFromGit, ensureCommit, readFileAtCommit } from '../models/git.js';
import { isRelevantChange, materializeModel, verifiedDownloader } from '../models/sources.js';
import type { Progress } from '../progress.js';
import type { GitHub } from '../publish/github.js';
import { listChangedFiles } from './changed-files.js';

const short = (sha: string) => sha.slice(0, 7);

/** The skipped run's one log line: which files changed (the first few), and that none is gated. */
export function skippedLine(changed: readonly string[], configPath: string): string {
  const SHOWN = 5;
  const files = changed.length === 0 ? 'no files' : `${changed.length} file${changed.length === 1 ? '' : 's'} (${changed.slice(0, SHOWN).join(', ')}${changed.length > SHOWN ? ', …' : ''})`;
  return `skipped: this change touches ${files}; none is a model listed in ${configPath}, so there is nothing to compare.`;
}

/**
 * pull_request_target runs with a write token and secrets. Loading the PR's own weights there
 * hands untrusted files (and, through external data, paths) to a native parser in that context.
 */
async function refuseUntrustedCheckout(ctx: ActionContext, git: Git): Promise<void> {
  if (ctx.eventName !== 'pull_request_target' || !ctx.pullRequest) return;
  const heads = await Promise.all(['HEAD', 'HEAD^2'].map((rev) => git.run(['rev-parse', '--verify', '--quiet', rev]).then((r) => r.stdout.toString().trim(), () => '')));
  if (heads.includes(ctx.pullRequest.headSha)) {
    throw new UserError(
      'refusing to run under pull_request_target with the PR head checked out: that event has a write token and secrets, and the PR\'s model files are untrusted input. ' +
        'Run the gate on pull_request (fork PRs get a read-only token, so model-gate writes the report artifact) and post the comment from a workflow_run workflow with mode: comment; see examples/workflows/.',
    );
  }
}

async function resolveRev(git: Git, rev: string, input: string): Promise<string> {
  try {
    return (await git.run(['rev-parse', '--verify', `${rev}^{commit}`])).stdout.toString().trim();
  } catch {
    throw new UserError(`input ${input}: '${rev}' is not a commit in ${git.dir}`);
  }
}

async function commitsToCompare(ctx: ActionContext, git: Git): Promise<{ baseSha: string; headSha: string }> {
  const baseSha = ctx.baselineRef ? await resolveRev(git, ctx.baselineRef, 'baseline-ref') : ctx.pullRequest?.baseSha;
  const headSha = ctx.candidateRef ? await resolveRev(git, ctx.candidateRef, 'candidate-ref') : ctx.pullRequest?.headSha;
  if (!baseSha || !headSha) {
    throw new UserError(`event ${ctx.eventName} is not a pull request: set the baseline-ref and candidate-ref inputs to compare two commits`);
  }
  return { baseSha, headSha };
}

interface TrustedConfig {
  readonly config: Config;
  readonly source: RunReport['configSource'];
  readonly changedKeys: string[];
}

/** On a PR, the base commit's config judges; the PR's own edits to it apply once merged. */
async function trustedConfig(ctx: ActionContext, git: Git, baseSha: string, progress: Progress): Promise<TrustedConfig> {
  const workspaceFile = join(ctx.workspace, ctx.configPath);
  const headText = await readFile(workspaceFile, 'utf8').catch(() => null);
  const baseText = (await readFileAtCommit(git, baseSha, ctx.configPath))?.toString('utf8') ?? null;
  const environment = { cwd: ctx.workspace, env: ctx.configEnv, stderrIsTTY: false };
  const overrides = { executionProvider: ctx.executionProvider };
  const configDir = join(ctx.workspace, ctx.configPath, '..');
  if (baseText !== null) {
    const config = parseConfig(baseText, `${ctx.configPath}@${short(baseSha)}`, configDir, overrides, environment);
    return { config, source: 'base', changedKeys: changedConfigKeys(baseText, headText) };
  }
  if (headText === null) throw new UserError(`${ctx.configPath}: no model-gate config at the base commit ${short(baseSha)} or in the workspace (input config)`);
  progress.warn(`${ctx.configPath} does not exist at the base commit ${short(baseSha)}; this PR's own config is used.`);
  return { config: parseConfig(headText, workspaceFile, configDir, overrides, environment), source: 'head', changedKeys: [] };
}

/** The run's report plus one self-contained HTML page per compared model (for the artifact). */
export interface EvaluatedRun {
  readonly report: RunReport;
  readonly pages: readonly { readonly name: string; readonly html: string }[];
}

/** The nightly history, read only, for the HTML report's charts; none (with a note) if it can't be read. */
async function readHistory(ctx: ActionContext, git: Git, config: Config, progress: Progress): Promise<HistoryRecord[]> {
  try {
    return await gitBranchHistory({ git, remote: 'origin', branch: config.nightly.historyBranch, file: historyFileFor(ctx.configPath), log: progress }).read();
  } catch (error) {
    progress.info(`no nightly history for the HTML report (${(error as Error).message.split('\n')[0]})`);
    return [];
  }
}

export async function evaluateCommits(ctx: ActionContext, gh: GitHub, progress: Progress): Promise<EvaluatedRun> {
  const git = createGit(ctx.workspace, ctx.runnerEnv);
  await refuseUntrustedCheckout(ctx, git);
  const { baseSha, headSha } = await commitsToCompare(ctx, git);
  for (const sha of [baseSha, headSha]) await ensureCommit(git, sha, progress);
  const trusted = await trustedConfig(ctx, git, baseSha, progress);
  const { config } = trusted;
  if (config.models.length === 0) throw new UserError(`${ctx.configPath}: lists no models (add a models: list of { name, path } or { name, manifest, key })`);

  const pr = ctx.pullRequest && !ctx.baselineRef && !ctx.candidateRef ? ctx.pullRequest : null;
  const changed = pr
    ? await listChangedFiles(gh, { owner: ctx.owner, repo: ctx.repo, pullNumber: pr.number }, () => changedFilesFromGit(git, baseSha, headSha))
    : await changedFilesFromGit(git, baseSha, headSha);
  const relevant = config.models.filter((entry) => isRelevantChange(entry, changed) || (entry.quantized !== undefined && changed.includes(entry.quantized)));
  const base: Omit<RunReport, 'verdict' | 'comparisons' | 'notes'> = {
    schemaVersion: 1,
    kind: 'model-gate-run',
    configPath: ctx.configPath,
    configSource: trusted.source,
    configChangedKeys: trusted.changedKeys,
    pullRequest: ctx.pullRequest ? { number: ctx.pullRequest.number, baseSha, headSha } : null,
  };
  if (relevant.length === 0) {
    progress.info(skippedLine(changed, ctx.configPath));
    return { report: { ...base, verdict: 'skipped', comparisons: [], notes: [] }, pages: [] };
  }

  const workDir = join(ctx.runnerTemp, 'model-gate', 'models');
  await mkdir(workDir, { recursive: true });
  const download = verifiedDownloader(progress);
  const notes: string[] = [];
  const pairs: { name: string; refs: { baseline: ModelRef; candidate: ModelRef } }[] = [];
  for (const entry of relevant) {
    const before = await materializeModel(entry, { git, sha: baseSha, label: `base ${short(baseSha)}` }, workDir, download);
    const after = await materializeModel(entry, { git, sha: headSha, label: `head ${short(headSha)}` }, workDir, download);
    if (!before) notes.push(`${entry.name}: new in this PR (no baseline at ${short(baseSha)}); nothing to compare it with.`);
    else if (!after) notes.push(`${entry.name}: removed by this PR; nothing to evaluate.`);
    else {
      // The user's own int8 files (quantization.mode: provided) come from the same two commits.
      const int8 = entry.quantized ? { name: `${entry.name}-int8`, path: entry.quantized } : null;
      const beforeInt8 = int8 && (await materializeModel(int8, { git, sha: baseSha, label: `base ${short(baseSha)}` }, workDir, download));
      const afterInt8 = int8 && (await materializeModel(int8, { git, sha: headSha, label: `head ${short(headSha)}` }, workDir, download));
      pairs.push({
        name: entry.name,
        refs: {
          baseline: { role: 'baseline', path: before.file, label: before.label, quantized: beforeInt8 ? beforeInt8.file : null },
          candidate: { role: 'candidate', path: after.file, label: after.label, quantized: afterInt8 ? afterInt8.file : null },
        },
      });
    }
  }

  const comparisons: RunComparison[] = [];
  const pages: { name: string; html: string }[] = [];
  if (pairs.length > 0) {
    const allowSave = ctx.eventName === 'schedule' || (ctx.eventName === 'push' && ctx.defaultBranch !== null && ctx.ref === `refs/heads/${ctx.defaultBranch}`);
    await precheckModels(config, pairs.flatMap(({ refs }) => [refs.baseline, refs.candidate]));
    const evalCtx = await prepareEval(config, progress, { remoteCache: actionsEvalSetCache({ allowSave, log: progress }) });
    const history = await readHistory(ctx, git, config, progress);
    for (const { name, refs } of pairs) progress.info(`comparing ${name}: ${refs.baseline.label} → ${refs.candidate.label}`);
    const results = await compareAll(config, evalCtx, pairs.map(({ name, refs }) => ({ refs, options: { title: name, history: historyCharts(history, name) } })), progress);
    results.forEach((result, i) => {
      comparisons.push({ name: pairs[i].name, report: result.report });
      pages.push({ name: pairs[i].name, html: result.html });
    });
  }
  const failed = comparisons.some((c) => c.report.verdict === 'fail');
  return { report: { ...base, verdict: failed ? 'fail' : comparisons.length > 0 ? 'pass' : 'skipped', comparisons, notes }, pages };
}
