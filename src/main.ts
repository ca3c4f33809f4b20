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
import { failedGateLines, verdictAnnotations } from './action/run-report.js';
import { evaluateShard } from './action/shard.js';
import { readActionContext } from './config/action.js';
import { internalErrorLine, UserError } from './errors.js';
import { postComment, publishRun, runUrl, writeReportJson } from './publish/action.js';
import { actionsArtifactStore } from './publish/artifact.js';
import { createGitHub } from './publish/github.js';
import { composeComment } from './report/run-comment.js';
import { reportingTaskFor } from './tasks/index.js';

export async function run(): Promise<void> {
  const progress = actionProgress();
  let failure: string | null = null;
  try {
    const ctx = readActionContext();
    const gh = createGitHub({ token: ctx.token, baseUrl: ctx.apiUrl, log: progress });
    if (ctx.mode === 'comment') {
      const report = await reportFromWorkflowRun(ctx, gh, progress);
      // Rebuilt with our own renderer from the report's data: no text of the untrusted run is posted.
      const body = composeComment(report, reportingTaskFor, runUrl(ctx));
      const url = await postComment(gh, ctx, (report.pullRequest as { number: number }).number, report, body, progress);
      core.setOutput('verdict', report.verdict);
      core.setOutput('comment-url', url);
    } else if (ctx.mode === 'nightly') {
      const outcome = await nightlyFromAction(ctx, gh, progress);
      await core.summary.addRaw(outcome.markdown, true).write();
      core.setOutput('verdict', outcome.report.verdict);
      core.setOutput('report-path', await writeReportJson(ctx, 'nightly.json', { ...outcome.report, history: undefined }));
      if (outcome.fail) failure = outcome.report.findings.map((f) => `model-gate nightly: ${f.message}`).join('\n');
    } else if (ctx.shard) {
      // A matrix job: no verdict yet, no comment; the merge job (mode: merge) gives both.
      const outcome = await evaluateShard(ctx, gh, progress);
      progress.info(outcome.line);
      await core.summary.addRaw(`${outcome.line}\n`, true).write();
      core.setOutput('shard-path', outcome.path ?? '');
    } else {
      // mode: pr, or mode: merge (the same gate from the shards' records).
      const { report, pages } = await evaluateCommits(ctx, gh, progress);
      const compose = (uploadFailure: string | null) => composeComment(report, reportingTaskFor, runUrl(ctx), undefined, uploadFailure);
      const published = await publishRun(ctx, gh, actionsArtifactStore(progress), report, compose, pages, progress);
      core.setOutput('verdict', report.verdict);
      core.setOutput('report-path', published.reportPath ?? '');
      core.setOutput('comment-url', published.commentUrl ?? '');
      for (const { level, message } of verdictAnnotations(report)) (level === 'notice' ? core.notice : core.warning)(message);
      // A failed gate is an error annotation; with fail-on-gate it also fails the step.
      if (report.verdict === 'fail' && ctx.failOnGate) failure = failedGateLines(report).join('\n');
      else if (report.verdict === 'fail') core.error(failedGateLines(report).join('\n'));
    }
  } catch (error) {
    failure = error instanceof UserError ? `model-gate: ${error.message}` : internalErrorLine(error);
  }
  if (failure !== null) core.setFailed(failure);
}
