/**
 * The Action: reads the runner's context, runs the flow its mode asks for, publishes, and sets
 * the outputs. This is the one place that fails the step: a failed gate (when fail-on-gate) or
 * an error, each with the line that explains it.
 */
import * as core from '@actions/core';
import { reportFromWorkflowRun } from './action/fork-comment.js';
import { nightlyFromAction } from './action/nightly.js';
import { evaluateCommits } from './action/pr.js';
import { actionProgress } from './action/progress.js';
import { failedGateLines } from './action/run-report.js';
import { readActionContext } from './config/action.js';
import { UserError } from './errors.js';
import { publishRun, postComment, writeNightlyReport } from './publish/action.js';
import { actionsArtifactStore } from './publish/artifact.js';
import { createGitHub } from './publish/github.js';

export async function run(): Promise<void> {
  const progress = actionProgress();
  let failure: string | null = null;
  try {
    const ctx = readActionContext();
    const gh = createGitHub({ token: ctx.token, baseUrl: ctx.apiUrl, log: progress });
    if (ctx.mode === 'comment') {
      const report = await reportFromWorkflowRun(ctx, gh, progress);
      const url = await postComment(gh, ctx, (report.pullRequest as { number: number }).number, report, progress);
      core.setOutput('verdict', report.verdict);
      core.setOutput('comment-url', url);
    } else if (ctx.mode === 'nightly') {
      const outcome = await nightlyFromAction(ctx, gh, progress);
      await core.summary.addRaw(outcome.markdown, true).write();
      core.setOutput('verdict', outcome.report.verdict);
      core.setOutput('report-path', await writeNightlyReport(ctx, outcome.report));
      if (outcome.fail) failure = outcome.report.findings.map((f) => `model-gate nightly: ${f.message}`).join('\n');
    } else {
      const { report, pages } = await evaluateCommits(ctx, gh, progress);
      const published = await publishRun(ctx, gh, actionsArtifactStore(progress), report, pages, progress);
      core.setOutput('verdict', report.verdict);
      core.setOutput('report-path', published.reportPath ?? '');
      core.setOutput('comment-url', published.commentUrl ?? '');
      if (report.verdict === 'fail' && ctx.failOnGate) failure = failedGateLines(report).join('\n');
    }
  } catch (error) {
    failure = error instanceof UserError ? `model-gate: ${error.message}` : `model-gate: internal error: ${(error as Error).stack ?? String(error)}`;
  }
  if (failure !== null) core.setFailed(failure);
}
