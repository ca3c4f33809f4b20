/**
 * A `|` in a file name, a config key or any text shown as code must not split a Markdown table
 * cell. GFM splits a table row at every `|` that is not backslash-escaped, code spans included
 * (GitHub Flavored Markdown spec 0.29, section 4.10, example 200), which is what cellsOf does.
 */
import { code } from '../../src/report/format.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { classificationTask } from '../../src/tasks/classification/index.js';
import { around, syntheticReport } from './fixtures.js';

/** The cells of a table row, split where GFM splits them. */
const cellsOf = (row: string) =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/);

function tables(markdown: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) current.push(line);
    else if (current.length > 0) (blocks.push(current), (current = []));
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

test('code() of text with a pipe or a backtick is an HTML code element with the punctuation as references', () => {
  expect(code('models/a|b.onnx')).toBe('<code>models&#47;a&#124;b&#46;onnx</code>');
  expect(code('x`y')).toBe('<code>x&#96;y</code>');
  expect(code('@acme/admins | *bold* <b>')).toBe('<code>&#64;acme&#47;admins &#124; &#42;bold&#42; &#60;b&#62;</code>');
  expect(code('plain/path.onnx')).toBe('`plain/path.onnx`');
});

test("a model label with pipes keeps every table row at its header's number of cells", () => {
  const report = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) });
  const hostile = {
    ...report,
    models: {
      baseline: { ...report.models.baseline, label: 'models/base|x|y.onnx' },
      candidate: { ...report.models.candidate, label: 'models/cand`|`.onnx', producer: 'a|b' },
    },
  };
  const markdown = renderMarkdown(hostile, classificationTask);
  const found = tables(markdown);
  expect(found.length).toBeGreaterThan(3);
  for (const table of found) {
    const width = cellsOf(table[0]).length;
    for (const row of table) expect(cellsOf(row)).toHaveLength(width);
  }
  expect(markdown).toMatch(/^\| file +\| <code>models&#47;base&#124;x&#124;y&#46;onnx<\/code> +\| <code>models&#47;cand&#96;&#124;&#96;&#46;onnx<\/code> +\|$/m);
  expect(markdown).toContain('<code>base&#124;x&#124;y&#46;onnx</code> → <code>cand&#96;&#124;&#96;&#46;onnx</code>');
});

test('the HTML report shows such a code element as code, and user text that spells one as text', async () => {
  const { inlineMarkdown } = await import('../../src/report/html-text.js');
  expect(inlineMarkdown(`file ${code('a|b.onnx')}`)).toBe('file <code>a&#124;b&#46;onnx</code>');
  expect(inlineMarkdown('<code><b>x</b></code>')).toBe('&lt;code&gt;&lt;b&gt;x&lt;/b&gt;&lt;/code&gt;');
});
