import { latencyRegression } from '../../src/history/drift.js';
import { rerunWarning } from '../../src/nightly/run.js';
import { makeRecord, referenceHistory } from '../history/records.js';

test('the rerun warning names the model once (issue 13, item 7)', () => {
  const { finding } = latencyRegression(referenceHistory(), makeRecord({ night: 10, p50Ms: 150 }), { threshold: 0.1 });
  if (!finding) throw new Error('expected a latency finding for 150 ms against a median of 100 ms');
  const line = rerunWarning(finding);
  expect(line.split('classifier').length - 1).toBe(1);
  expect(line).toBe(`${finding.message.slice(0, -1)}; measuring once more to confirm.`);
  expect(line.startsWith('classifier: batch-1 p50 latency 150 ms vs a median of 100 ms over the last 10 comparable nights (+50.0%')).toBe(true);
});
