/**
 * task: results: gate on per-sample results someone else produced (lm-evaluation-harness,
 * your own JSONL/CSV, an earlier model-gate report). No model runs: readResultSet reads each
 * side, alignResults pairs them, buildResultsReport (./report.ts) computes and judges, and the
 * report renders with the same renderMarkdown as the ONNX tasks, through this ReportingTask.
 */
export { resultsTask } from './reporting.js';
export { alignResults, type AlignedResults, type AlignOptions, type ResultSample } from './align.js';
export { compareResults, resultsMetrics, type ResultsComparison, type ResultsMetrics } from './metrics.js';
export { readResultSet } from './read.js';
export { buildResultsReport, readOptionsFor, type ResultsReport, type ResultsReportInputs } from './report.js';
export type { ResultRecord, ResultSet } from './types.js';
