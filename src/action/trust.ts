/**
 * mode: pr (and its shards and merge job) compares the PR's head with its base, so it always reads the PR's model files (and
 * manifests, and through them URLs) and hands them to onnxruntime, a native parser of untrusted
 * bytes. That is safe only where the token is as weak as the PR's author: `pull_request`, which
 * gives a fork a read-only token and no secrets. The events below carry a write token and the
 * repository's secrets whatever is checked out, and evaluate a PR's content all the same (the
 * head is fetched by its sha), so they are refused before anything is fetched or run.
 * A fork's PR is gated in two stages instead: pull_request (mode: pr) writes the report artifact,
 * and a workflow_run workflow (mode: comment) posts it, re-rendered from its data.
 */
import type { ActionContext } from '../config/action.js';
import { UserError } from '../errors.js';

const TWO_STAGES =
  "Run the gate on pull_request (a fork's PR gets a read-only token there, and model-gate writes the report artifact) and post the comment from a workflow_run workflow with mode: comment; see examples/workflows/.";

/** Why this run would evaluate untrusted PR content with a privileged token, or null. */
export function privilegedUntrustedRun(ctx: ActionContext): string | null {
  if (ctx.eventName === 'pull_request_target') {
    return "pull_request_target runs with a write token and the secrets, and the PR's model files are untrusted input to a native parser, whatever is checked out (the head is fetched to compare it)";
  }
  const run = ctx.workflowRun;
  if (ctx.eventName === 'workflow_run' && run && (run.event === 'pull_request' || run.event === 'pull_request_target')) {
    return `workflow_run runs with a write token and the secrets, and the run it follows built a pull request (${run.event}), whose content is untrusted input to a native parser`;
  }
  if (ctx.onPullRequestComment) {
    return `${ctx.eventName} on a pull request runs with a write token and the secrets, and the PR's content is untrusted input to a native parser`;
  }
  return null;
}

export function refusePrivilegedUntrustedRun(ctx: ActionContext): void {
  const why = privilegedUntrustedRun(ctx);
  if (why) throw new UserError(`refusing to run mode: ${ctx.mode} under ${ctx.eventName}: ${why}. ${TWO_STAGES}`);
}
