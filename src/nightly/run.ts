/**
 * The nightly run (CLI `model-gate nightly` and the Action's `mode: nightly`): every configured
 * model, and its int8 variant, on the pinned eval set; one history record per model; drift and
 * latency findings against the history, a latency alert confirmed by a second benchmark.
 */
import type { Config, ModelRef } from '../config/types.js';
import type { HistoryRecord } from '../contracts/history.js';
import { prepareEval, type EvalContext } from '../engine/context.js';
import { openEvaluation, type EvaluatedModel } from '../engine/evaluate.js';
import type { EvalSetCache } from '../evalset/actions-cache.js';
import { accuracyDrift, latencyRegression, type Finding } from '../history/drift.js';
import type { HistoryStore } from '../history/store.js';
import { summarizeLatency } from '../metrics/index.js';
import type { Progress } from '../progress.js';
import { taskFor } from '../tasks/index.js';
import { refuseResultsNightly } from './models.js';

export interface NightlyModel {
  readonly name: string;
  readonly ref: ModelRef;
  /** Repo-relative path, as the history records it. */
  readonly path: string;
}

export interface NightlyFacts {
  readonly commit: string;
  readonly runner: { readonly cpu: string; readonly gpu: string | null };
  readonly timestamp: string;
}

export interface NightlyReport {
  readonly schemaVersion: 1;
  readonly kind: 'model-gate-nightly';
  readonly verdict: 'pass' | 'fail';
  readonly records: readonly HistoryRecord[];
  readonly findings: readonly Finding[];
  /** The history as it was before tonight's records, for charts. */
  readonly history: readonly HistoryRecord[];
}

function primaryMetrics(metrics: unknown): { top1: number; top5: number | null } {
  const m = metrics as { top1?: number; top5?: number | null };
  if (typeof m.top1 !== 'number') throw new Error('nightly history records classification metrics (top1, top5)');
  return { top1: m.top1, top5: m.top5 ?? null };
}

function recordOf(config: Config, ctx: EvalContext, model: NightlyModel, evaluated: EvaluatedModel, facts: NightlyFacts): HistoryRecord {
  const task = taskFor(config.task);
  const { fp32, int8 } = evaluated;
  const latency = summarizeLatency(fp32.latencyMs[1]);
  const int8Metrics = int8?.result ? primaryMetrics(task.score(int8.result.predictions, ctx.samples, config)) : null;
  return {
    timestamp: facts.timestamp,
    commit: facts.commit,
    model: { name: model.name, path: model.path, sha256: fp32.file.sha256 },
    evalSha256: ctx.evalSet.sha256,
    executionProvider: fp32.provider,
    runner: facts.runner,
    metrics: primaryMetrics(task.score(fp32.predictions, ctx.samples, config)),
    latency: { batch1: { p50Ms: latency.p50Ms, p90Ms: latency.p90Ms } },
    ...(int8Metrics ? { quantized: { metrics: { top1: int8Metrics.top1 } } } : {}),
  };
}

/** The log line before a latency rerun: the finding (it names the model already) and what happens next. */
export function rerunWarning(finding: Pick<Finding, 'message'>): string {
  return `${finding.message.replace(/\.$/, '')}; measuring once more to confirm.`;
}

export async function runNightly(
  config: Config,
  models: readonly NightlyModel[],
  store: HistoryStore,
  facts: NightlyFacts,
  progress: Progress,
  options: { remoteCache?: EvalSetCache } = {},
): Promise<NightlyReport> {
  refuseResultsNightly(config);
  const ctx = await prepareEval(config, progress, options.remoteCache ? { remoteCache: options.remoteCache } : {});
  const history = await store.read();
  const records: HistoryRecord[] = [];
  const findings: Finding[] = [];
  const open = await openEvaluation(
    config,
    ctx,
    models.map((m) => m.ref),
    progress,
    { latencyGroups: models.map((_, i) => [i]) },
  );
  try {
    for (const [i, model] of models.entries()) {
      progress.info(`nightly: ${model.name} (${model.path})`);
      let record = recordOf(config, ctx, model, open.evaluation.models[i], facts);
      findings.push(...accuracyDrift(history, record));
      const first = latencyRegression(history, record, { threshold: config.nightly.latencyThreshold });
      if (first.finding) {
        progress.warn(rerunWarning(first.finding));
        const rerun = summarizeLatency((await open.remeasure(i)).get(i)?.[1] ?? []);
        const confirmed = latencyRegression(history, { ...record, latency: { batch1: { p50Ms: rerun.p50Ms, p90Ms: rerun.p90Ms } } }, { threshold: config.nightly.latencyThreshold });
        if (confirmed.finding) {
          findings.push({ ...confirmed.finding, message: `${confirmed.finding.message} (confirmed by a second benchmark)` });
          // The slower of the two is stored, so a real regression stays visible in the history.
          record = rerun.p50Ms > record.latency.batch1.p50Ms ? { ...record, latency: { batch1: { p50Ms: rerun.p50Ms, p90Ms: rerun.p90Ms } } } : record;
        } else {
          progress.info(`${model.name}: the second benchmark did not confirm the latency change; not reported`);
        }
      }
      records.push(record);
    }
  } finally {
    await open.close();
  }
  await store.append(records);
  return { schemaVersion: 1, kind: 'model-gate-nightly', verdict: findings.length > 0 ? 'fail' : 'pass', records, findings, history };
}
