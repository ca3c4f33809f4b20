/**
 * task: results with both result sets in the workspace (inputs results-baseline and
 * results-candidate): typically the artifacts of earlier jobs that ran the harness, downloaded
 * by this job. One comparison, named `results`, with the same comment, gates, outputs and job
 * summary as any other run; on a PR the base commit's config judges, elsewhere (a schedule) the
 * workspace's.
 *
 * Trust: these files are data another job wrote, maybe from the PR's own code, and are read as
 * data only (model-gate's JSON/CSV readers; nothing in them is run or followed as a path). The
 * paths are the workflow's, but what lies there may be the PR's: a path must resolve inside the
 * workspace, and no file the readers would read may be a symbolic link (a PR could commit one
 * pointing at the runner's files, and its bytes would end up in the comment).
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { ActionContext } from '../config/action.js';
import type { ResultsRef } from '../config/types.js';
import { compareRun } from '../engine.js';
import { UserError } from '../errors.js';
import type { Git } from '../git/index.js';
import { ensureCommit } from '../models/git.js';
import { MAX_RESULT_FILES } from '../models/result-files.js';
import type { Progress } from '../progress.js';
import { finishRun, runFacts, trustedConfig, workspaceConfig, type EvaluatedRun } from './run-setup.js';

/** The comparison's name: its comment section's title and its HTML page (results.html). */
export const RESULTS_COMPARISON = 'results';

const READ = ['.jsonl', '.json', '.csv'];

async function workspaceResults(workspace: string, role: 'baseline' | 'candidate', input: string): Promise<ResultsRef> {
  const name = `input results-${role}`;
  const side = /#(baseline|candidate)$/.exec(input)?.[0] ?? '';
  const path = join(workspace, input.slice(0, input.length - side.length));
  const info = await lstat(path).catch(() => null);
  if (info === null) throw new UserError(`${name}: '${input}' does not exist in the workspace (did the step that downloads the results run?)`);
  if (info.isSymbolicLink()) throw new UserError(`${name}: '${input}' is a symbolic link; give the result file or folder itself`);
  const [root, real] = await Promise.all([realpath(workspace), realpath(path)]);
  if (real !== root && !real.startsWith(root + sep)) throw new UserError(`${name}: '${input}' resolves outside the workspace`);
  if (info.isDirectory()) {
    const entries = (await readdir(path, { withFileTypes: true })).filter((e) => READ.includes(extname(e.name).toLowerCase()));
    if (entries.length > MAX_RESULT_FILES) throw new UserError(`${name}: '${input}' has ${entries.length} result files, more than the ${MAX_RESULT_FILES} one result set may have`);
    const link = entries.find((e) => e.isSymbolicLink());
    if (link) throw new UserError(`${name}: '${input}/${link.name}' is a symbolic link; result files must be files`);
  }
  return { role, path: `${path}${side}`, label: input };
}

export async function evaluateResultInputs(ctx: ActionContext, inputs: NonNullable<ActionContext['resultsInputs']>, git: Git, progress: Progress): Promise<EvaluatedRun> {
  if (ctx.baselineRef || ctx.candidateRef) {
    throw new UserError('inputs baseline-ref and candidate-ref: not used with results-baseline and results-candidate (the result sets are files in the workspace, not at two commits)');
  }
  const pr = ctx.pullRequest;
  if (pr) await ensureCommit(git, pr.baseSha, progress);
  const trusted = pr ? await trustedConfig(ctx, git, pr.baseSha, progress) : await workspaceConfig(ctx);
  if (!trusted.config.results) {
    throw new UserError(`inputs results-baseline and results-candidate: only used with task: results (${ctx.configPath} has task: ${trusted.config.task})`);
  }
  const refs = {
    baseline: await workspaceResults(ctx.workspace, 'baseline', inputs.baseline),
    candidate: await workspaceResults(ctx.workspace, 'candidate', inputs.candidate),
  };
  progress.info(`comparing ${RESULTS_COMPARISON}: ${refs.baseline.label} → ${refs.candidate.label}`);
  const [result] = await compareRun(trusted.config, [{ refs, options: { title: RESULTS_COMPARISON } }], progress);
  const facts = runFacts(ctx, trusted, pr ? { number: pr.number, baseSha: pr.baseSha, headSha: pr.headSha } : null);
  return finishRun(facts, [{ name: RESULTS_COMPARISON, report: result.report }], [], [{ name: RESULTS_COMPARISON, html: await result.html() }]);
}
