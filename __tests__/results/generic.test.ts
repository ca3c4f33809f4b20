/** Generic JSONL/CSV results, model-gate's own report.json, and pairing the two sides. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import { alignResults } from '../../src/tasks/results/align.js';
import { readResultSet } from '../../src/tasks/results/read.js';
import type { ReadOptions, ResultSet } from '../../src/tasks/results/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-results-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const options = (extra: Partial<ReadOptions> = {}): ReadOptions => ({ format: 'auto', metric: null, filter: null, columns: ['language'], scoreScale: 1, ...extra });

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

async function read(name: string, text: string, extra: Partial<ReadOptions> = {}, role: 'baseline' | 'candidate' = 'baseline'): Promise<ResultSet> {
  const path = await file(name, text);
  return readResultSet({ role, path, label: name }, options(extra));
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('CSV', () => {
  it('reads id + correct with quoted cells, slices and latency', async () => {
    const set = await read('a.csv', 'id,correct,language,latency_ms\r\n"q,1",1,en,12.5\r\nq2,0,"d""e",8\r\nq3,true,,9\r\n');
    expect(set.format).toBe('csv');
    expect(set.metric).toBe('correct');
    expect(set.records.map((r) => [r.id, r.value, r.slices, r.latencyMs])).toEqual([
      ['q,1', 1, { language: 'en' }, 12.5],
      ['q2', 0, { language: 'd"e' }, 8],
      ['q3', 1, {}, 9],
    ]);
  });

  it('reads prediction + label as right when equal, and a score column', async () => {
    expect((await read('b.csv', 'id,prediction,label\n1,cat,cat\n2,dog,cat\n')).records.map((r) => r.value)).toEqual([1, 0]);
    const scores = await read('c.csv', 'id,score,rouge\n1,0.25,0.5\n2,0.75,0.125\n');
    expect([scores.metric, scores.records.map((r) => r.value)]).toEqual(['score', [0.25, 0.75]]);
    const rouge = await read('c.csv', 'id,score,rouge\n1,0.25,0.5\n2,0.75,0.125\n', { metric: 'rouge' });
    expect([rouge.metric, rouge.records.map((r) => r.value)]).toEqual(['rouge', [0.5, 0.125]]);
  });

  it('names the file and line of bad input', async () => {
    expect(await errorOf(read('d.csv', 'id,correct\n1,1\n2,maybe\n'))).toBe(`${join(dir, 'd.csv')}:3: 'correct' must be a right/wrong outcome (true/false or 0/1), got "maybe"`);
    expect(await errorOf(read('e.csv', 'id,correct\n1,1\n1,0\n'))).toBe(`${join(dir, 'e.csv')}:3: id '1' appears again (first at ${join(dir, 'e.csv')}:2)`);
    expect(await errorOf(read('f.csv', 'id,correct\n1,1,3\n'))).toBe(`${join(dir, 'f.csv')}:2: 3 cells, but the header has 2 columns`);
    expect(await errorOf(read('g.csv', 'id,score\n1,37.5\n'))).toBe(`${join(dir, 'g.csv')}:2: 'score' is 37.5, outside [0, 1]; for scores on a 0–100 scale set results.score-scale: 100`);
    expect((await read('g.csv', 'id,score\n1,37.5\n', { scoreScale: 100 })).records[0].value).toBe(37.5);
    expect(await errorOf(read('h.csv', 'id,answer\n1,x\n'))).toMatch(/h\.csv:2: expected a column 'correct' \(0\/1\), 'prediction' and 'label', or 'score'/);
    expect(await errorOf(read('i.csv', 'id,correct,latency_ms\n1,1,-3\n'))).toMatch(/i\.csv:2: 'latency_ms' must be a non-negative number of milliseconds, got "-3"/);
  });
});

describe('JSONL and model-gate SampleRecords', () => {
  it('reads SampleRecords with nested slices and latencyMs', async () => {
    const set = await read('s.jsonl', '{"id": "a", "score": 0.5, "slices": {"language": "de"}, "latencyMs": 3}\n\n{"id": "b", "score": 1, "language": "en"}\n');
    expect(set.format).toBe('jsonl');
    expect(set.records.map((r) => [r.id, r.value, r.slices, r.latencyMs, r.where])).toEqual([
      ['a', 0.5, { language: 'de' }, 3, `${join(dir, 's.jsonl')}:1`],
      ['b', 1, { language: 'en' }, null, `${join(dir, 's.jsonl')}:3`],
    ]);
  });

  it('names the line of invalid JSON', async () => {
    expect(await errorOf(read('t.jsonl', '{"id": "a", "correct": 1}\n{"id": "b", correct: 1}\n'))).toMatch(new RegExp(`t\\.jsonl:2: not valid JSON`));
  });

  it("reads the side's samples of a model-gate report.json, or the side named after #", async () => {
    const report = {
      schemaVersion: 1,
      models: {
        baseline: {
          metric: 'acc',
          samples: [
            { id: 'x/1', correct: true, slices: { language: 'en' } },
            { id: 'x/2', correct: false },
          ],
        },
        candidate: {
          metric: 'acc',
          samples: [
            { id: 'x/1', correct: false },
            { id: 'x/2', correct: true, latencyMs: 4 },
          ],
        },
      },
    };
    const path = await file('shard/report.json', JSON.stringify(report));
    const base = await readResultSet({ role: 'baseline', path, label: 'report.json' }, options());
    expect([base.format, base.metric, base.records.map((r) => [r.id, r.value, r.slices])]).toEqual([
      'model-gate',
      'acc',
      [
        ['x/1', 1, { language: 'en' }],
        ['x/2', 0, {}],
      ],
    ]);
    const candAsBase = await readResultSet({ role: 'baseline', path: `${path}#candidate`, label: 'report.json' }, options());
    expect(candAsBase.records.map((r) => [r.value, r.latencyMs])).toEqual([
      [0, null],
      [1, 4],
    ]);
    expect(await errorOf(readResultSet({ role: 'baseline', path, label: 'r' }, options({ metric: 'acc_norm' })))).toMatch(/results.metric is 'acc_norm', but these samples are 'acc'/);
    const broken = await file('bad/report.json', JSON.stringify({ schemaVersion: 1, models: { baseline: { samples: [{ id: 'a', correct: true, score: 1 }] } } }));
    expect(await errorOf(readResultSet({ role: 'baseline', path: broken, label: 'r' }, options()))).toBe(
      `${broken}: models.baseline.samples[0]: expected exactly one of 'correct' and 'score'`,
    );
  });
});

describe('alignResults', () => {
  const set = (role: 'baseline' | 'candidate', rows: [string, number, Record<string, string>?, string?][]): ResultSet => ({
    role,
    label: role,
    path: `/${role}`,
    format: 'jsonl',
    metric: 'correct',
    files: [],
    records: rows.map(([id, value, slices, docHash]) => ({ id, value, slices: slices ?? {}, latencyMs: null, docHash: docHash ?? null, where: `/${role}:${id}` })),
  });
  const none = { allowMissing: false, derive: {} };

  it('pairs by id in natural order and decides binary vs continuous from both sides', () => {
    const aligned = alignResults(
      set('baseline', [
        ['t/10', 1],
        ['t/2', 0],
        ['t/1', 1],
      ]),
      set('candidate', [
        ['t/1', 0],
        ['t/10', 1],
        ['t/2', 1],
      ]),
      none,
    );
    expect(aligned.samples.map((s) => s.id)).toEqual(['t/1', 't/2', 't/10']);
    expect([aligned.baseline, aligned.candidate, aligned.kind]).toEqual([[1, 0, 1], [0, 1, 1], 'binary']);
    expect(alignResults(set('baseline', [['a', 1]]), set('candidate', [['a', 0.5]]), none).kind).toBe('continuous');
  });

  it('lists a few ids present in one set only, unless allow-missing, which reports the count dropped', () => {
    const base = set('baseline', [
      ['a', 1],
      ['b', 1],
      ['c', 0],
      ['d', 1],
      ['e', 1],
      ['f', 0],
      ['g', 1],
    ]);
    const cand = set('candidate', [
      ['a', 0],
      ['z', 1],
    ]);
    expect(() => alignResults(base, cand, none)).toThrow(
      "samples in only one result set: 6 only in the baseline ('b', 'c', 'd', 'e', 'f', …); 1 only in the candidate ('z'). Set results.allow-missing: true to compare the 1 samples both have",
    );
    const aligned = alignResults(base, cand, { allowMissing: true, derive: {} });
    expect([aligned.samples.length, aligned.dropped]).toEqual([1, { baselineOnly: 6, candidateOnly: 1, examples: ['b', 'c', 'd', 'e', 'f'] }]);
  });

  it('refuses pairs whose documents differ (doc_hash) or whose slices disagree', () => {
    expect(() => alignResults(set('baseline', [['a', 1, {}, 'h1']]), set('candidate', [['a', 1, {}, 'h2']]), none)).toThrow(
      /sample 'a': the two runs scored different documents \(doc_hash differs/,
    );
    expect(() => alignResults(set('baseline', [['a', 1, { language: 'en' }]]), set('candidate', [['a', 1, { language: 'de' }]]), none)).toThrow(
      "sample 'a': slice 'language' is 'en' in the baseline (/baseline:a) but 'de' in the candidate (/candidate:a)",
    );
  });

  it('derives a slice column from another with a pattern and a default', () => {
    const derive = { language: { from: 'task', pattern: '_(de|fr)$', default: 'en' }, family: { from: 'task', pattern: '^[a-z]+', default: null } };
    const rows: [string, number, Record<string, string>][] = [
      ['1', 1, { task: 'arc_de' }],
      ['2', 1, { task: 'hellaswag' }],
      ['3', 0, { task: '42' }],
    ];
    const aligned = alignResults(set('baseline', rows), set('candidate', rows), { allowMissing: false, derive });
    expect(aligned.samples.map((s) => s.slices)).toEqual([
      { task: 'arc_de', language: 'de', family: 'arc' },
      { task: 'hellaswag', language: 'en', family: 'hellaswag' },
      { task: '42', language: 'en' },
    ]);
  });
});
