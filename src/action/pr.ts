/**
 * The PR gate: which models[] entries this PR changes (ONNX models, or result sets for
 * task: results), their bytes at the base and head commits, the base commit's (trusted) config,
 * and one comparison per changed entry (ONNX models on one shared eval set). With the inputs
 * results-baseline/results-candidate the two result sets are files in the workspace instead
 * (result-inputs.ts). In an Actions matrix each job evaluates one shard (shard.ts) and a merge job
 * builds this same run from their records.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext } from '../config/action.js';
import type { Config, ModelRef } from '../config/types.js';
import type { HistoryRecord } from '../contracts/history.js';
import type { RunComparison } from '../contracts/run.js';
import { compareRun, mergedRun } from '../engine.js';
import { readShardFolder } from '../engine/shard-files.js';
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
import { commitsToCompare, finishRun, refuseUntrustedCheckout, runFacts, short, trustedConfig, type EvaluatedRun, type RunFacts } from './run-setup.js';

export type { EvaluatedRun } from './run-setup.js';
import { refusePrivilegedUntrustedRun } from './trust.js';

/** The skipped run's one log line: which files changed (the first few), and that none is gated. */
export function skippedLine(changed: readonly string[], configPath: string): string {
  const SHOWN = 5;
  const files = changed.length === 0 ? 'no files' : `${changed.length} file${changed.length === 1 ? '' : 's'} (${changed.slice(0, SHOWN).join(', ')}${changed.length > SHOWN ? ', …' : ''})`;
  return `skipped: this change touches ${files}; none is a model listed in ${configPath}, so there is nothing to compare.`;
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

/** What a PR run compares: the judging config, one pair of files per changed entry, and notes on the entries it can't compare. */
export interface PlannedRun {
  readonly config: Config;
  readonly facts: RunFacts;
  readonly pairs: readonly { readonly name: string; readonly refs: { readonly baseline: ModelRef; readonly candidate: ModelRef } }[];
  readonly notes: readonly string[];
}

/**
 * The front half of every models[] run (the plain gate, each shard of a matrix and the merge
 * job after it): the two commits, the base's config, the entries the PR changes and their bytes
 * at both commits. Shards and merge job run it alike, so all of them compare the same files.
 */
export async function planRun(ctx: ActionContext, gh: GitHub, git: Git, progress: Progress): Promise<PlannedRun> {
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
  if (relevant.length === 0) {
    progress.info(skippedLine(changed, ctx.configPath));
    return { config, facts, pairs: [], notes: [] };
  }

  const workDir = join(ctx.runnerTemp, 'model-gate', 'models');
  await mkdir(workDir, { recursive: true });
  const download = verifiedDownloader(progress, { allowedHosts: config.allowedHosts ?? [] });
  const notes: string[] = [];
  const pairs: PlannedRun['pairs'][number][] = [];
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
  return { config, facts, pairs, notes };
}

/** Verified eval sets are saved to the Actions cache only from trusted runs (a schedule, a push to the default branch). */
export function remoteCacheFor(ctx: ActionContext, progress: Progress) {
  const allowSave = ctx.eventName === 'schedule' || (ctx.eventName === 'push' && ctx.defaultBranch !== null && ctx.ref === `refs/heads/${ctx.defaultBranch}`);
  return actionsEvalSetCache({ allowSave, log: progress });
}

/** The PR gate, or (mode: merge) the same gate from the records of its shards. */
export async function evaluateCommits(ctx: ActionContext, gh: GitHub, progress: Progress): Promise<EvaluatedRun> {
  const git = createGit(ctx.workspace, ctx.runnerEnv);
  await refuseUntrustedCheckout(ctx, git);
  if (ctx.resultsInputs) return evaluateResultInputs(ctx, ctx.resultsInputs, git, progress);
  const { config, facts, pairs, notes } = await planRun(ctx, gh, git, progress);
  if (pairs.length === 0) return finishRun(facts, [], notes, []);
  if (ctx.shards && config.results) throw new UserError('mode: merge: task: results is never sharded (its result files are read whole); use mode: pr');

  const history = await readHistory(ctx, git, config, progress);
  for (const { name, refs } of pairs) progress.info(`comparing ${name}: ${refs.baseline.label} → ${refs.candidate.label}`);
  const toCompare = pairs.map(({ name, refs }) => ({ refs, options: { title: name, history: historyCharts(history, name) } }));
  const remoteCache = remoteCacheFor(ctx, progress);
  const results = ctx.shards
    ? await mergedRun(config, toCompare, await readShardFolder(join(ctx.workspace, ctx.shards), 'input shards'), progress, { remoteCache })
    : await compareRun(config, toCompare, progress, { remoteCache });
  const comparisons: RunComparison[] = results.map((result, i) => ({ name: pairs[i].name, report: result.report }));
  const pages: { name: string; html: string }[] = [];
  for (const [i, result] of results.entries()) pages.push({ name: pairs[i].name, html: await result.html() });
  return finishRun(facts, comparisons, notes, pages);
}
