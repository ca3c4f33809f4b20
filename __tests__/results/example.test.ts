/**
 * examples/llm-results end to end: the config, the harness files make-samples.py wrote, the
 * statistics against statsmodels (scripts/reference/results-stats.py), and the comment.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renderHtmlReport } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { resultsTask } from '../../src/tasks/results/index.js';
import { exampleReport } from './example-report.js';

interface SliceRef {
  column: string;
  value: string;
  samples: number;
  baselineCi95: number[];
  candidateCi95: number[];
  delta: number;
  pValue: number;
  holmP: number;
  rejected: boolean;
}
const reference = (
  JSON.parse(readFileSync(join(process.cwd(), '__tests__/fixtures/results-stats/reference.json'), 'utf8')) as {
    example: {
      overall: Omit<SliceRef, 'column' | 'value' | 'holmP' | 'rejected'>;
      slices: SliceRef[];
      focus: { pooled: SliceRef; slices: { column: string; value: string; holmP: number; rejected: boolean }[] };
    };
  }
).example;

const relative = (got: number, expected: number) => Math.abs(got - expected) / Math.abs(expected);

describe('examples/llm-results', () => {
  it('matches statsmodels: Wilson CIs, McNemar exact p per slice, Holm over all slices and over the focus slices', async () => {
    const { comparison: c, models } = await exampleReport();
    const close = (
      got: { samples: number; baselineCi95: readonly number[] | null; candidateCi95: readonly number[] | null; delta: number; pValue: number },
      want: Omit<SliceRef, 'column' | 'value' | 'holmP' | 'rejected'>,
    ) => {
      expect(got.samples).toBe(want.samples);
      // Right/wrong outcomes: Wilson intervals on every slice too.
      want.baselineCi95.forEach((v, i) => expect(got.baselineCi95?.[i]).toBeCloseTo(v, 12));
      want.candidateCi95.forEach((v, i) => expect(got.candidateCi95?.[i]).toBeCloseTo(v, 12));
      expect(got.delta).toBeCloseTo(want.delta, 14);
      expect(relative(got.pValue, want.pValue)).toBeLessThan(1e-10);
    };
    expect([c.kind, c.metric, models.baseline.metrics.meanCi95]).toEqual(['binary', 'acc_norm', c.overall.baselineCi95]);
    close(c.overall, reference.overall);
    expect(c.slices).toHaveLength(reference.slices.length);
    for (const want of reference.slices) {
      const got = c.slices.find((s) => s.column === want.column && s.value === want.value)!;
      close(got, want);
      expect(relative(got.holmP, want.holmP)).toBeLessThan(1e-10);
      expect(got.worse).toBe(want.rejected && want.delta < 0);
    }
    close(c.focus!.pooled, reference.focus.pooled);
    for (const want of reference.focus.slices) {
      const got = c.focus!.slices.find((s) => s.column === want.column && s.value === want.value)!;
      expect(relative(got.holmP, want.holmP)).toBeLessThan(1e-10);
      expect(got.worse || got.better).toBe(want.rejected);
    }
    // Worst first, and the list of significantly worse slices follows Holm over all nine.
    expect(c.slices.map((s) => s.delta)).toEqual([...c.slices.map((s) => s.delta)].sort((a, b) => a - b));
    const worse = reference.slices.filter((s) => s.rejected && s.delta < 0).map((s) => `${s.column} ${s.value}`);
    expect(c.significantlyWorse.map((s) => `${s.column} ${s.value}`).sort()).toEqual(worse.sort());
    expect(worse.length).toBeGreaterThan(0);
  });

  it('renders a comment whose first line says the candidate is worse where it matters, then the average', async () => {
    const report = await exampleReport();
    // Exactly what `model-gate compare --config examples/llm-results/model-gate.yml` prints (cli.test.ts checks that).
    const markdown = renderMarkdown(report, resultsTask);
    mkdirSync(join(process.cwd(), '__outputs__'), { recursive: true });
    writeFileSync(join(process.cwd(), '__outputs__', 'llm-results.md'), markdown);
    const verdict = markdown.split('\n')[1];
    expect(verdict).toMatch(
      /^\*\*❌ Gate failed:\*\* significantly worse on language de −14\.58 pt\. \*\*Accuracy: real loss\*\*, worse where it matters: \*\*−14\.58 pt\*\* acc\\_norm on language de \(240 samples; 95% CI −19\.59 to −9\.45 pt, Holm-adjusted p = 6\.2e-8\)/,
    );
    expect(verdict).toContain('; on average over all 720 samples: +4.72 pt (95% CI +1.46 to +7.96 pt, McNemar p = 0.0058)');
    expect(report.verdict).toBe('fail');
    expect(report.gates.map((g) => [g.name, g.passed])).toEqual([
      ['max-metric-drop', true],
      ['no-worse-focus-slice', false],
    ]);
    // No latency in the files: no latency rows, section or gate (absent, not zero).
    expect(markdown).not.toMatch(/latency \(|Latency<\/summary>|max-latency-regression/);
    expect(markdown).toMatchSnapshot();
  });

  it('renders the HTML report with the result files instead of model facts', async () => {
    const html = renderHtmlReport({ report: await exampleReport(), task: resultsTask, title: 'llm', gallery: null });
    expect(html).toContain('<summary>Result files</summary>');
    expect(html).not.toContain('Model facts');
    expect(html).toContain('720 paired samples');
  });
});
