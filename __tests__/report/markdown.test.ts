import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from '../../src/report/markdown.js';
import { classificationTask } from '../../src/tasks/classification/index.js';
import { around, syntheticReport } from './fixtures.js';

const outputs = join(process.cwd(), '__outputs__');
/** Rendered Markdown is also written out so a person can read what the tests pin. */
function keep(name: string, markdown: string): string {
  mkdirSync(outputs, { recursive: true });
  writeFileSync(join(outputs, name), markdown);
  return markdown;
}

describe('renderMarkdown', () => {
  it('opens a passing PR with ✅ and the same accuracy sentence', () => {
    const report = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.026) });
    expect(report.verdict).toBe('pass');
    const markdown = keep('real-gain-passing.md', renderMarkdown(report, classificationTask, { marker: 'model-gate:classifier' }));
    expect(markdown.split('\n')[2]).toBe(
      '**✅ Gates passed.** **Accuracy: real gain**, the candidate fixes **27.7%** of baseline errors ' +
        '(95% CI 23.8–31.4%, McNemar p < 1e-30), with no measurable p50 latency change (×1.00, 95% CI 0.99–1.02).',
    );
  });

  it('opens with a real-gain verdict and a latency regression that fails its gate', () => {
    // Fashion-MNIST-like table: 600 fixed, 243 broken, 932 vs 1,289 errors.
    const report = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) });
    expect(report.verdict).toBe('fail');
    expect(report.gates.find((g) => !g.passed)?.name).toBe('max-latency-regression');
    const markdown = keep('real-gain.md', renderMarkdown(report, classificationTask, { marker: 'model-gate:classifier' }));
    // The first line is the gates' verdict; the accuracy sentence follows it.
    expect(markdown.split('\n')[2]).toBe(
      '**❌ Gate failed:** p50 latency ×1.58, at least +55.4% (limit +25%). **Accuracy: real gain**, the candidate fixes **27.7%** of baseline errors ' +
        '(95% CI 23.8–31.4%, McNemar p < 1e-30), but is **1.58× slower** at p50 (95% CI 1.55–1.60×).',
    );
    // The figures DESIGN.md shows for this table, computed outside this code base.
    expect(markdown).toContain('| 87.11% (86.44–87.75%) | 90.68% (90.09–91.23%) | +3.57 pt (+3.01 to +4.14 pt) |');
    expect(markdown).toContain('(95% CI 23.8–31.4%, McNemar p < 1e-30)');
    expect(markdown).toMatchSnapshot();
  });

  it('says a hype upgrade is noise and states what the eval set can detect', () => {
    const report = syntheticReport({ a: 9940, b: 25, c: 30, d: 5 }, { base: around(1.0), cand: around(1.0) });
    const markdown = keep('noise.md', renderMarkdown(report, classificationTask));
    expect(report.verdict).toBe('pass');
    expect(markdown.split('\n')[1]).toBe(
      '**✅ Gates passed.** **Accuracy: not distinguishable from noise**, +0.05 pt top-1 (95% CI −0.10 to +0.20 pt), McNemar p = 0.59; this eval set can only detect differences ≥ 0.21 pt, with no measurable p50 latency change (×1.00, 95% CI 0.99–1.02).',
    );
    expect(markdown).toContain('this eval set can only detect differences ≥ 0.21 pt');
    expect(markdown).toContain('with no measurable p50 latency change');
    expect(markdown).toMatchSnapshot();
  });

  it('drops detail sections, never the verdict, to fit the comment limit', () => {
    const report = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) });
    const full = renderMarkdown(report, classificationTask);
    const capped = renderMarkdown(report, classificationTask, { limit: full.length - 100 });
    expect(capped.length).toBeLessThanOrEqual(full.length - 100);
    expect(capped).toContain('Accuracy: real gain');
    expect(capped).toContain('| top-1 (95% CI)');
    expect(capped).toMatch(/detail sections? left out to fit the comment limit/);
    expect(capped).not.toContain('Samples that flipped');
  });
});
