import type { HistoryRecord } from '../../src/contracts/history.js';
import { renderNightly } from '../../src/nightly/render.js';
import type { NightlyReport } from '../../src/nightly/run.js';
import { COMMENT_LIMIT, markerComment } from '../../src/report/comment-limit.js';
import { makeRecord, referenceHistory } from '../history/records.js';

const report = (history: HistoryRecord[], tonight: HistoryRecord): NightlyReport => ({
  schemaVersion: 1,
  kind: 'model-gate-nightly',
  verdict: 'pass',
  records: [tonight],
  findings: [],
  history,
});

describe('renderNightly', () => {
  it('on a clean night with a full history, says accuracy was identical and latency in range', () => {
    const markdown = renderNightly(report(referenceHistory(), makeRecord({ night: 10 })), 'model-gate.yml');
    expect(markdown).toContain('**✅ No drift or regression.** Accuracy is identical to the last night with the same model and eval set, and p50 latency is within its usual range.');
  });

  it('on a first night, claims no comparison that was not made', () => {
    const markdown = renderNightly(report([], makeRecord({ night: 0 })), 'model-gate.yml');
    expect(markdown).not.toContain('identical to the last night');
    expect(markdown).not.toContain('within its usual range');
    expect(markdown).toContain(
      'Accuracy not compared for `classifier`: no earlier night with the same model and eval set; p50 latency not judged for `classifier`: fewer than 5 comparable nights so far.',
    );
  });

  it('with a few nights, compares accuracy but does not vouch for latency yet', () => {
    const markdown = renderNightly(report(referenceHistory().slice(0, 3), makeRecord({ night: 3 })), 'model-gate.yml');
    expect(markdown).toContain('Accuracy is identical to the last night with the same model and eval set; p50 latency not judged for `classifier`');
  });

  it('fits the tracking issue: with many models, charts are left out (last first) before the figures', () => {
    const names = Array.from({ length: 200 }, (_, i) => `model-${String(i).padStart(3, '0')}`);
    const history = names.flatMap((name) => referenceHistory().map((r) => ({ ...r, model: { ...r.model, name } })));
    const tonight = names.map((name) => makeRecord({ night: 10, name }));
    const markdown = renderNightly({ ...report(history, tonight[0]), records: tonight }, 'model-gate.yml');
    expect(`${markerComment('model-gate.yml')}\n${markdown}`.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(markdown).toContain('**✅ No drift or regression.**');
    for (const name of names) expect(markdown).toContain(`| \`${name}\``);
    expect(markdown).toContain('<details><summary>model-000: last 30 nights</summary>');
    expect(markdown).not.toContain('<details><summary>model-199: last 30 nights</summary>');
    expect(markdown).toMatch(/_\d+ charts left out to fit the comment limit; the history file has every night\._\n$/);
  });
});
