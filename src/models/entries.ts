/**
 * What a models[] entry names, keyed on `config.results` (src/config sets it for task: results
 * only): an ONNX model, a file or a manifest key (sources.ts), or a result set, a file or a
 * folder (result-files.ts). The Action and the nightly run read every entry through this and
 * never ask which kind it is.
 */
import type { Config, ModelEntry } from '../config/types.js';
import { isResultSetChange, materializeResultSet } from './result-files.js';
import { isRelevantChange, materializeModel, type MaterializedModel, type ModelDownloader, type ModelSide } from './sources.js';

export interface EntrySource {
  /** Whether these changed files (repo-relative) can change what the entry names. */
  isRelevant(entry: ModelEntry, changedFiles: readonly string[]): boolean;
  /** The entry's bytes at one commit, under workDir; null when it does not exist there. */
  materialize(entry: ModelEntry, side: ModelSide, workDir: string, download: ModelDownloader): Promise<MaterializedModel | null>;
}

const MODELS: EntrySource = { isRelevant: isRelevantChange, materialize: materializeModel };
const RESULT_SETS: EntrySource = { isRelevant: isResultSetChange, materialize: (entry, side, workDir) => materializeResultSet(entry, side, workDir) };

export function entrySourceFor(config: Pick<Config, 'results'>): EntrySource {
  return config.results ? RESULT_SETS : MODELS;
}
