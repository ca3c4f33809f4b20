/** The one comment cap and the one place text is cut: never a fence or a <details> left open. */
import { capComment, COMMENT_LIMIT, markerComment } from '../../src/report/comment-limit.js';
import { fencesBalanced } from '../helpers/fences.js';

const MARKER = markerComment('default');

test('markerComment cannot be closed early by the name', () => {
  expect(markerComment('vision')).toBe('<!-- model-gate:vision -->');
  const hostile = markerComment('x --> <script> <!-- y');
  expect(hostile.slice(4, -3)).not.toMatch(/--|>|</);
  expect(hostile.startsWith('<!--') && hostile.endsWith('-->')).toBe(true);
});

test('capComment keeps short bodies and cuts long ones to the limit, closing a code fence', () => {
  expect(capComment('short')).toBe('short');
  const long = `${MARKER}\n\`\`\`\n${'x'.repeat(70000)}`;
  const capped = capComment(long);
  expect(capped.length).toBeLessThanOrEqual(65536);
  expect(capped.startsWith(MARKER)).toBe(true);
  expect(capped.match(/```/g)).toHaveLength(2);
  expect(capped).toMatch(/comment cut to fit/);
  expect(capComment('a'.repeat(200), 100).length).toBeLessThanOrEqual(100);
  expect(capComment('a'.repeat(2000), 1000)).toMatch(/^a+\n\n_… comment cut/);
});

test('the cut is at a line end, and closes the fence and the <details> it falls in with their own markers', () => {
  const chart = ['<details><summary>chart</summary>', '', '~~~~mermaid', ...Array.from({ length: 2000 }, (_, i) => `  line ${i}`), '~~~~', '', '</details>'].join('\n');
  const body = `**verdict**\n\n${chart}\n\nfooter`;
  for (const limit of [1000, 5000, 20000]) {
    const capped = capComment(body, limit);
    expect(capped.length).toBeLessThanOrEqual(limit);
    expect(capped.startsWith('**verdict**\n')).toBe(true);
    expect(fencesBalanced(capped)).toBe(true);
    expect(capped.match(/<details>/g)?.length).toBe(capped.match(/<\/details>/g)?.length);
    // Whole lines only: every kept chart line is complete.
    expect(
      capped
        .split('\n')
        .filter((l) => l.startsWith('  line'))
        .every((l) => /^ {2}line \d+$/.test(l)),
    ).toBe(true);
    expect(capped).toMatch(/comment cut to fit/);
  }
});

test('a cut never splits a surrogate pair', () => {
  const body = `${'a'.repeat(COMMENT_LIMIT)}🙂`.repeat(2);
  for (let limit = 190; limit < 200; limit++) {
    const capped = capComment('🙂'.repeat(200), limit);
    expect(capped.length).toBeLessThanOrEqual(limit);
    expect(capped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  }
  expect(capComment(body).length).toBeLessThanOrEqual(COMMENT_LIMIT);
});
