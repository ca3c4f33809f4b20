/** task: results as a ReportingTask: what renderMarkdown and the gates need, from the comparison alone. */
import type { ReportingTask } from '../../contracts/task.js';
import { percent, points } from '../../report/format.js';
import type { ResultsComparison, ResultsMetrics } from './metrics.js';
import { resultsGates, resultsHeadline, resultsRows, resultsSections } from './render.js';

export const resultsTask: ReportingTask<ResultsMetrics, ResultsComparison> = {
  name: 'results',
  primary: {
    key: 'Score',
    label: 'score',
    value: (m) => m.mean / m.scoreScale,
    show: (v) => percent(v),
    showChange: (d, unit = true) => (unit ? points(d) : points(d).replace(/ pt$/, '')),
    // Result files carry no int8 variant: nothing to gate.
    unit: 'pt',
    int8Gate: { name: 'max-int8-drop', limit: () => null },
  },
  pairedSummary: (c) => ({
    delta: c.overall.delta / c.scoreScale,
    ci: [c.overall.deltaCi95[0] / c.scoreScale, c.overall.deltaCi95[1] / c.scoreScale],
    errorReduction: c.overall.binary?.errorReduction ?? null,
    pValue: c.overall.pValue,
    test: { [c.overall.test === 'mcnemar-exact' ? 'mcnemar' : 'signFlip']: { pValue: c.overall.pValue } },
  }),
  gates: (comparison, config) => resultsGates(comparison, config.gates),
  headline: resultsHeadline,
  tableRows: resultsRows,
  sections: (_b, _c, comparison) => resultsSections(comparison),
};
