import { renderMarkdown } from '../../src/report/markdown.js';
import { classificationTask } from '../../src/tasks/classification/index.js';
import { around, syntheticReport } from './fixtures.js';

const render = (table: { a: number; b: number; c: number; d: number }) => renderMarkdown(syntheticReport(table, { base: around(1), cand: around(1) }), classificationTask);

describe('renderMarkdown edge cases', () => {
  it('with nothing flipped: claims no identical predictions, signs no zero, gives no detectable difference', () => {
    const markdown = render({ a: 9000, b: 0, c: 0, d: 1000 });
    // Only right/wrong is compared; the 1,000 shared errors may carry different labels.
    expect(markdown).toContain('**✅ Gates passed.** **Accuracy: no change**, the candidate gets exactly the same samples right as the baseline (none of 10,000 flipped)');
    expect(markdown).toMatch(/\| errors +\| +1,000 \/ 10,000 \| +1,000 \/ 10,000 \| +0\.0% \|/);
    expect(markdown).not.toContain('−0.0%');
    // ψ = 0 makes 2.80·√(ψ/n) zero: "can detect differences ≥ 0.00 pt" would be false.
    expect(markdown).not.toContain('can detect differences');
    expect(markdown).toContain(', 2 threads · model-gate');
  });

  it('states a loss against an error-free baseline without a double negative', () => {
    const markdown = render({ a: 9900, b: 100, c: 0, d: 0 });
    expect(markdown).toContain(
      '**❌ 2 gates failed:** top-1 −1.00 pt (at most −0.5 pt allowed); error reduction undefined (the baseline makes no errors). **Accuracy: real loss**, the candidate loses **1.00 pt** top-1 against an error-free baseline',
    );
  });

  it('writes negative error reductions in the gate line with a real minus sign', () => {
    const markdown = render({ a: 8468, b: 600, c: 243, d: 689 });
    expect(markdown).toContain('error reduction −38.3%, 95% CI upper bound −31.3% (minimum 0%)');
    expect(markdown).toMatch(/\| errors +\| +932 \/ 10,000 \| +1,289 \/ 10,000 \| +\+38\.3% \|/);
  });
});
