/**
 * Issue 13, item 10: schema/report.schema.json describes report.json (schemaVersion 1). The CLI
 * and Action runs of the suite validate each report they write (helpers/run-cli.ts,
 * e2e/action-fixture.ts); here the reports built in-process (the fixtures the renderers are
 * tested on) are checked too, and the schema is shown to reject what it should.
 */
import type { RunReport } from '../../src/contracts/run.js';
import type { NightlyReport } from '../../src/nightly/run.js';
import { reportSchemaProblems } from '../helpers/report-schema.js';
import { fmnistLikeReport } from '../html/fixtures.js';
import { makeRecord } from '../history/records.js';
import { exampleReport } from '../results/example-report.js';
import { around, syntheticReport } from './fixtures.js';

const gain = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) });

const runReport = (over: Partial<RunReport> = {}): RunReport => ({
  schemaVersion: 1,
  kind: 'model-gate-run',
  verdict: 'fail',
  configPath: '.github/model-gate.yml',
  configSource: 'base',
  configChangedKeys: [],
  pullRequest: { number: 7, baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) },
  comparisons: [{ name: 'classifier', report: gain }],
  notes: [],
  ...over,
});

describe('schema/report.schema.json', () => {
  test('accepts the comparison reports the renderers are tested on: classification, int8, results', async () => {
    expect(reportSchemaProblems(gain)).toEqual([]);
    expect(reportSchemaProblems(fmnistLikeReport())).toEqual([]);
    expect(reportSchemaProblems(await exampleReport())).toEqual([]);
  });

  test('accepts an Action run, a skipped one, and a nightly run', () => {
    expect(reportSchemaProblems(runReport())).toEqual([]);
    expect(reportSchemaProblems(runReport({ verdict: 'skipped', comparisons: [], pullRequest: null }))).toEqual([]);
    const nightly: NightlyReport = {
      schemaVersion: 1,
      kind: 'model-gate-nightly',
      verdict: 'fail',
      records: [makeRecord({ night: 3 })],
      history: [makeRecord({ night: 2 })],
      findings: [{ kind: 'latency-regression', model: 'classifier', message: 'classifier: slower', old: 100, new: 150, z: Infinity, changePercent: 50 }],
    };
    expect(reportSchemaProblems(nightly)).toEqual([]);
  });

  test('rejects a report without its headline, with a short sha256, a verdict it does not know, or a wrong schemaVersion', () => {
    const { headline: _headline, ...noHeadline } = gain;
    expect(reportSchemaProblems(noHeadline).join('\n')).toMatch(/must have required property 'headline'/);
    const badSha = { ...gain, models: { ...gain.models, baseline: { ...gain.models.baseline, sha256: 'abc' } } };
    expect(reportSchemaProblems(badSha).join('\n')).toMatch(/\/models\/baseline\/sha256 must match pattern/);
    expect(reportSchemaProblems({ ...gain, verdict: 'maybe' }).join('\n')).toMatch(/\/verdict must be equal to one of the allowed values/);
    expect(reportSchemaProblems({ ...gain, schemaVersion: 2 })).not.toEqual([]);
    expect(reportSchemaProblems(runReport({ comparisons: [{ name: 'x', report: noHeadline as never }] }))).not.toEqual([]);
  });
});
