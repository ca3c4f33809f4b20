/** The report of examples/llm-results, built as the CLI will build it (config → result files → report). */
import { loadConfig, type ConfigEnvironment } from '../../src/config/load.js';
import { resultsRefs } from '../../src/config/results.js';
import { buildResultsReport, readOptionsFor, readResultSet, type ResultsReport } from '../../src/tasks/results/index.js';

export const ENVIRONMENT = { executionProvider: 'none', executionProviderNote: null, threads: 0, onnxruntime: 'none', node: 'v20.0.0', platform: 'linux-x64', cpu: 'test cpu' };

export async function exampleReport(): Promise<ResultsReport> {
  const environment: ConfigEnvironment = { cwd: process.cwd(), env: { HOME: '/home/u' }, stderrIsTTY: false };
  const config = await loadConfig({ config: 'examples/llm-results/model-gate.yml' }, environment);
  const refs = resultsRefs(config, {}, environment);
  const options = readOptionsFor(config.results!);
  const [baseline, candidate] = await Promise.all([readResultSet(refs.baseline, options), readResultSet(refs.candidate, options)]);
  return buildResultsReport({ config, version: '0.1.0', generatedAt: '2026-11-28T00:00:00.000Z', environment: ENVIRONMENT, baseline, candidate });
}
