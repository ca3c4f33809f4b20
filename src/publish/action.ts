/**
 * Where an Action run's result goes: report files, the job summary, the report artifact and the
 * sticky PR comment. It is handed the run and its rendered comment (report/run-comment.ts); the
 * Octokit and the artifact store are passed in.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import type { ActionContext } from '../config/action.js';
import type { RunReport } from '../contracts/run.js';
import type { Progress } from '../progress.js';
import { markerName, skippedSummary } from '../report/run-comment.js';
import { REPORT_ARTIFACT, type ArtifactStore } from './artifact.js';
import { upsertStickyComment } from './comment.js';
import type { GitHub } from './github.js';

export interface Published {
  readonly reportPath: string | null;
  readonly commentUrl: string | null;
}

async function writeRunFiles(ctx: ActionContext, run: RunReport, markdown: string, pages: readonly Page[]): Promise<string[]> {
  const dir = join(ctx.runnerTemp, 'model-gate', 'report');
  await mkdir(dir, { recursive: true });
  const files = [join(dir, 'report.json'), join(dir, 'report.md')];
  await writeFile(files[0], `${JSON.stringify(run, null, 2)}\n`);
  await writeFile(files[1], markdown);
  for (const page of pages) {
    // Model names are checked by the config schema ([A-Za-z0-9._-]), so they are safe file names.
    const file = join(dir, `${page.name}.html`);
    await writeFile(file, page.html);
    files.push(file);
  }
  return files;
}

export interface Page {
  readonly name: string;
  readonly html: string;
}

/** A JSON report next to the run's other files (the nightly run's nightly.json), for the step output report-path. */
export async function writeReportJson(ctx: ActionContext, name: string, report: unknown): Promise<string> {
  const dir = join(ctx.runnerTemp, 'model-gate', 'report');
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** The run page that lists the report artifact: this run, or the fork run a workflow_run event names. */
export function runUrl(ctx: ActionContext): string {
  const id = ctx.mode === 'comment' && ctx.workflowRun ? ctx.workflowRun.id : ctx.runId;
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${id}`;
}

/** Posts or updates the run's sticky comment; `body` is its composed comment (composeComment). */
export async function postComment(gh: GitHub, ctx: ActionContext, issueNumber: number, run: RunReport, body: string, progress: Progress): Promise<string> {
  const result = await upsertStickyComment(gh, { owner: ctx.owner, repo: ctx.repo, issueNumber }, markerName(run.configPath), body, progress);
  progress.info(`comment ${result.action}: ${result.url}`);
  return result.url;
}

/**
 * `compose` gives the run's comment (composeComment): report.md, the job summary and the PR
 * comment. It is asked again with the reason when the artifact upload failed, so the summary and
 * the comment do not link to an artifact that does not exist.
 */
export async function publishRun(
  ctx: ActionContext,
  gh: GitHub,
  artifacts: ArtifactStore,
  run: RunReport,
  compose: (uploadFailure: string | null) => string,
  pages: readonly Page[],
  progress: Progress,
): Promise<Published> {
  if (run.verdict === 'skipped' && run.comparisons.length === 0) {
    await core.summary.addRaw(skippedSummary(run), true).write();
    return { reportPath: null, commentUrl: null };
  }
  const files = await writeRunFiles(ctx, run, compose(null), pages);
  const upload = await artifacts.upload(REPORT_ARTIFACT, files, join(ctx.runnerTemp, 'model-gate', 'report'));
  const markdown = compose(upload.note);
  await core.summary.addRaw(markdown, true).write();

  const pr = ctx.pullRequest;
  let commentUrl: string | null = null;
  if (!ctx.comment || !pr) {
    progress.info('not commenting (comment: false, or not a pull request)');
  } else if (pr.isFork && ctx.eventName === 'pull_request') {
    progress.info(`PR from fork ${pr.headRepo}: this token is read-only, so the report is in artifact ${REPORT_ARTIFACT} for the workflow_run comment workflow (mode: comment)`);
  } else {
    commentUrl = await postComment(gh, ctx, pr.number, run, markdown, progress);
  }
  return { reportPath: files[0], commentUrl };
}
