/**
 * Continuous per-sample scores through the whole task (paired bootstrap, sign-flip test, Wilcoxon),
 * per-sample latencies, and re-gating from a report's own per-sample records.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/load.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildResultsReport, readOptionsFor, readResultSet, resultsTask } from '../../src/tasks/results/index.js';
import type { ResultSet } from '../../src/tasks/results/types.js';
import { ENVIRONMENT, exampleReport } from './example-report.js';

const reference = JSON.parse(readFileSync(join(process.cwd(), '__tests__/fixtures/results-stats/reference.json'), 'utf8'));
const bootstrapCase = reference.bootstrap[0] as { baseline: number[]; candidate: number[]; mean: number; ci: [number, number] };
const signFlipCase = reference.signFlip[2] as { baseline: number[]; candidate: number[]; pValue: number };

const config = parseConfig(
  'task: results\nresults: { slices: [language], focus: { language: [de] } }\ngates: { min-focus-gain: -1, max-latency-regression: 10 }\n',
  '/repo/model-gate.yml',
  '/repo',
  {},
  { cwd: '/repo', env: {}, stderrIsTTY: false },
);

function scoreSet(role: 'baseline' | 'candidate', values: number[], latency: (i: number) => number): ResultSet {
  return {
    role,
    label: `${role}.jsonl`,
    path: `/repo/${role}.jsonl`,
    format: 'jsonl',
    metric: 'rouge1',
    files: [{ name: `${role}.jsonl`, sha256: 'ab'.repeat(32), bytes: 1000, records: values.length, variant: 'JSONL', task: null, filter: null }],
    records: values.map((value, i) => ({
      id: `doc-${String(i).padStart(3, '0')}`,
      value,
      slices: { language: i % 2 === 0 ? 'en' : 'de' },
      latencyMs: latency(i),
      docHash: null,
      where: `/repo/${role}.jsonl:${i + 1}`,
    })),
  };
}

describe('continuous scores', () => {
  const baseline = scoreSet('baseline', bootstrapCase.baseline, (i) => 100 + (i % 7));
  const candidate = scoreSet('candidate', bootstrapCase.candidate, (i) => 130 + (i % 5));
  const report = buildResultsReport({ config, version: '0.1.0', generatedAt: '2026-11-28T00:00:00.000Z', environment: ENVIRONMENT, baseline, candidate });

  it('uses the paired bootstrap CI and the sign-flip p of the reference script for the overall change', () => {
    const o = report.comparison.overall;
    expect(report.comparison.kind).toBe('continuous');
    expect(o.test).toBe('sign-flip');
    expect(o.delta).toBeCloseTo(bootstrapCase.mean, 14);
    expect(o.deltaCi95[0]).toBeCloseTo(bootstrapCase.ci[0], 14);
    expect(o.deltaCi95[1]).toBeCloseTo(bootstrapCase.ci[1], 14);
    expect(o.pValue).toBe(signFlipCase.pValue);
    expect(o.continuous?.wilcoxon.method).toBe('asymptotic');
  });

  it('compares per-sample latency when both sides have it: rows, section and gate present', () => {
    expect(report.models.baseline.latency.batch1.p50Ms).toBe(103);
    expect(report.comparison.latencyRatioP50).toBeCloseTo(132 / 103, 12);
    expect(report.gates.map((g) => g.name)).toEqual(['max-metric-drop', 'min-focus-gain', 'no-worse-focus-slice', 'max-latency-regression']);
    const markdown = renderMarkdown(report, resultsTask);
    expect(markdown).toContain('| p50 latency (per sample, from the result files) |');
    expect(markdown).toContain('<details><summary>Latency</summary>');
    expect(markdown).toMatch(/Wilcoxon signed-rank \(scipy\.stats\.wilcoxon defaults, asymptotic; 1 zero difference dropped\)/);
    expect(markdown).toMatchSnapshot();
  });
});

describe('re-gating from report.json', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mg-regate-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("gives the same comparison from the report's own per-sample records", async () => {
    const original = await exampleReport();
    const file = join(dir, 'report.json');
    await writeFile(file, JSON.stringify(original));
    const regate = parseConfig(
      'task: results\nresults: { format: model-gate, slices: [task, language], focus: { language: [en, de] } }\n',
      join(dir, 'model-gate.yml'),
      dir,
      {},
      { cwd: dir, env: {}, stderrIsTTY: false },
    );
    const options = readOptionsFor(regate.results!);
    const [baseline, candidate] = await Promise.all([
      readResultSet({ role: 'baseline', path: file, label: 'report.json' }, options),
      readResultSet({ role: 'candidate', path: file, label: 'report.json' }, options),
    ]);
    expect(baseline.metric).toBe('acc_norm');
    const again = buildResultsReport({ config: regate, version: '0.1.0', generatedAt: original.generatedAt, environment: ENVIRONMENT, baseline, candidate });
    expect(again.comparison.overall).toEqual(original.comparison.overall);
    expect(again.comparison.slices).toEqual(original.comparison.slices);
    expect(again.comparison.focus).toEqual(original.comparison.focus);
    expect(again.headline).toBe(original.headline);
  });
});
