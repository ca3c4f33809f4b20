/**
 * Expected blocks are written by hand from Mermaid's xychart grammar (packages/mermaid/src/
 * diagrams/xychart/parser/xychart.jison): `x-axis <title> [<band>]`, `y-axis <title> [min --> max]`,
 * `line|bar <title> [numbers]`, strings as "[^"]*" with no escape.
 */
import { accuracyLatencyChart, historyTrendCharts, mermaidNumber, mermaidString, nightLabels, trendChart } from '../../src/report/mermaid.js';
import { makeRecord } from './records.js';

const INIT_ACCURACY = '%%{init: {"xyChart":{"width":900,"xAxis":{"labelFontSize":11}},"themeVariables":{"xyChart":{"plotColorPalette":"#1f6feb","backgroundColor":"transparent"}}}}%%';
const INIT_LATENCY = '%%{init: {"xyChart":{"width":900,"xAxis":{"labelFontSize":11}},"themeVariables":{"xyChart":{"plotColorPalette":"#bf5700","backgroundColor":"transparent"}}}}%%';

describe('trendChart', () => {
  it('writes a fenced xychart-beta line chart', () => {
    expect(trendChart('classifier: top-1', ['01-01', '01-02', '01-03'], { name: 'top-1 (%)', values: [87.11, 87.1, 90] }, 'top-1 (%)')).toBe(
      [
        '```mermaid',
        INIT_ACCURACY,
        'xychart-beta',
        '  title "classifier: top-1"',
        '  x-axis "night" ["01-01", "01-02", "01-03"]',
        // 87.1 to 90: pad 2.9 → from ⌊84.2⌋ to ⌈92.9⌉, said in the axis title since it is not 0
        '  y-axis "top-1 (%), axis from 84, not 0" 84 --> 93',
        '  line "top-1 (%)" [87.11, 87.1, 90]',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('makes repeated x labels unique, since Mermaid keeps one band per distinct label', () => {
    const chart = trendChart('t', ['01-01', '01-01', '01-01 (2)', '01-02'], { name: 's', values: [1, 2, 3, 4] }, 'y');
    expect(chart).toContain('x-axis "night" ["01-01", "01-01 (3)", "01-01 (2)", "01-02"]');
  });

  it('refuses values it cannot draw honestly', () => {
    expect(() => trendChart('t', ['a', 'b'], { name: 's', values: [1] }, 'y')).toThrow(/1 values for 2 x labels/);
    expect(() => trendChart('t', ['a'], { name: 's', values: [Number.NaN] }, 'y')).toThrow(RangeError);
    expect(() => trendChart('t', [], { name: 's', values: [] }, 'y')).toThrow(RangeError);
  });
});

describe('labels and numbers', () => {
  it('quotes every label; commas, brackets, colons and semicolons stay as they are', () => {
    expect(mermaidString('resnet50 [v2], int8; top-1: 76%')).toBe('"resnet50 [v2], int8; top-1: 76%"');
  });

  it('replaces what cannot live in a Mermaid string', () => {
    expect(mermaidString('the "best" model')).toBe(`"the 'best' model"`);
    expect(mermaidString('`md` and ```fence')).toBe(`"'md' and '''fence"`);
    expect(mermaidString('50%% off %%{init}%%')).toBe('"50% % off % %{init}% %"');
    expect(mermaidString('C#; #quot; #35;')).toBe('"C#; #quot ; #35 ;"');
    expect(mermaidString('two\nlines\r\n\there')).toBe('"two lines here"');
    expect(mermaidString('')).toBe('" "');
  });

  it('writes numbers without exponents or trailing zeros', () => {
    expect(mermaidNumber(87.1100001)).toBe('87.11');
    expect(mermaidNumber(0.00001)).toBe('0');
    expect(mermaidNumber(1e-7, 8)).toBe('0.0000001');
    expect(mermaidNumber(-0.00001)).toBe('0');
    expect(mermaidNumber(-2.5)).toBe('-2.5');
    expect(mermaidNumber(1234567)).toBe('1234567');
    expect(() => mermaidNumber(Infinity)).toThrow(RangeError);
  });

  it('escapes the title, axis labels and series names of a chart', () => {
    const chart = trendChart('model "a", [b]', ['x"1', '%%y'], { name: 'n`s', values: [1, 2] }, 'p50 "ms"');
    expect(chart.split('\n').slice(3, 7)).toEqual([`  title "model 'a', [b]"`, `  x-axis "night" ["x'1", "% %y"]`, `  y-axis "p50 'ms'" 0 --> 3`, `  line "n's" [1, 2]`]);
  });
});

describe('accuracyLatencyChart', () => {
  it('draws top-1 as bars on an axis from 0 to 100%, each label with its figure and p50', () => {
    const chart = accuracyLatencyChart([
      { label: 'baseline', latencyMs: 0.412, accuracy: 0.8711 },
      { label: 'candidate', latencyMs: 1.234, accuracy: 0.9068 },
    ]);
    expect(chart).toBe(
      [
        '```mermaid',
        INIT_ACCURACY,
        'xychart-beta',
        '  title "Top-1 accuracy (bars, axis from 0%) and p50 latency (labels)"',
        '  x-axis "model" ["baseline · 87.11% · 0.412 ms", "candidate · 90.68% · 1.23 ms"]',
        '  y-axis "top-1 (%)" 0 --> 100',
        '  bar "top-1 (%)" [87.11, 90.68]',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('refuses an accuracy that is not a fraction', () => {
    expect(accuracyLatencyChart([{ label: 'x', latencyMs: 1, accuracy: 0.004 }])).toContain('y-axis "top-1 (%)" 0 --> 100');
    expect(() => accuracyLatencyChart([{ label: 'x', latencyMs: 1, accuracy: 87 }])).toThrow(/fraction/);
  });
});

describe('historyTrendCharts', () => {
  it('charts top-1 (%) and p50 of one model over its last nights, oldest first', () => {
    const history = [
      makeRecord({ night: 0, top1: 0.5, p50Ms: 10 }),
      makeRecord({ night: 1, top1: 0.8711, p50Ms: 2.25 }),
      makeRecord({ night: 1, name: 'detector', top1: 0.1 }),
      makeRecord({ night: 2, top1: 0.8712, p50Ms: 2.5 }),
    ];
    expect(historyTrendCharts(history, 'classifier', 2)).toBe(
      [
        '```mermaid',
        INIT_ACCURACY,
        'xychart-beta',
        '  title "classifier: top-1, last 2 nights"',
        '  x-axis "night (UTC date: MM-DD, then the day)" ["01-02", "03"]',
        '  y-axis "top-1 (%), axis from 86, not 0" 86 --> 89',
        '  line "top-1 (%)" [87.11, 87.12]',
        '```',
        '',
        '```mermaid',
        INIT_LATENCY,
        'xychart-beta',
        '  title "classifier: batch-1 p50 latency, last 2 nights"',
        '  x-axis "night (UTC date: MM-DD, then the day)" ["01-02", "03"]',
        '  y-axis "p50 (ms), axis from 1, not 0" 1 --> 4',
        '  line "p50 (ms)" [2.25, 2.5]',
        '```',
        '',
      ].join('\n'),
    );
    expect(historyTrendCharts(history, 'nobody')).toBe('');
  });

  it('labels nights with the day, and the month where it starts or changes', () => {
    expect(nightLabels(['2025-01-30T02:00:00Z', '2025-01-31T02:00:00Z', '2025-02-01T02:00:00Z', '2025-02-02T23:59:00Z'])).toEqual(['01-30', '31', '02-01', '02']);
  });

  it('keeps a top-1 axis within 100%', () => {
    const history = [makeRecord({ night: 0, top1: 0.996 }), makeRecord({ night: 1, top1: 0.9965 })];
    // 99.6 to 99.65: pad 1 → from ⌊98.6⌋ = 98 to min(100, ⌈100.65⌉)
    expect(historyTrendCharts(history, 'classifier')).toContain('  y-axis "top-1 (%), axis from 98, not 0" 98 --> 100\n');
  });
});
