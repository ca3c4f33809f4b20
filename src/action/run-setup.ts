/**
 * What a PR-mode run settles before it compares anything: that it may run here, which two
 * commits it compares, and which config judges; and how its RunReport is put together. Shared by
 * the models[] flow (pr.ts) and the result sets of the workspace (result-inputs.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext } from '../config/action.js';
import { changedConfigKeys } from '../config/diff.js';
import { parseConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { AnyReport } from '../contracts/report.js';
import type { RunComparison, RunReport } from '../contracts/run.js';
import { UserError } from '../errors.js';
import type { Git } from '../git/index.js';
import { readFileAtCommit } from '../models/git.js';
import type { Progress } from '../progress.js';

export const short = (sha: string) => sha.slice(0, 7);

/**
 * pull_request_target runs with a write token and secrets. Loading the PR's own weights there
 * hands untrusted files (and, through external data, paths) to a native parser in that context.
 */
export async function refuseUntrustedCheckout(ctx: ActionContext, git: Git): Promise<void> {
  if (ctx.eventName !== 'pull_request_target' || !ctx.pullRequest) return;
  const heads = await Promise.all(
    ['HEAD', 'HEAD^2'].map((rev) =>
      git.run(['rev-parse', '--verify', '--quiet', rev]).then(
        (r) => r.stdout.toString().trim(),
        () => '',
      ),
    ),
  );
  if (heads.includes(ctx.pullRequest.headSha)) {
    throw new UserError(
      "refusing to run under pull_request_target with the PR head checked out: that event has a write token and secrets, and the PR's model files are untrusted input. " +
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

export async function commitsToCompare(ctx: ActionContext, git: Git): Promise<{ baseSha: string; headSha: string }> {
  const baseSha = ctx.baselineRef ? await resolveRev(git, ctx.baselineRef, 'baseline-ref') : ctx.pullRequest?.baseSha;
  const headSha = ctx.candidateRef ? await resolveRev(git, ctx.candidateRef, 'candidate-ref') : ctx.pullRequest?.headSha;
  if (!baseSha || !headSha) {
    throw new UserError(`event ${ctx.eventName} is not a pull request: set the baseline-ref and candidate-ref inputs to compare two commits`);
  }
  return { baseSha, headSha };
}

export interface TrustedConfig {
  readonly config: Config;
  readonly source: RunReport['configSource'];
  readonly changedKeys: string[];
}

const configEnvironment = (ctx: ActionContext) => ({ cwd: ctx.workspace, env: ctx.configEnv, stderrIsTTY: false });

/** On a PR, the base commit's config judges; the PR's own edits to it apply once merged. */
export async function trustedConfig(ctx: ActionContext, git: Git, baseSha: string, progress: Progress): Promise<TrustedConfig> {
  const workspaceFile = join(ctx.workspace, ctx.configPath);
  const headText = await readFile(workspaceFile, 'utf8').catch(() => null);
  const baseText = (await readFileAtCommit(git, baseSha, ctx.configPath))?.toString('utf8') ?? null;
  // A matrix job's shard applies to whichever config judges.
  const overrides = { executionProvider: ctx.executionProvider, shard: ctx.shard ?? undefined };
  const configDir = join(ctx.workspace, ctx.configPath, '..');
  if (baseText !== null) {
    const config = parseConfig(baseText, `${ctx.configPath}@${short(baseSha)}`, configDir, overrides, configEnvironment(ctx));
    return { config, source: 'base', changedKeys: changedConfigKeys(baseText, headText) };
  }
  if (headText === null) throw new UserError(`${ctx.configPath}: no model-gate config at the base commit ${short(baseSha)} or in the workspace (input config)`);
  progress.warn(`${ctx.configPath} does not exist at the base commit ${short(baseSha)}; this PR's own config is used.`);
  const own = parseConfig(headText, workspaceFile, configDir, overrides, configEnvironment(ctx));
  // Which private hosts downloads may reach is the base branch's to say, never a PR's.
  if ((own.allowedHosts ?? []).length > 0) progress.warn(`${ctx.configPath}: allowed-hosts is ignored in this PR's own config; it applies once the config is on the base branch.`);
  return { config: Object.freeze({ ...own, allowedHosts: [] }), source: 'head', changedKeys: [] };
}

/** Outside a PR (a schedule, a push) there is no base commit: the workspace's config is the one that judges. */
export async function workspaceConfig(ctx: ActionContext): Promise<TrustedConfig> {
  const file = join(ctx.workspace, ctx.configPath);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UserError(`${ctx.configPath}: not found in the workspace (input config)`);
  });
  return { config: parseConfig(text, file, join(file, '..'), { executionProvider: ctx.executionProvider }, configEnvironment(ctx)), source: 'workspace', changedKeys: [] };
}

/** The run's report plus one self-contained HTML page per comparison (for the artifact). */
export interface EvaluatedRun {
  readonly report: RunReport;
  readonly pages: readonly { readonly name: string; readonly html: string }[];
}

export type RunFacts = Omit<RunReport, 'verdict' | 'comparisons' | 'notes'>;

export function runFacts(ctx: ActionContext, trusted: TrustedConfig, pullRequest: RunReport['pullRequest']): RunFacts {
  return { schemaVersion: 1, kind: 'model-gate-run', configPath: ctx.configPath, configSource: trusted.source, configChangedKeys: trusted.changedKeys, pullRequest };
}

/**
 * The run's report.json leaves out per-sample records (task: results' samples): the comment does
 * not read them, and a few large result sets would pass the 10 MB the comment workflow accepts
 * (action/fork-comment.ts). The CLI's --json keeps them.
 */
function withoutSamples(report: AnyReport): AnyReport {
  const strip = <M extends { samples?: unknown }>(side: M): M => {
    const { samples: _samples, ...rest } = side;
    return rest as M;
  };
  return { ...report, models: { baseline: strip(report.models.baseline), candidate: strip(report.models.candidate) } };
}

/** The verdict of the run: fail if any comparison failed, skipped if nothing was compared. */
export function finishRun(facts: RunFacts, comparisons: readonly RunComparison[], notes: readonly string[], pages: EvaluatedRun['pages']): EvaluatedRun {
  const failed = comparisons.some((c) => c.report.verdict === 'fail');
  const kept = comparisons.map((c) => ({ ...c, report: withoutSamples(c.report) }));
  return { report: { ...facts, verdict: failed ? 'fail' : comparisons.length > 0 ? 'pass' : 'skipped', comparisons: kept, notes }, pages };
}
