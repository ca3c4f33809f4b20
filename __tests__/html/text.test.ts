import { markdownTable } from 'markdown-table';
import { code, escapeMarkdown } from '../../src/report/format.js';
import { niceTicks, renderLineChart } from '../../src/report/html-chart.js';
import { escapeHtml, inlineMarkdown, isSafeImageDataUrl, markdownToHtml, splitTableRow } from '../../src/report/html-text.js';

describe('Markdown of our own making → HTML', () => {
  it('turns bold, code spans and backslash escapes into HTML and escapes the rest', () => {
    expect(inlineMarkdown('**❌ Gate failed:** p < 1e-30 & `a|b` done')).toBe('<strong>❌ Gate failed:</strong> p &lt; 1e-30 &amp; <code>a|b</code> done');
    expect(inlineMarkdown(escapeMarkdown('<script>*x*</script>|'))).toBe('&lt;script&gt;*x*&lt;/script&gt;|');
    expect(inlineMarkdown(code('a`b'))).toBe('<code>a&#96;b</code>'); // the same text: a character reference for the backtick
    expect(inlineMarkdown('**unclosed')).toBe('<strong>unclosed</strong>');
  });

  it('splits table rows on unescaped pipes outside code spans', () => {
    expect(splitTableRow('| a \\| b | `c|d` | e |')).toEqual(['a \\| b', '`c|d`', 'e']);
  });

  it('converts a markdown-table table (alignment included) and paragraphs', () => {
    const table = markdownTable(
      [
        ['class', 'n'],
        [escapeMarkdown('Shirt|<x>'), '1,000'],
      ],
      { align: ['l', 'r'] },
    );
    const html = markdownToHtml(`${table}\n\n**Fixed** (2): \`a.png\`, \`b.png\``);
    expect(html).toBe(
      [
        '<table>',
        '<thead><tr><th>class</th><th class="num">n</th></tr></thead>',
        '<tbody>',
        '<tr><td>Shirt|&lt;x&gt;</td><td class="num">1,000</td></tr>',
        '</tbody>',
        '</table>',
        '<p><strong>Fixed</strong> (2): <code>a.png</code>, <code>b.png</code></p>',
      ].join('\n'),
    );
  });

  it('escapes for text and both attribute quotes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('accepts only base64 raster data: URLs as images', () => {
    expect(isSafeImageDataUrl('data:image/png;base64,iVBORw0KGgo=')).toBe(true);
    expect(isSafeImageDataUrl('data:image/webp;base64,UklGRg==')).toBe(true);
    for (const url of ['data:image/svg+xml;base64,PHN2Zz4=', 'data:text/html;base64,PGI+', 'http://x/y.png', 'data:image/png;base64,iV"><b', 'data:image/png,raw']) {
      expect(isSafeImageDataUrl(url)).toBe(false);
    }
  });
});

describe('history charts', () => {
  it('puts ticks on round steps of 1, 2 or 5 × 10^k that cover the data', () => {
    // Range 0.0357 over ~4 intervals = 0.0089 → step 0.01.
    expect(niceTicks(0.8711, 0.9068)).toEqual([0.87, 0.88, 0.89, 0.9, 0.91]);
    // Range 8 → step 2.
    expect(niceTicks(98, 106)).toEqual([98, 100, 102, 104, 106]);
    // A flat line is widened by 1% each side (99–101) → step 0.5.
    expect(niceTicks(100, 100)).toEqual([99, 99.5, 100, 100.5, 101]);
  });

  it('places points on the plot area and breaks the line at missing values', () => {
    // Plot area: x 64..624 (640 − 16 right), y 12..184 (220 − 36 bottom); ticks 98..106.
    const svg = renderLineChart({ title: 'p50', unit: 'ms', timestamps: ['2026-11-01', '2026-11-02'], series: [{ name: 'a', values: [98, 106] }] });
    expect(svg).toContain('points="64.0,184.0 624.0,12.0"');
    expect(svg).toContain('>106 ms</text>');
    // The fitted axis says it does not start at 0.
    expect(svg).toContain('<span class="muted">· axis from 98 ms, not 0</span></figcaption>');
    expect(renderLineChart({ timestamps: ['1', '2'], series: [{ name: 'a', values: [0, 4] }] })).not.toContain('not 0');
    const gappy = renderLineChart({ timestamps: ['1', '2', '3', '4'], series: [{ name: 'a', values: [1, Number.NaN, 3, 4] }] });
    expect(gappy.match(/<polyline/g)).toHaveLength(1);
    expect(gappy.match(/<circle/g)).toHaveLength(3);
    expect(renderLineChart({ timestamps: [], series: [] })).toContain('No history yet.');
  });
});
