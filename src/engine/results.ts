/**
 * task: results, stage by stage: read each side's result files (tasks/results readers), pair
 * them and compute the statistics and gates (buildResultsReport), and render the report with
 * the same renderers as the ONNX tasks. No eval set is prepared and no model runs.
 */
import type { Config, ResultsRef } from '../config/types.js';
import type { Progress } from '../progress.js';
import { renderHtmlReport } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { buildResultsReport, readOptionsFor, readResultSet, resultsTask } from '../tasks/results/index.js';
import { VERSION } from '../version.js';
import type { CompareResult, PairToCompare } from './compared.js';
import { statisticsEnvironment } from './environment.js';

/** Each pair of result sets, compared on its own (there is nothing to share between pairs, as an eval set is shared). */
export async function compareResultSets(config: Config, pairs: readonly PairToCompare<ResultsRef>[], progress: Progress): Promise<CompareResult[]> {
  const results = config.results;
  if (!results) throw new Error('compareResultSets needs a task: results config');
  const options = readOptionsFor(results);
  const out: CompareResult[] = [];
  for (const { refs, options: render = {} } of pairs) {
    const [baseline, candidate] = await Promise.all([readResultSet(refs.baseline, options), readResultSet(refs.candidate, options)]);
    for (const set of [baseline, candidate]) {
      progress.info(`${set.role}: ${set.records.length.toLocaleString('en-US')} ${set.metric} results in ${set.files.length} file${set.files.length === 1 ? '' : 's'} (${set.label})`);
    }
    const report = buildResultsReport({ config, version: VERSION, generatedAt: new Date().toISOString(), environment: statisticsEnvironment(), baseline, candidate });
    // As in the Markdown: the title, then the two sides' names (renderHtmlReport adds those).
    const title = render.title ?? report.task;
    out.push({
      report,
      markdown: renderMarkdown(report, resultsTask, render),
      html: async () => renderHtmlReport({ report, task: resultsTask, title, gallery: null, history: render.history }),
    });
  }
  return out;
}
