/**
 * Assembles the versioned report (pure): per-model facts, metrics and latency statistics, the
 * comparison, every gate, the verdict and the one-line headline. The engine hands in what the
 * stages measured; nothing here runs a model or touches a file.
 */
import type { Config } from '../config/types.js';
import type { GateResult, LatencyComparison, LatencyStats, ModelReport, Report } from '../contracts/report.js';
import type { Task } from '../contracts/task.js';
import { bootstrapRatioCi, summarizeLatency } from '../metrics/index.js';
import { noiseFloor, roundsRatio } from '../metrics/latency-rounds.js';
import type { ModelFile } from '../models/index.js';
import { judgeModelMetadata } from '../models/metadata-check.js';
import { ratio, signed } from './format.js';
import { int8DropGates, quantizedComparison, quantizedModelReport, type QuantizedRun } from './quantization.js';
import { verdictLine } from './verdict.js';

export interface MeasuredModel<Prediction> {
  readonly file: ModelFile;
  readonly executionProvider: string;
  readonly predictions: readonly Prediction[];
  /** Raw per-run latencies in ms, keyed by batch size. */
  readonly latencyMs: Readonly<Record<number, readonly number[]>>;
  /** The same runs by round ([batch][round] → runs), when the benchmark ran in rounds. */
  readonly latencyRounds?: Readonly<Record<number, readonly (readonly number[])[]>>;
}

export interface ReportInputs<Prediction> {
  /** The int8 runs of [baseline, candidate], when quantization is configured. */
  readonly quantized?: readonly [QuantizedRun<Prediction> | null, QuantizedRun<Prediction> | null];
  readonly config: Config;
  readonly version: string;
  readonly generatedAt: string;
  readonly evalSet: Report['evalSet'];
  readonly environment: Report['environment'];
  readonly preprocess: Record<string, unknown>;
  readonly baseline: MeasuredModel<Prediction>;
  readonly candidate: MeasuredModel<Prediction>;
  /** The A/A control arm: the baseline timed again on other sessions at batch 1, by round. */
  readonly latencyControl?: readonly (readonly number[])[] | null;
}

/** The report's view of a model's metadata (the exporter's keys it read). */
function metadataFacts(m: ReturnType<typeof judgeModelMetadata>['metadata']): NonNullable<ModelReport<unknown>['metadata']> {
  return { source: m.source as 'ultralytics' | 'huggingface', names: m.names, imgsz: m.imgsz, stride: m.stride, task: m.task };
}

export function latencyStats(samples: Readonly<Record<number, readonly number[]>>): Record<string, LatencyStats> {
  const out: Record<string, LatencyStats> = {};
  for (const [batch, runs] of Object.entries(samples)) out[`batch${batch}`] = { batch: Number(batch), ...summarizeLatency(runs, Number(batch)) };
  return out;
}

/**
 * The batch-1 p50 ratio. Measured in rounds (the engine's benchmark): the trimmed mean of the
 * per-round ratios with its CI from the spread between rounds, and the A/A control's noise floor.
 * From a plain list of runs (per-sample latencies of task: results): the ratio of medians with a
 * bootstrap CI over the runs.
 */
export function compareLatency(
  baseline: readonly number[] | undefined,
  candidate: readonly number[] | undefined,
  rounds?: { readonly baseline?: readonly (readonly number[])[]; readonly candidate?: readonly (readonly number[])[]; readonly control?: readonly (readonly number[])[] | null },
): LatencyComparison {
  if (rounds?.baseline && rounds.candidate && rounds.baseline.length >= 2 && rounds.baseline.length === rounds.candidate.length) {
    const measured = roundsRatio(rounds.baseline, rounds.candidate);
    const control = rounds.control && rounds.control.length === rounds.baseline.length ? roundsRatio(rounds.baseline, rounds.control) : null;
    return {
      latencyRatioP50: measured.ratio,
      latencyRatioP50Ci95: measured.ci,
      latencyRounds: { rounds: measured.rounds, perRound: measured.perRound, control: control ? { ratio: control.ratio, ci95: control.ci, perRound: control.perRound } : null },
      latencyNoiseFloor: control ? noiseFloor(control) : null,
    };
  }
  if (!baseline?.length || !candidate?.length) return { latencyRatioP50: null, latencyRatioP50Ci95: null };
  const { ratio: value, ci } = bootstrapRatioCi(baseline, candidate);
  return { latencyRatioP50: value, latencyRatioP50Ci95: ci };
}

/**
 * Judged on the CI's lower bound, so noise alone never fails a PR. When the A/A control says this
 * runner can't resolve a change as small as the limit right now, the gate is neither passed nor
 * failed but "not measurable": it does not fail the run, and it says what would help.
 */
export function latencyGate(latency: LatencyComparison, maxRegressionPercent: number): GateResult {
  if (latency.latencyRatioP50 === null || latency.latencyRatioP50Ci95 === null) {
    return { name: 'max-latency-regression', limit: maxRegressionPercent, value: null, passed: true, line: 'latency not measured', summary: 'p50 latency not measured' };
  }
  const lowerPercent = (latency.latencyRatioP50Ci95[0] - 1) * 100;
  const floor = latency.latencyNoiseFloor;
  if (typeof floor === 'number' && floor * 100 > maxRegressionPercent) {
    return {
      name: 'max-latency-regression',
      limit: maxRegressionPercent,
      value: lowerPercent,
      passed: true,
      outcome: 'not-measurable',
      summary: `p50 latency not measurable (this runner resolves only ±${(floor * 100).toFixed(1)}% right now, the limit is ${maxRegressionPercent}%)`,
      line:
        `not measurable on this runner at this precision: the A/A control resolves only changes of ±${(floor * 100).toFixed(1)}% right now, ` +
        `more than the ${maxRegressionPercent}% limit (measured ${ratio(latency.latencyRatioP50)}; try more latency.rounds, pinned threads or a quieter runner)`,
    };
  }
  const passed = lowerPercent <= maxRegressionPercent;
  return {
    name: 'max-latency-regression',
    limit: maxRegressionPercent,
    value: lowerPercent,
    passed,
    outcome: passed ? 'pass' : 'fail',
    summary: `p50 latency ${ratio(latency.latencyRatioP50)}, at least ${signed(lowerPercent, 1)}% (limit +${maxRegressionPercent}%)`,
    line: `p50 latency ${ratio(latency.latencyRatioP50)} at batch 1; 95% CI lower bound ${signed(lowerPercent, 1)}% (at most +${maxRegressionPercent}% allowed)`,
  };
}

export function buildReport<Label, Prediction, Metrics, Comparison>(
  task: Task<Label, Prediction, Metrics, Comparison>,
  samples: Parameters<Task<Label, Prediction, Metrics, Comparison>['score']>[1],
  inputs: ReportInputs<Prediction>,
): Report<Metrics, Comparison> {
  const { config } = inputs;
  // What the models' own metadata says against the config (the engine refused what it must refuse).
  const classes = task.classNames?.(config, samples) ?? { names: config.classes, from: `classes in ${config.configPath ?? 'the config'}` };
  const judged = [inputs.baseline, inputs.candidate].map((m) => judgeModelMetadata(config, m.file, classes));
  const modelReport = (m: MeasuredModel<Prediction>, i: number): ModelReport<Metrics> => ({
    label: m.file.label,
    path: m.file.path,
    sha256: m.file.sha256,
    bytes: m.file.bytes,
    params: m.file.facts.params,
    opset: m.file.facts.opset,
    irVersion: m.file.facts.irVersion,
    producer: m.file.facts.producer,
    inputs: m.file.facts.inputs,
    outputs: m.file.facts.outputs,
    executionProvider: m.executionProvider,
    ...(judged[i].metadata.source ? { metadata: metadataFacts(judged[i].metadata) } : {}),
    metrics: task.score(m.predictions, samples, config),
    latency: latencyStats(m.latencyMs),
    ...(config.output.samples && task.sampleRecords ? { samples: task.sampleRecords(m.predictions, samples, config) } : {}),
  });
  const [qBase, qCand] = inputs.quantized ?? [null, null];
  const withInt8 = (report: ModelReport<Metrics>, fp32: MeasuredModel<Prediction>, run: QuantizedRun<Prediction> | null) =>
    run ? { ...report, quantized: quantizedModelReport(task, samples, config, fp32.predictions, run, { bytes: report.bytes, latency: report.latency }) } : report;
  const baseline = withInt8(modelReport(inputs.baseline, 0), inputs.baseline, qBase);
  const candidate = withInt8(modelReport(inputs.candidate, 1), inputs.candidate, qCand);
  const warnings = [...new Set(judged.flatMap((j) => j.warnings))];
  const taskComparison = task.compare(inputs.baseline.predictions, inputs.candidate.predictions, samples, config);
  const latency = compareLatency(inputs.baseline.latencyMs[1], inputs.candidate.latencyMs[1], {
    baseline: inputs.baseline.latencyRounds?.[1],
    candidate: inputs.candidate.latencyRounds?.[1],
    control: inputs.latencyControl,
  });
  const quantized = qBase && qCand ? { quantized: quantizedComparison(task, samples, config, qBase.predictions, qCand.predictions, task.pairedSummary(taskComparison).delta) } : {};
  const drops = [baseline, candidate].map((m, i) => {
    const drop = m.quantized?.[`drop${task.primary.key}`];
    return { role: i === 0 ? 'baseline' : 'candidate', drop: typeof drop === 'number' ? drop : null };
  });
  const gates = [
    ...task.gates(taskComparison, config),
    latencyGate(latency, config.gates.maxLatencyRegression),
    ...int8DropGates(qBase || qCand ? task.primary.int8Gate.limit(config) : null, task.primary, drops),
  ];
  const comparison = { ...taskComparison, ...latency, ...quantized };
  return {
    schemaVersion: 1,
    tool: { name: 'model-gate', version: inputs.version },
    generatedAt: inputs.generatedAt,
    task: task.name,
    evalSet: inputs.evalSet,
    environment: inputs.environment,
    preprocess: inputs.preprocess,
    models: { baseline, candidate },
    comparison,
    gates,
    verdict: gates.every((g) => g.passed) ? 'pass' : 'fail',
    headline: verdictLine(task, comparison, gates),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
