/**
 * One job of a sharded PR gate (an Actions matrix): the same plan as the plain gate (pr.ts), then
 * only shard i of n of the eval set, written as a shard record for the merge job (mode: merge),
 * which posts the one comment. A PR that changes no gated model writes no record.
 */
import { join } from 'node:path';
import type { ActionContext } from '../config/action.js';
import { shardRun } from '../engine.js';
import { writeShardRecord } from '../engine/shard-files.js';
import { createGit } from '../git/index.js';
import type { Progress } from '../progress.js';
import type { GitHub } from '../publish/github.js';
import { planRun, remoteCacheFor } from './pr.js';
import { refuseUntrustedCheckout } from './run-setup.js';

export interface ShardOutcome {
  /** The record's path, or null when the PR changes no gated model. */
  readonly path: string | null;
  readonly line: string;
}

export async function evaluateShard(ctx: ActionContext, gh: GitHub, progress: Progress): Promise<ShardOutcome> {
  const git = createGit(ctx.workspace, ctx.runnerEnv);
  await refuseUntrustedCheckout(ctx, git);
  const { config, pairs } = await planRun(ctx, gh, git, progress);
  const shard = `${config.shard?.index}/${config.shard?.count}`;
  if (pairs.length === 0) return { path: null, line: `model-gate: shard ${shard}: no model listed in \`${ctx.configPath}\` changed; nothing to evaluate.` };
  for (const { name, refs } of pairs) progress.info(`shard ${shard} of ${name}: ${refs.baseline.label} → ${refs.candidate.label}`);
  const record = await shardRun(
    config,
    pairs.map(({ refs }) => ({ refs })),
    progress,
    { remoteCache: remoteCacheFor(ctx, progress) },
  );
  const path = join(ctx.runnerTemp, 'model-gate', 'shard', `shard-${config.shard?.index}-of-${config.shard?.count}.json.gz`);
  await writeShardRecord(path, record);
  const latency = record.latencyMeasured ? ', and latency' : '';
  return {
    path,
    line: `model-gate: shard ${shard}: ${record.sampleIds.length.toLocaleString('en-US')} of ${record.evalSet.samples.toLocaleString('en-US')} samples${latency}, for ${pairs.map((p) => p.name).join(', ')}; upload \`${path}\` for the merge job.`,
  };
}
