/**
 * Types of task: results, which compares two sets of per-sample results produced elsewhere (an
 * LLM harness, your own evaluation script, an earlier model-gate run) instead of running models.
 */

import type { ResultFormat } from '../../config/types.js';
import type { ResultFileFacts } from '../../contracts/report.js';

export type { ResultFormat } from '../../config/types.js';
export type { ResultFileFacts, SampleRecord } from '../../contracts/report.js';

/** One sample's result as every reader returns it. */
export interface ResultRecord {
  /** Unique within the set: lm-evaluation-harness records are `<task>/<doc_id>`. */
  readonly id: string;
  /** 0 or 1 for a right/wrong outcome, else the per-sample score. */
  readonly value: number;
  /** The slice columns this record has a value for (only the columns the config asks for). */
  readonly slices: Readonly<Record<string, string>>;
  readonly latencyMs: number | null;
  /** lm-evaluation-harness >= 0.4.3: sha256 of the document, to check both runs scored the same one. */
  readonly docHash: string | null;
  /** "file:line" (or "file: json.path"), for error messages. */
  readonly where: string;
}

export interface ResultSet {
  readonly role: 'baseline' | 'candidate';
  /** What the user wrote (a path, or the config key). */
  readonly label: string;
  /** Absolute path of the file or folder. */
  readonly path: string;
  readonly format: ResultFormat;
  /** The per-sample field compared: acc_norm, exact_match, correct, prediction = label, score… */
  readonly metric: string;
  readonly files: readonly ResultFileFacts[];
  readonly records: readonly ResultRecord[];
}

/** What the readers need from the config (results.*). */
export interface ReadOptions {
  readonly format: ResultFormat | 'auto';
  /** The per-sample field to compare; null = the only one the files have. */
  readonly metric: string | null;
  /** lm-evaluation-harness filter (e.g. strict-match); null = the only one the files have. */
  readonly filter: string | null;
  /** Slice columns to keep from each record (task, doc.<field>, or a column name). */
  readonly columns: readonly string[];
  /** Scores must lie in [0, scoreScale]. */
  readonly scoreScale: number;
}
