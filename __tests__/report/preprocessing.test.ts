/**
 * Issue 13, item 7: one model and input must not show two p50s. The preprocessing table's own
 * benchmark times the configured input again, so that row is the reference (×1, its ms in the
 * main table) and the others are ratios to it, measured in the same benchmark.
 */
import { preprocessingSection } from '../../src/report/preprocessing.js';

const variant = (name: string, configured: boolean, p50: [number, number]) => ({
  name,
  resize: name,
  configured,
  inputSize: [256, 256] as const,
  inputArea: 65536,
  baseline: { map: 0.5, p50Ms: p50[0], note: null },
  candidate: { map: 0.6, p50Ms: p50[1], note: null },
});

test('the configured input is the reference; no second p50 in ms for it', () => {
  const { markdown } = preprocessingSection({ metric: 'map', variants: [variant('letterbox', false, [2.21, 3]), variant('rect', true, [1.7, 2.4])] }, 'mAP', (v) => v.toFixed(3));
  const rows = markdown.split('\n').filter((line) => line.startsWith('| `'));
  expect(rows[0]).toMatch(/^\| `letterbox` +\|.*\| +0\.500 \| +×1\.30 \| +0\.600 \| +×1\.25 \|$/);
  expect(rows[1]).toMatch(/^\| `rect` \(configured\) \|.*\| +0\.500 \| +×1 \(main table\) \| +0\.600 \| +×1 \(main table\) \|$/);
  expect(markdown).toContain('baseline p50 vs rect');
  expect(markdown).not.toMatch(/\d ms/);
});

test('with no configured input among the variants, p50 stays in ms', () => {
  const { markdown } = preprocessingSection({ metric: 'map', variants: [variant('a', false, [2, 3]), variant('b', false, [1, 2])] }, 'mAP', (v) => v.toFixed(3));
  expect(markdown).toMatch(/\| +2\.00 ms \|/);
});
