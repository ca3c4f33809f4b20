/**
 * The first line carries the gates' verdict, with one icon per outcome (✅ pass, ❌ fail, ⚠️ not
 * measurable) in the Markdown, the HTML and the check annotations; the accuracy sentence follows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedGateLines, verdictAnnotations } from '../../src/action/run-report.js';
import type { Report } from '../../src/contracts/report.js';
import type { RunReport } from '../../src/contracts/run.js';
import { latencyGate } from '../../src/report/build.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { gateVerdict } from '../../src/report/verdict.js';
import { classificationTask } from '../../src/tasks/classification/index.js';
import { around, syntheticReport } from './fixtures.js';

const gain = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) });
const noise = syntheticReport({ a: 9940, b: 25, c: 30, d: 5 }, { base: around(1.0), cand: around(1.0) });

/** The noise report judged by a 10% latency gate on a runner whose A/A control resolves only ±14%. */
function notMeasurable(): Report {
  const latency = { ...noise.comparison, latencyNoiseFloor: 0.14 };
  const gates = noise.gates.map((g) => (g.name === 'max-latency-regression' ? latencyGate(latency, 10) : g));
  return { ...noise, comparison: latency, gates } as Report;
}

const firstLine = (markdown: string) => markdown.split('\n')[1];
const run = (comparisons: RunReport['comparisons']): RunReport => ({
  schemaVersion: 1,
  kind: 'model-gate-run',
  verdict: 'fail',
  configPath: '.github/model-gate.yml',
  configSource: 'base',
  configChangedKeys: [],
  pullRequest: { number: 7, baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) },
  comparisons,
  notes: [],
});

describe('the verdict line', () => {
  it('a failing PR opens with ❌ and the failed gate, even with an accuracy gain', () => {
    const markdown = renderMarkdown(gain, classificationTask);
    expect(firstLine(markdown)).toBe(
      '**❌ Gate failed:** p50 latency ×1.58, at least +55.4% (limit +25%). **Accuracy: real gain**, the candidate fixes **27.7%** of baseline errors ' +
        '(95% CI 23.8–31.4%, McNemar p < 1e-30), but is **1.58× slower** at p50 (95% CI 1.55–1.60×).',
    );
    expect(gain.headline).toBe(firstLine(markdown));
  });

  it('a passing PR opens with ✅', () => {
    expect(firstLine(renderMarkdown(noise, classificationTask))).toMatch(/^\*\*✅ Gates passed\.\*\* \*\*Accuracy: not distinguishable from noise\*\*, \+0\.05 pt top-1/);
  });

  it('a gate that is not measurable gets ⚠️ everywhere, and does not fail the run', () => {
    const report = notMeasurable();
    expect(report.gates.find((g) => g.name === 'max-latency-regression')?.outcome).toBe('not-measurable');
    const markdown = renderMarkdown(report, classificationTask);
    mkdirSync(join(process.cwd(), '__outputs__'), { recursive: true });
    writeFileSync(join(process.cwd(), '__outputs__', 'not-measurable.md'), markdown);
    expect(firstLine(markdown)).toMatch(
      /^\*\*⚠️ Gates passed, but:\*\* p50 latency not measurable \(this runner resolves only ±14\.0% right now, the limit is 10%\)\. \*\*Accuracy: not distinguishable from noise\*\*/,
    );
    expect(markdown).toContain('**Gates: ⚠️ 2 passed, 1 not measurable.**');
    expect(gateVerdict(report.gates).kind).toBe('not-measurable');

    const html = renderHtmlReport({ report, task: classificationTask, title: 't', gallery: null });
    expect(html).toContain('<section class="verdict not-measurable" id="verdict">\n<p class="headline"><strong>⚠️ Gates passed, but:</strong> p50 latency not measurable');
    expect(html).toContain('<span class="badge not-measurable">PASS · NOT MEASURABLE</span>');

    expect(verdictAnnotations(run([{ name: 'classifier', report }]))).toEqual([
      { level: 'warning', message: 'model-gate · classifier: ⚠️ Gates passed, but: p50 latency not measurable (this runner resolves only ±14.0% right now, the limit is 10%).' },
    ]);
  });

  it('check annotations carry the same icon: ❌ for a failed model (with each gate line), ✅ for a passing one', () => {
    const r = run([
      { name: 'classifier', report: gain },
      { name: 'second', report: noise },
    ]);
    expect(failedGateLines(r)).toEqual([
      'model-gate · classifier: ❌ Gate failed: p50 latency ×1.58, at least +55.4% (limit +25%).',
      '  gate max-latency-regression: p50 latency ×1.58 at batch 1; 95% CI lower bound +55.4% (at most +25% allowed)',
    ]);
    expect(verdictAnnotations(r)).toEqual([{ level: 'notice', message: 'model-gate · second: ✅ Gates passed.' }]);
  });

  it("names several failed gates, and a report without gate summaries by the gates' names", () => {
    const failing = syntheticReport({ a: 8468, b: 600, c: 243, d: 689 }, { base: around(0.026), cand: around(0.041) });
    expect(gateVerdict(failing.gates).head).toBe('3 gates failed');
    const old = { ...failing, gates: failing.gates.map(({ summary: _summary, ...g }) => g) };
    expect(firstLine(renderMarkdown(old, classificationTask))).toMatch(
      /^\*\*❌ 3 gates failed:\*\* gate `max-top1-drop`; gate `min-error-reduction`; gate `max-latency-regression`\. \*\*Accuracy: real loss\*\*/,
    );
  });
});
