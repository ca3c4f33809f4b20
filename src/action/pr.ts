/**
 * The PR gate: which models[] entries this PR changes (ONNX models, or result sets for
 * task: results), their bytes at the base and head commits, the base commit's (trusted) config,
 * and one comparison per changed entry (ONNX models on one shared eval set). With the inputs
 * results-baseline/results-candidate the two result sets are files in the workspace instead
 * (result-inputs.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext } from '../config/action.js';
import type { Config, ModelRef } from '../config/types.js';
import type { HistoryRecord } from '../contracts/history.js';
import type { RunComparison } from '../contracts/run.js';
import { compareRun } from '../engine.js';
import { UserError } from '../errors.js';
import { actionsEvalSetCache } from '../evalset/actions-cache.js';
import { createGit, type Git } from '../git/index.js';
import { historyCharts } from '../history/charts.js';
import { gitBranchHistory, historyFileFor } from '../history/store.js';
import { entrySourceFor } from '../models/entries.js';
import { changedFilesFromGit, ensureCommit } from '../models/git.js';
import { materializeModel, verifiedDownloader } from '../models/sources.js';
import type { Progress } from '../progress.js';
import type { GitHub } from '../publish/github.js';
import { listChangedFiles } from './changed-files.js';
import { evaluateResultInputs } from './result-inputs.js';
import { commitsToCompare, finishRun, refuseUntrustedCheckout, runFacts, short, trustedConfig, type EvaluatedRun } from './run-setup.js';

export type { EvaluatedRun } from './run-setup.js';
import { refusePrivilegedUntrustedRun } from './trust.js';

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
  if (ctx.resultsInputs) return evaluateResultInputs(ctx, ctx.resultsInputs, git, progress);
  const { baseSha, headSha } = await commitsToCompare(ctx, git);
  await ensureCommit(git, baseSha, progress);
  const trusted = await trustedConfig(ctx, git, baseSha, progress);
  const { config } = trusted;
  // Models are run by a native parser (result files are only read, as data): never the PR's with a
  // privileged token. Refused before the PR's head is fetched (trust.ts).
  if (!config.results) refusePrivilegedUntrustedRun(ctx);
  await ensureCommit(git, headSha, progress);
  if (config.models.length === 0) {
    const more = config.results ? ', or give the inputs results-baseline and results-candidate' : '';
    throw new UserError(`${ctx.configPath}: lists no models (add a models: list of { name, path } or { name, manifest, key }${more})`);
  }
  // What an entry names (a model, or a result set for task: results) and how to read it at a commit.
  const source = entrySourceFor(config);

  const pr = ctx.pullRequest && !ctx.baselineRef && !ctx.candidateRef ? ctx.pullRequest : null;
  const changed = pr
    ? await listChangedFiles(gh, { owner: ctx.owner, repo: ctx.repo, pullNumber: pr.number }, () => changedFilesFromGit(git, baseSha, headSha))
    : await changedFilesFromGit(git, baseSha, headSha);
  const relevant = config.models.filter((entry) => source.isRelevant(entry, changed) || (entry.quantized !== undefined && changed.includes(entry.quantized)));
  const facts = runFacts(ctx, trusted, ctx.pullRequest ? { number: ctx.pullRequest.number, baseSha, headSha } : null);
  if (relevant.length === 0) return finishRun(facts, [], [], []);

  const workDir = join(ctx.runnerTemp, 'model-gate', 'models');
  await mkdir(workDir, { recursive: true });
  const download = verifiedDownloader(progress, { allowedHosts: config.allowedHosts ?? [] });
  const notes: string[] = [];
  const pairs: { name: string; refs: { baseline: ModelRef; candidate: ModelRef } }[] = [];
  for (const entry of relevant) {
    const before = await source.materialize(entry, { git, sha: baseSha, label: `base ${short(baseSha)}` }, workDir, download);
    const after = await source.materialize(entry, { git, sha: headSha, label: `head ${short(headSha)}` }, workDir, download);
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
    const history = await readHistory(ctx, git, config, progress);
    for (const { name, refs } of pairs) progress.info(`comparing ${name}: ${refs.baseline.label} → ${refs.candidate.label}`);
    const results = await compareRun(config, pairs.map(({ name, refs }) => ({ refs, options: { title: name, history: historyCharts(history, name) } })), progress, {
      remoteCache: actionsEvalSetCache({ allowSave, log: progress }),
    });
    results.forEach((result, i) => {
      comparisons.push({ name: pairs[i].name, report: result.report });
      pages.push({ name: pairs[i].name, html: result.html });
    });
  }
  return finishRun(facts, comparisons, notes, pages);
}
