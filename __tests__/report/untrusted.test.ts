/**
 * Text model-gate did not write, in the comment: mentions never ping (a zero-width space after
 * the @), and no single string, however long, pushes a model's verdict line or gate table out of
 * the comment. The comment workflow renders a report a fork uploaded, so every string in it is
 * hostile here: class names, labels, gate lines, notes, config keys and the eval set's notes.
 */
import type { RunReport } from '../../src/contracts/run.js';
import { COMMENT_LIMIT, markerComment } from '../../src/report/comment-limit.js';
import { composeComment, markerName } from '../../src/report/run-comment.js';
import { neutraliseMentions, shortenText, textForGitHub } from '../../src/report/untrusted-text.js';
import { reportingTaskFor } from '../../src/tasks/index.js';
import { around, syntheticReport } from './fixtures.js';

const gain = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) });
const GAIN_VERDICT = '**Accuracy: real gain**, the candidate fixes **27.7%** of baseline errors';
const GATE_TABLE = '| gate ';
const ZWSP = '\u200b';
/** A mention GitHub would link: an @ right before a name character. */
const MENTION = /@[A-Za-z0-9-]/;

function run(report: unknown, over: Partial<RunReport> = {}): RunReport {
  return {
    schemaVersion: 1,
    kind: 'model-gate-run',
    verdict: 'pass',
    configPath: '.github/model-gate.yml',
    configSource: 'base',
    configChangedKeys: [],
    pullRequest: { number: 7, baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) },
    comparisons: [{ name: 'classifier', report: report as RunReport['comparisons'][number]['report'] }],
    notes: [],
    ...over,
  };
}
const posted = (r: RunReport, body: string) => `${markerComment(markerName(r.configPath))}\n${body}`;

test('neutraliseMentions and shortenText', () => {
  expect(neutraliseMentions('cc @acme/admins and @octocat, not a@b.com? (@x)')).toBe(`cc @${ZWSP}acme/admins and @${ZWSP}octocat, not a@${ZWSP}b.com? (@${ZWSP}x)`);
  expect(neutraliseMentions(neutraliseMentions('@a'))).toBe(`@${ZWSP}a`);
  expect(shortenText('x'.repeat(1500))).toBe(`${'x'.repeat(999)}…`);
  expect(shortenText(`${'x'.repeat(998)}😀tail`)).toBe(`${'x'.repeat(998)}…`);
  expect(textForGitHub({ '@k': ['@v', 3, true, null] })).toEqual({ [`@${ZWSP}k`]: [`@${ZWSP}v`, 3, true, null] });
});

test('@acme/admins as a class name, in the labels, a gate line, the notes and the config keys: nobody is mentioned', () => {
  const hostile = JSON.parse(JSON.stringify(gain).replaceAll('Trouser', '@acme/admins').replaceAll('models/cand.onnx', 'models/@acme/cand.onnx'));
  hostile.gates[0].line = `${hostile.gates[0].line} cc @acme/admins`;
  hostile.evalSet = { ...hostile.evalSet, notes: ['eval set: ping @acme/admins'] };
  const r = run(hostile, { notes: ['@acme/admins: please look'], configChangedKeys: ['gates.@acme/admins'] });
  expect(JSON.stringify(r)).toMatch(MENTION);
  const body = composeComment(r, reportingTaskFor, null);
  expect(body).not.toMatch(MENTION);
  expect(body).toContain(`@${ZWSP}acme/admins`);
  expect(body.split(`@${ZWSP}acme`).length - 1).toBeGreaterThanOrEqual(6);
  expect(body).toContain(GAIN_VERDICT);
});

describe.each([
  ['a 9 MB note on one line', (r: RunReport) => ({ ...r, notes: ['n'.repeat(9_000_000)] })],
  [
    'a 9 MB model label (it is in the heading, above the verdict)',
    (r: RunReport) => withReport(r, (rep) => ({ ...rep, models: { ...rep.models, candidate: { ...rep.models.candidate, label: `models/${'c'.repeat(9_000_000)}.onnx` } } })),
  ],
  ['a 9 MB gate line', (r: RunReport) => withReport(r, (rep) => ({ ...rep, gates: rep.gates.map((g, i) => (i === 0 ? { ...g, line: 'g'.repeat(9_000_000) } : g)) }))],
  [
    '9 MB of eval-set notes',
    (r: RunReport) => withReport(r, (rep) => ({ ...rep, evalSet: { ...rep.evalSet, notes: Array.from({ length: 90_000 }, (_, i) => `note ${i} ${'x'.repeat(90)}`) } })),
  ],
  ['a 9 MB class name', (r: RunReport) => JSON.parse(JSON.stringify(r).replaceAll('"Trouser"', `"${'t'.repeat(9_000_000)}"`))],
])('%s', (_name, hostile) => {
  test('the comment fits, and keeps the verdict line and the gate table', () => {
    const r = hostile(run(gain));
    expect(JSON.stringify(r).length).toBeGreaterThan(9_000_000);
    const body = composeComment(r, reportingTaskFor, null);
    expect(posted(r, body).length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain(GAIN_VERDICT);
    expect(body).toContain(GATE_TABLE);
    expect(body.indexOf(GAIN_VERDICT)).toBeLessThan(2000);
  });
});

function withReport(r: RunReport, edit: (report: typeof gain) => unknown): RunReport {
  return { ...r, comparisons: [{ name: 'classifier', report: edit(r.comparisons[0].report as typeof gain) as typeof gain }] };
}
