/**
 * The Action run's one comment always fits GitHub's limit, and what gives way is chosen: detail
 * sections and notes go first; every model's verdict line and gate table stay.
 */
import type { RunReport } from '../../src/contracts/run.js';
import { COMMENT_LIMIT, markerComment } from '../../src/report/comment-limit.js';
import { composeComment, markerName } from '../../src/report/run-comment.js';
import { reportingTaskFor } from '../../src/tasks/index.js';
import { around, syntheticReport } from './fixtures.js';
import { fencesBalanced } from '../helpers/fences.js';

const gain = syntheticReport({ a: 8468, b: 243, c: 600, d: 689 }, { base: around(0.026), cand: around(0.041) });
const noise = syntheticReport({ a: 9940, b: 25, c: 30, d: 5 }, { base: around(1.0), cand: around(1.0) });
const GAIN_VERDICT = '**❌ Gate failed:** p50 latency ×1.58, at least +55.4% (limit +25%). **Accuracy: real gain**, the candidate fixes **27.7%** of baseline errors';
const NOISE_VERDICT = '**✅ Gates passed.** **Accuracy: not distinguishable from noise**, +0.05 pt top-1';
const GATE_TABLE = '| gate                     | limit | judged';

function run(over: Partial<RunReport> = {}): RunReport {
  return {
    schemaVersion: 1,
    kind: 'model-gate-run',
    verdict: 'fail',
    configPath: '.github/model-gate.yml',
    configSource: 'base',
    configChangedKeys: [],
    pullRequest: { number: 7, baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) },
    comparisons: [
      { name: 'classifier', report: gain },
      { name: 'second', report: noise },
    ],
    notes: ['detector: new in this PR (no baseline at 1234567); nothing to compare it with.'],
    ...over,
  };
}

/** The comment as GitHub receives it: the publisher's marker line on top. */
const posted = (r: RunReport, body: string) => `${markerComment(markerName(r.configPath))}\n${body}`;
const count = (text: string, needle: string) => text.split(needle).length - 1;

test('an ordinary run keeps everything: both models with their details, the notes and the artifact link', () => {
  const r = run();
  const body = composeComment(r, reportingTaskFor, 'https://github.com/o/r/actions/runs/9');
  expect(posted(r, body).length).toBeLessThanOrEqual(COMMENT_LIMIT);
  expect(body).toContain(GAIN_VERDICT);
  expect(body).toContain(NOISE_VERDICT);
  expect(count(body, GATE_TABLE)).toBe(2);
  expect(count(body, 'Samples that flipped')).toBe(2);
  expect(body).not.toMatch(/left out to fit/);
  expect(body).toContain('- detector: new in this PR');
  expect(body).toContain('[artifact `model-gate-report`](https://github.com/o/r/actions/runs/9) (`classifier.html`, `second.html`)');
  expect(fencesBalanced(body)).toBe(true);
});

test('~9 MB of notes are cut, never a verdict or a gate table', () => {
  const notes = Array.from({ length: 90_000 }, (_, i) => `model-${i}: ${'a note that goes on '.repeat(5)}`);
  const r = run({ notes });
  const body = composeComment(r, reportingTaskFor, null);
  expect(notes.join('\n').length).toBeGreaterThan(9_000_000);
  expect(posted(r, body).length).toBeLessThanOrEqual(COMMENT_LIMIT);
  expect(body).toContain(GAIN_VERDICT);
  expect(body).toContain(NOISE_VERDICT);
  expect(count(body, GATE_TABLE)).toBe(2);
  expect(body).toContain('- model-0: a note');
  expect(body).toMatch(/comment cut to fit GitHub's size limit/);
  expect(body).toContain('Full report with the gallery of flipped images');
  expect(fencesBalanced(body)).toBe(true);
  // The details still get half of the room the notes could have taken.
  expect(count(body, '<details>')).toBeGreaterThan(0);
});

test('a tight limit drops detail sections before anything else', () => {
  const r = run();
  const body = composeComment(r, reportingTaskFor, null, 9000);
  expect(posted(r, body).length).toBeLessThanOrEqual(9000);
  expect(body).toContain(GAIN_VERDICT);
  expect(body).toContain(NOISE_VERDICT);
  expect(count(body, GATE_TABLE)).toBe(2);
  expect(body).toMatch(/detail sections? left out to fit the comment limit/);
  expect(body).toContain('- detector: new in this PR');
  expect(fencesBalanced(body)).toBe(true);
});

test('config keys from the PR cannot crowd out the verdicts, however long', () => {
  const r = run({ configChangedKeys: Array.from({ length: 50 }, (_, i) => `k${i}.${'x'.repeat(200_000)}`) });
  const body = composeComment(r, reportingTaskFor, null);
  expect(posted(r, body).length).toBeLessThanOrEqual(COMMENT_LIMIT);
  expect(body.startsWith('> [!NOTE]\n> This PR changes `.github/model-gate.yml`: `k0.xxx')).toBe(true);
  expect(body).toContain(', …. The base branch');
  expect(body).toContain(GAIN_VERDICT);
  expect(count(body, GATE_TABLE)).toBe(2);
});

test('when the verdicts alone do not fit (dozens of models), the end is cut, once, with the fences closed', () => {
  const comparisons = Array.from({ length: 60 }, (_, i) => ({ name: `model-${i}`, report: i % 2 === 0 ? gain : noise }));
  const r = run({ comparisons });
  const body = composeComment(r, reportingTaskFor, null);
  expect(posted(r, body).length).toBeLessThanOrEqual(COMMENT_LIMIT);
  expect(body.startsWith('### model-gate · model-0 ·')).toBe(true);
  expect(body).toContain(GAIN_VERDICT);
  expect(count(body, "comment cut to fit GitHub's size limit")).toBe(1);
  expect(fencesBalanced(body)).toBe(true);
});

test('when the artifact upload failed, the comment says why and links to no artifact', () => {
  const r = run();
  const body = composeComment(r, reportingTaskFor, 'https://github.com/o/r/actions/runs/9', COMMENT_LIMIT, 'artifact upload failed: 503 Service Unavailable');
  expect(body).not.toContain('actions/runs/9');
  expect(body).not.toContain('Full report with the gallery');
  expect(body).toContain(
    'The full report (`classifier.html`, `second.html`, report.json) could not be uploaded as artifact `model-gate-report`: artifact upload failed: 503 Service Unavailable.',
  );
});
