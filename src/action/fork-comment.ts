/**
 * mode: comment, on workflow_run. A fork's pull_request run has a read-only token, so it only
 * uploads its report; this trusted run downloads it, checks it belongs to the PR it names, and
 * rebuilds the comment from the report's data with our own renderer (never posting text the
 * untrusted run wrote).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext, WorkflowRunFacts } from '../config/action.js';
import type { RunReport } from '../contracts/run.js';
import { UserError } from '../errors.js';
import type { Progress } from '../progress.js';
import { downloadRunArtifact, REPORT_ARTIFACT } from '../publish/artifact.js';
import type { GitHub } from '../publish/github.js';
import { parseRunReport } from './run-report.js';

/** A report of a few models with all flips listed stays well under this. */
const MAX_ARTIFACT_BYTES = 20 * 1024 * 1024;
const MAX_REPORT_BYTES = 10 * 1024 * 1024;

/**
 * The same commit can be the head of several PRs (anyone can push a public commit to a branch of
 * their own fork and open a PR with it), so a matching sha does not bind the report to the PR it
 * names. What GitHub says about the run does: the repository and branch it built, and, for a PR
 * of this repository, the PRs it lists (GitHub lists none for a fork's).
 */
function refuseOtherPullRequest(run: WorkflowRunFacts, number: number, head: { repo: string; branch: string }): void {
  const built = `${run.headRepo}:${run.headBranch}`;
  if ((run.headRepo && head.repo !== run.headRepo) || (run.headBranch && head.branch !== run.headBranch)) {
    throw new UserError(`PR #${number} comes from ${head.repo}:${head.branch}, but run ${run.id} built ${built}: refusing to comment (the report names another PR with the same commit)`);
  }
  if (run.pullRequests.length > 0 && !run.pullRequests.includes(number)) {
    throw new UserError(`run ${run.id} built PR ${run.pullRequests.map((n) => `#${n}`).join(', ')}, not #${number} that its report names: refusing to comment`);
  }
}

export async function reportFromWorkflowRun(ctx: ActionContext, gh: GitHub, progress: Progress): Promise<RunReport> {
  const run = ctx.workflowRun;
  if (ctx.eventName !== 'workflow_run' || !run) {
    throw new UserError(`mode: comment runs on workflow_run events (this is ${ctx.eventName}); see examples/workflows/model-gate-comment.yml`);
  }
  const dir = join(ctx.runnerTemp, 'model-gate', `incoming-${run.id}`);
  await downloadRunArtifact(gh, { owner: ctx.owner, repo: ctx.repo, runId: run.id, name: REPORT_ARTIFACT, destDir: dir, maxBytes: MAX_ARTIFACT_BYTES });
  const file = join(dir, 'report.json');
  const size = (await stat(file).catch(() => null))?.size;
  if (size === undefined) throw new UserError(`artifact ${REPORT_ARTIFACT} of run ${run.id} has no report.json`);
  if (size > MAX_REPORT_BYTES) throw new UserError(`artifact ${REPORT_ARTIFACT} of run ${run.id}: report.json is ${size} bytes, over the ${MAX_REPORT_BYTES} allowed`);
  const report = parseRunReport(await readFile(file, 'utf8'), `report.json of run ${run.id}`);
  const pr = report.pullRequest as NonNullable<RunReport['pullRequest']>;
  // The artifact says which PR to comment on; the run that made it could have lied. The PR's
  // current head must be the commit that run built.
  if (pr.headSha !== run.headSha) {
    throw new UserError(`report.json of run ${run.id} names head ${pr.headSha.slice(0, 7)}, but the run built ${run.headSha.slice(0, 7)}: refusing to comment`);
  }
  const { data } = await gh.rest.pulls.get({ owner: ctx.owner, repo: ctx.repo, pull_number: pr.number });
  if (data.head.sha !== run.headSha) {
    throw new UserError(
      `PR #${pr.number} has head ${data.head.sha.slice(0, 7)}, not ${run.headSha.slice(0, 7)} that run ${run.id} built: refusing to comment (wrong or spoofed PR number, or the PR moved on)`,
    );
  }
  refuseOtherPullRequest(run, pr.number, { repo: data.head.repo?.full_name ?? '', branch: data.head.ref });
  progress.info(`run ${run.id} reported on PR #${pr.number} at ${run.headSha.slice(0, 7)}`);
  return report;
}
