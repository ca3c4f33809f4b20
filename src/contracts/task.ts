/**
 * The task interfaces, what a task (tasks/<name>/) implements so the engine can run it without
 * branching on its name. Classification and detection run ONNX models (Task); results compares
 * result files (ReportingTask only). The engine runs decode, batching, latency, gates and
 * publishing, and report/ renders a report through the ReportingTask part.
 */
import type { Config, DecodeSpec } from '../config/types.js';
import type { Progress } from '../progress.js';
import type { Gallery } from './gallery.js';
import type { GateResult, SampleRecord } from './report.js';
import type { ImageGeometry, OutputTensor, TensorSignature } from './tensors.js';

/** One eval image with its ground truth. `id` is its path inside the eval set, posix-style. */
export interface EvalSample<Label> {
  readonly id: string;
  readonly file: string;
  readonly label: Label;
}

export interface BatchContext {
  /** Index of the batch's first sample in the eval set. */
  readonly start: number;
  /** Per sample of the batch: how it was resized, padded or cropped into the model input. */
  readonly geometry: readonly ImageGeometry[];
  /** [height, width] of the model input. */
  readonly inputSize: readonly [number, number];
  /** The batch's samples (labels carry what decoding may need, e.g. detection's category map). */
  readonly samples?: readonly EvalSample<unknown>[];
}

/** A block of Markdown the report places under the main tables; `detail` blocks go first when the comment is too long. */
export interface ReportSection {
  readonly title: string;
  /** What the PR comment shows. */
  readonly markdown: string;
  readonly detail: boolean;
  /** What the HTML report shows instead, when it has room for more (e.g. the flipped files' names). */
  readonly full?: string;
  /** Not in the PR comment at all, only in the HTML report. */
  readonly htmlOnly?: boolean;
  /**
   * Figures for the HTML report, after the section's text: HTML made by a report/ renderer from
   * the report's numbers (every string in it escaped), e.g. the confusion heatmaps.
   */
  readonly figures?: string;
}

/** Accuracy rows for the main table: [metric, baseline, candidate, change]. */
export type TableRow = readonly [string, string, string, string];

/**
 * What the report needs from a task to judge and word a paired comparison (pure, from the
 * comparison alone, so a report can be re-rendered from its JSON). Every task has these; the
 * ONNX tasks (Task below) add how to read an eval set and decode model outputs, while
 * task: results gets its per-sample outcomes from result files (src/tasks/results).
 */
export interface ReportingTask<ModelMetrics, Comparison> {
  readonly name: Config['task'];
  /** The task's main figure, for int8 drops and charts: its JSON key suffix (dropTop1) and label. */
  readonly primary: {
    readonly key: string;
    readonly label: string;
    value(metrics: ModelMetrics): number;
    /** How the figure and a change of it read in a report: "87.11%" and "+3.57 pt", or "34.04" and "+5.41 AP". */
    show(value: number): string;
    /** unit false leaves the unit off, for the bounds of an interval ("+1.20 to +3.40 AP"). */
    showChange(delta: number, unit?: boolean): string;
    /** The unit of a change in points: 'pt' (accuracy) or 'AP'. */
    readonly unit: string;
    /** The gate on each model's fp32 → int8 drop of the figure: its name and the configured limit in points (null: no gate). */
    readonly int8Gate: { readonly name: string; limit(config: Config): number | null };
  };
  /** A paired comparison reduced to what the quantization table needs, with the task's own test named as in JSON. */
  pairedSummary(comparison: Comparison): {
    delta: number;
    /** The paired 95% CI of delta (the same resamples or interval the task's test uses). */
    ci: readonly [number, number] | null;
    errorReduction: number | null;
    pValue: number | null;
    test: Record<string, unknown>;
  };
  /** The task's gates, judged on the comparison. */
  gates(comparison: Comparison, config: Config): GateResult[];
  /** Plain-words accuracy half of the verdict line, e.g. "the candidate fixes 27.7% of baseline errors (...)". */
  headline(comparison: Comparison): { text: string; tone: 'gain' | 'loss' | 'noise' | 'same' };
  /** Main-table rows and the task's detail sections. */
  tableRows(baseline: ModelMetrics, candidate: ModelMetrics, comparison: Comparison): TableRow[];
  sections(baseline: ModelMetrics, candidate: ModelMetrics, comparison: Comparison): ReportSection[];
  /**
   * Warnings a reader must see before the tables, in plain words (Markdown), e.g. classes that
   * look swapped because one is almost always predicted as another. Absent or empty: none.
   */
  notices?(baseline: ModelMetrics, candidate: ModelMetrics, comparison: Comparison): string[];
}

export interface Task<Label, Prediction, ModelMetrics, Comparison> extends ReportingTask<ModelMetrics, Comparison> {
  /**
   * The class names the task scores output k as, in output order, and where they come from (for
   * messages), so they can be checked against the names a model's metadata carries. Absent: config.classes.
   */
  classNames?(config: Config, samples?: readonly EvalSample<Label>[]): { readonly names: readonly string[]; readonly from: string };
  /** Reads the eval set's samples and labels in a stable order; problems that don't stop the run go to progress.warn. */
  readSamples(root: string, config: Config, progress?: Progress): Promise<EvalSample<Label>[]>;
  /**
   * Throws a UserError naming the model file when its outputs can't be read by this task. May
   * return a one-line note for the user (e.g. which output layout was inferred).
   */
  checkOutputs(outputs: readonly TensorSignature[], modelLabel: string, config: Config, samples?: readonly EvalSample<Label>[]): string | null | void;
  /**
   * Other preprocessings to evaluate the same fp32 models on, side by side with the run's own
   * (detection: letterbox vs rect). The engine reports the primary figure, p50 latency and input
   * area of each in comparison.preprocessing. Absent or empty: none.
   */
  preprocessVariants?(config: Config): readonly { readonly name: string; readonly preprocess: DecodeSpec }[];
  /**
   * Turns one batch of model outputs into one prediction per sample. `batch` says where each
   * sample sits in the model's input (detection maps boxes back to the original image with it).
   */
  decodeOutputs(outputs: Readonly<Record<string, OutputTensor>>, count: number, config: Config, batch: BatchContext): Prediction[];
  /**
   * Each sample's outcome in model-gate's per-sample format (report.json models.<role>.samples,
   * written with --samples), so a report can be gated again as task: results (format: model-gate).
   * Only for tasks whose figure is the mean of a per-sample outcome (classification: right/wrong
   * at top-1); detection has none, since AP ranks detections across the whole set.
   */
  sampleRecords?(predictions: readonly Prediction[], samples: readonly EvalSample<Label>[], config: Config): SampleRecord[];
  /** Per-model metrics (pure). */
  score(predictions: readonly Prediction[], samples: readonly EvalSample<Label>[], config: Config): ModelMetrics;
  /** Paired comparison of the two models on the same samples (pure). */
  compare(baseline: readonly Prediction[], candidate: readonly Prediction[], samples: readonly EvalSample<Label>[], config: Config): Comparison;
  /**
   * The HTML report's gallery of samples the candidate newly gets wrong and fixed, when the task
   * has one. `thumbnail` turns an image file into a data: URL.
   */
  gallery?(
    comparison: Comparison,
    samples: readonly EvalSample<Label>[],
    baseline: readonly Prediction[],
    candidate: readonly Prediction[],
    config: Config,
    thumbnail: (file: string) => Promise<string>,
  ): Promise<Gallery>;
}
