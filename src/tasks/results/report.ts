/**
 * Assembles the report of a task: results run (pure): the two result sets in place of models,
 * the comparison, the gates and the verdict, in the same Report shape as the ONNX tasks (with
 * ResultSetReport for the two sides), so renderMarkdown, the JSON file and the Action's comment
 * handle it like any other.
 */
import { createHash } from 'node:crypto';
import type { Config, ResultsConfig } from '../../config/types.js';
import { compareLatency, latencyGate, latencyStats } from '../../report/build.js';
import { verdictLine } from '../../report/verdict.js';
import { ratio, signed } from '../../report/format.js';
import type { GateResult, LatencyComparison, Report, ResultSetReport, SampleRecord } from '../../contracts/report.js';
import { resultsTask } from './reporting.js';
import { alignResults, type AlignedResults } from './align.js';
import { compareResults, resultsMetrics, type ResultsComparison, type ResultsMetrics } from './metrics.js';
import type { ReadOptions, ResultSet } from './types.js';

export type ResultsReport = Report<ResultsMetrics, ResultsComparison, ResultSetReport<ResultsMetrics>>;

/** What readResultSet needs from results.*: the slice columns to keep are the ones not derived. */
export function readOptionsFor(results: ResultsConfig): ReadOptions {
  const sources = [...results.slices, ...Object.values(results.derive).map((d) => d.from)];
  return {
    format: results.format,
    metric: results.metric,
    filter: results.filter,
    columns: [...new Set(sources)].filter((c) => results.derive[c] === undefined),
    scoreScale: results.scoreScale,
  };
}

export interface ResultsReportInputs {
  readonly config: Config;
  readonly version: string;
  readonly generatedAt: string;
  /** The machine that computed the statistics; for task: results executionProvider is 'none', onnxruntime 'none', threads 0. */
  readonly environment: Report['environment'];
  readonly baseline: ResultSet;
  readonly candidate: ResultSet;
  /** alignResults(baseline, candidate, …); computed here when not given. */
  readonly aligned?: AlignedResults;
}

/** sha256 over "<sha256>  <name>\n" lines sorted by name: the set's identity, wherever its files are. */
function setDigest(set: ResultSet): string {
  const lines = [...set.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((f) => `${f.sha256}  ${f.name}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

function sampleRecords(aligned: AlignedResults, values: readonly number[], latency: readonly number[] | null): SampleRecord[] {
  return aligned.samples.map((s, i) => ({
    id: s.id,
    ...(aligned.kind === 'binary' ? { correct: values[i] === 1 } : { score: values[i] }),
    ...(Object.keys(s.slices).length > 0 ? { slices: s.slices } : {}),
    ...(latency ? { latencyMs: latency[i] } : {}),
  }));
}

/** The shared latency gate, worded for per-sample latencies (there are no batches here). */
function perSampleLatencyGate(latency: LatencyComparison, maxRegressionPercent: number): GateResult {
  const gate = latencyGate(latency, maxRegressionPercent);
  if (gate.value === null || latency.latencyRatioP50 === null) return gate;
  return {
    ...gate,
    line: `p50 latency per sample ${ratio(latency.latencyRatioP50)}; 95% CI lower bound ${signed(gate.value, 1)}% (at most +${maxRegressionPercent}% allowed)`,
    summary: `p50 latency per sample ${ratio(latency.latencyRatioP50)}, at least ${signed(gate.value, 1)}% (limit +${maxRegressionPercent}%)`,
  };
}

export function buildResultsReport(inputs: ResultsReportInputs): ResultsReport {
  const { config } = inputs;
  const results = config.results;
  if (!results) throw new Error('buildResultsReport needs a task: results config');
  const aligned = inputs.aligned ?? alignResults(inputs.baseline, inputs.candidate, { allowMissing: results.allowMissing, derive: results.derive });
  const metric = inputs.baseline.metric;
  const latencyMs = aligned.latencyMs;
  const side = (set: ResultSet, values: readonly number[], latency: readonly number[] | null): ResultSetReport<ResultsMetrics> => ({
    kind: 'results',
    label: set.label,
    path: set.path,
    sha256: setDigest(set),
    bytes: set.files.reduce((sum, f) => sum + f.bytes, 0),
    format: set.format,
    metric,
    files: set.files,
    records: set.records.length,
    metrics: resultsMetrics(values, aligned, metric, results.scoreScale),
    latency: latency ? latencyStats({ 1: latency }) : {},
    samples: sampleRecords(aligned, values, latency),
  });
  const baseline = side(inputs.baseline, aligned.baseline, latencyMs?.baseline ?? null);
  const candidate = side(inputs.candidate, aligned.candidate, latencyMs?.candidate ?? null);
  const comparison = compareResults(aligned, results, metric);
  const latency = compareLatency(latencyMs?.baseline, latencyMs?.candidate);
  // Without latencies in the files there is nothing to gate on: no latency gate, not a passing one.
  const gates = [...resultsTask.gates(comparison, config), ...(latencyMs ? [perSampleLatencyGate(latency, config.gates.maxLatencyRegression)] : [])];
  const compared = { ...comparison, ...latency };
  return {
    schemaVersion: 1,
    tool: { name: 'model-gate', version: inputs.version },
    generatedAt: inputs.generatedAt,
    task: 'results',
    evalSet: { source: 'result files', sha256: null, samples: aligned.samples.length, fromCache: false },
    environment: inputs.environment,
    preprocess: {},
    models: { baseline, candidate },
    comparison: compared,
    gates,
    verdict: gates.every((g) => g.passed) ? 'pass' : 'fail',
    headline: verdictLine(resultsTask, compared, gates),
  };
}
