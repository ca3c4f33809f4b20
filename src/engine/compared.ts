/** What one comparison of the engine takes and gives, whatever the two sides are (ONNX models or result sets). */
import type { ModelRef, ResultsRef } from '../config/types.js';
import type { HistoryChart } from '../contracts/history.js';
import type { AnyReport } from '../contracts/report.js';

export interface CompareResult {
  /** ONNX models' report, or task: results' (its two sides are result sets). */
  readonly report: AnyReport;
  readonly markdown: string;
  /**
   * Renders the self-contained HTML report (with the gallery of flipped samples, for the tasks
   * that have one). A function, because the gallery decodes its thumbnails again from the files:
   * a run that writes no HTML (`compare` without --html) spends nothing on it.
   */
  readonly html: () => Promise<string>;
}

export interface CompareOptions {
  /** Title after "model-gate ·" in the Markdown (the model's name in the Action). */
  readonly title?: string;
  readonly marker?: string;
  /** Nightly history charts for the HTML report, when the repository keeps a history. */
  readonly history?: readonly HistoryChart[];
}

/**
 * One side of a comparison: an .onnx file (ModelRef) or, for task: results, a result file or
 * folder (ResultsRef). Both are { role, path, label }; only a model has an int8 file.
 */
export type SideRef = ModelRef | ResultsRef;

export interface PairToCompare<Ref extends SideRef = SideRef> {
  readonly refs: { readonly baseline: Ref; readonly candidate: Ref };
  readonly options?: CompareOptions;
}
