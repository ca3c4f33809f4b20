/**
 * mode: nightly. Evaluates the models as committed on the default branch, appends tonight's
 * records to the history branch, and opens, updates or closes the tracking issue.
 */
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ActionContext } from '../config/action.js';
import { parseConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { actionsEvalSetCache } from '../evalset/actions-cache.js';
import { createGit } from '../git/index.js';
import { assertHistoryWritable, gitBranchHistory, historyFileFor } from '../history/store.js';
import { gpuName } from '../inference/index.js';
import { headCommit, nightlyModels, refuseResultsNightly, workDirFor } from '../nightly/models.js';
import { renderNightly, TRACKING_LABEL } from '../nightly/render.js';
import { runNightly, type NightlyReport } from '../nightly/run.js';
import type { Progress } from '../progress.js';
import type { GitHub } from '../publish/github.js';
import { runUrl } from '../publish/action.js';
import { syncTrackingIssue, type TrackingResult } from '../publish/tracking-issue.js';
import { markerName } from '../report/run-comment.js';

export interface NightlyOutcome {
  readonly report: NightlyReport;
  readonly markdown: string;
  readonly tracking: TrackingResult;
  /** Findings fail the run unless nightly.fail-on-regression is false. */
  readonly fail: boolean;
}

export async function nightlyFromAction(ctx: ActionContext, gh: GitHub, progress: Progress): Promise<NightlyOutcome> {
  assertHistoryWritable(ctx.eventName);
  const file = join(ctx.workspace, ctx.configPath);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UserError(`${ctx.configPath}: not found in the workspace (input config)`);
  });
  const config = parseConfig(text, file, join(file, '..'), { executionProvider: ctx.executionProvider }, { cwd: ctx.workspace, env: ctx.configEnv, stderrIsTTY: false });
  refuseResultsNightly(config);
  const git = createGit(ctx.workspace, ctx.runnerEnv);
  const sha = ctx.sha || (await headCommit(git));
  const models = await nightlyModels(config, git, sha, workDirFor(ctx.runnerTemp), progress);
  const store = gitBranchHistory({ git, remote: 'origin', branch: config.nightly.historyBranch, file: historyFileFor(ctx.configPath), log: progress });
  const facts = { commit: sha, runner: { cpu: cpus()[0]?.model ?? 'unknown', gpu: gpuName() }, timestamp: new Date().toISOString() };
  // Scheduled runs are trusted: they may save the verified eval set to the Actions cache.
  const report = await runNightly(config, models, store, facts, progress, { remoteCache: actionsEvalSetCache({ allowSave: true, log: progress }) });
  const markdown = renderNightly(report, ctx.configPath);
  const tracking = await syncTrackingIssue(
    gh,
    { owner: ctx.owner, repo: ctx.repo, marker: markerName(ctx.configPath), label: TRACKING_LABEL, mention: config.nightly.mention, runUrl: runUrl(ctx) },
    report.findings.length > 0,
    markdown,
    facts.timestamp.slice(0, 10),
    progress,
  );
  return { report, markdown, tracking, fail: report.findings.length > 0 && config.nightly.failOnRegression };
}
