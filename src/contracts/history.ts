/** The nightly history as the stages share it: one record per model and night (history/ stores and judges them), and the HTML report's trend charts. */

export interface HistoryRecord {
  /** ISO 8601, UTC. */
  readonly timestamp: string;
  /** The commit of the default branch that was evaluated. */
  readonly commit: string;
  readonly model: { readonly name: string; readonly path: string; readonly sha256: string };
  /** sha256 of the eval set; null for a folder eval set with no pinned sha (then accuracy drift can't be judged). */
  readonly evalSha256: string | null;
  readonly executionProvider: string;
  readonly runner: { readonly cpu: string; readonly gpu: string | null };
  /** Fractions (0..1), as in the report JSON; top5 is null when the model has 5 classes or fewer. */
  readonly metrics: { readonly top1: number; readonly top5: number | null };
  readonly latency: { readonly batch1: { readonly p50Ms: number; readonly p90Ms: number } };
  /** The int8 variant, when quantization is configured. */
  readonly quantized?: { readonly metrics: { readonly top1: number } };
}

export interface HistorySeries {
  readonly name: string;
  readonly values: readonly number[];
}

export interface HistoryChart {
  /** e.g. "top-1" or "p50 latency, batch 1"; shown above the chart. */
  readonly title?: string;
  /** Appended to tick labels and tooltips, e.g. "ms" or "%". */
  readonly unit?: string;
  readonly timestamps: readonly string[];
  readonly series: readonly HistorySeries[];
}
