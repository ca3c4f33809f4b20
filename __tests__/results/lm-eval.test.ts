/**
 * The lm-evaluation-harness reader on fixtures written in each harness version's own layout by
 * scripts/reference/lm-eval-fixtures.py (which names the harness commits it follows).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, afterAll, beforeAll } from '@jest/globals';
import type { ResultsRef } from '../../src/config/types.js';
import { UserError } from '../../src/errors.js';
import { readResultSet } from '../../src/tasks/results/read.js';
import type { ReadOptions } from '../../src/tasks/results/types.js';

const FIXTURES = join(process.cwd(), '__tests__/fixtures/results');
// The outcomes lm-eval-fixtures.py wrote into every layout (its ACC / ACC_NORM inputs).
const ACC_NORM = { baseline: [1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1], candidate: [1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 0] };
const ACC = { baseline: [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1], candidate: [1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0] };

const options = (extra: Partial<ReadOptions> = {}): ReadOptions => ({ format: 'auto', metric: 'acc_norm', filter: null, columns: ['task'], scoreScale: 1, ...extra });
const ref = (path: string, role: 'baseline' | 'candidate' = 'baseline'): ResultsRef => ({ role, path, label: path });

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

const LAYOUTS = [
  ['lm-eval-0.3', 'lm-evaluation-harness 0.3 (--write_out JSON array)'],
  ['lm-eval-0.4.0', 'lm-evaluation-harness 0.4.0–0.4.2 (--log_samples JSON array)'],
  ['lm-eval-0.4.3', 'lm-evaluation-harness 0.4.3–0.4.6 (samples JSONL)'],
  ['lm-eval-0.4.7', 'lm-evaluation-harness >= 0.4.7 (samples JSONL with filter)'],
] as const;

describe('readResultSet on lm-evaluation-harness files', () => {
  for (const [folder, variant] of LAYOUTS) {
    for (const role of ['baseline', 'candidate'] as const) {
      it(`${folder} ${role}: reads arc_easy's twelve documents with their acc_norm and acc`, async () => {
        const file = folder === 'lm-eval-0.4.7' ? `samples_arc_easy_${role === 'baseline' ? '2025-02-01T10-00-00.000001' : '2025-02-02T11-30-00.500000'}.jsonl` : null;
        const path = join(FIXTURES, folder, role, ...(file ? [file] : []));
        for (const [metric, expected] of [
          ['acc_norm', ACC_NORM[role]],
          ['acc', ACC[role]],
        ] as const) {
          const set = await readResultSet(ref(path, role), options({ metric }));
          expect(set.format).toBe('lm-eval');
          expect(set.metric).toBe(metric);
          expect(set.files.map((f) => [f.task, f.variant, f.records])).toEqual([['arc_easy', variant, 12]]);
          expect(set.records.map((r) => r.id)).toEqual(expected.map((_, i) => `arc_easy/${i}`));
          expect(set.records.map((r) => r.value)).toEqual(expected);
          expect(set.records.every((r) => r.slices.task === 'arc_easy')).toBe(true);
          expect(set.records[0].docHash === null).toBe(folder === 'lm-eval-0.3' || folder === 'lm-eval-0.4.0');
        }
      });
    }
  }

  it('takes the task of a 0.4.0 file from results.json, not from the model_args prefix', async () => {
    const set = await readResultSet(ref(join(FIXTURES, 'lm-eval-0.4.0/candidate')), options());
    expect(set.files[0].name).toBe('pretrained__EleutherAI__pythia-410m_arc_easy.jsonl');
    expect(set.records[3].id).toBe('arc_easy/3');
  });

  it('0.4.7: a task with two filters needs results.filter, and then reads that filter only', async () => {
    const folder = join(FIXTURES, 'lm-eval-0.4.7/baseline');
    expect(await errorOf(readResultSet(ref(folder), options({ metric: null })))).toMatch(/samples_arc_easy_.*\.jsonl: records have several metrics \(acc, acc_norm\); set results.metric/);
    expect(await errorOf(readResultSet(ref(folder), options({ metric: 'exact_match' })))).toMatch(
      /samples_arc_easy_.*\.jsonl:1: no field 'exact_match' \(results.metric\); this record has acc, acc_norm/,
    );
    const gsm = join(folder, 'samples_gsm8k_2025-02-01T10-00-00.000001.jsonl');
    expect(await errorOf(readResultSet(ref(gsm), options({ metric: null })))).toMatch(
      /samples_gsm8k_.*: records for several filters \('strict-match', 'flexible-extract'\); set results.filter/,
    );
    expect(await errorOf(readResultSet(ref(gsm), options({ metric: null, filter: 'none' })))).toMatch(
      /results.filter is 'none', but this file's records have filter 'strict-match', 'flexible-extract'/,
    );
    for (const [filter, expected] of [
      ['strict-match', [1, 0, 1, 0]],
      ['flexible-extract', [0, 1, 0, 1]],
    ] as const) {
      const set = await readResultSet(ref(gsm), options({ metric: null, filter }));
      expect(set.metric).toBe('exact_match');
      expect(set.files[0].filter).toBe(filter);
      expect(set.records.map((r) => [r.id, r.value])).toEqual(expected.map((v, i) => [`gsm8k/${i}`, v]));
    }
  });

  it('0.4.3: refuses a two-filter task, whose records per document cannot be told apart', async () => {
    const message = await errorOf(readResultSet(ref(join(FIXTURES, 'lm-eval-0.4.3-two-filters/baseline')), options({ metric: 'exact_match' })));
    expect(message).toMatch(/samples_gsm8k_.*\.jsonl:5: doc_id 0 appears again \(first on line 1\) \(lm-evaluation-harness before 0.4.7 writes one record per filter/);
  });

  it('refuses a corpus-level metric, whose per-sample value is a pair, naming the file and line', async () => {
    const message = await errorOf(readResultSet(ref(join(FIXTURES, 'lm-eval-corpus-metric')), options({ metric: 'bleu' })));
    expect(message).toMatch(/samples_wmt16_de_en_.*\.jsonl:1: 'bleu' is \["Hello world","Hello world"\], not a per-sample score/);
  });

  describe('on edited copies', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mg-lm-eval-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('names the line of a NaN metric (Python json.dumps writes a bare NaN)', async () => {
      const file = join(dir, 'samples_boolq_2025-01-01T00-00-00.000001.jsonl');
      await writeFile(file, '{"doc_id": 0, "doc": {}, "filter": "none", "acc": 1.0}\n{"doc_id": 1, "doc": {}, "filter": "none", "acc": NaN}\n');
      expect(await errorOf(readResultSet(ref(file), options({ metric: 'acc' })))).toBe(`${file}:2: 'acc' is NaN, not a finite number`);
    });

    it('refuses two runs of the same task in one folder', async () => {
      const folder = join(dir, 'two-runs');
      const source = join(FIXTURES, 'lm-eval-0.4.7/baseline/samples_arc_easy_2025-02-01T10-00-00.000001.jsonl');
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder);
      await copyFile(source, join(folder, 'samples_arc_easy_2025-02-01T10-00-00.000001.jsonl'));
      await copyFile(source, join(folder, 'samples_arc_easy_2025-03-01T10-00-00.000001.jsonl'));
      expect(await errorOf(readResultSet(ref(folder), options()))).toMatch(/samples_arc_easy_2025-03-01.*: a second file for task 'arc_easy' \(the first is .*samples_arc_easy_2025-02-01/);
    });

    it('refuses a metric or filter name that would end a code span or a table cell in the comment', async () => {
      const file = join(dir, 'samples_evil_2025-01-01T00-00-00.000001.jsonl');
      await writeFile(file, `${JSON.stringify({ doc_id: 0, doc: {}, filter: 'x|<img src=https://e.invalid/p.png>', metrics: ['acc'], acc: 1 })}\n`);
      expect(await errorOf(readResultSet(ref(file), options({ metric: null })))).toBe(
        `${file}: the filter name "x|<img src=https://e.invalid/p.png>" is not a plain name (letters, digits and _ . @ : + - / = ( ) , or spaces)`,
      );
      await writeFile(file, `${JSON.stringify({ doc_id: 0, doc: {}, filter: 'none', metrics: ['a``b'], 'a``b': 1 })}\n`);
      expect(await errorOf(readResultSet(ref(file), options({ metric: null })))).toMatch(/the metric name "a``b" is not a plain name/);
    });

    it('slices by a field of the document (doc.<field>)', async () => {
      const file = join(dir, 'samples_mmlu_2025-01-01T00-00-00.000001.jsonl');
      const line = (id: number, subject: string, acc: number) => JSON.stringify({ doc_id: id, doc: { subject }, filter: 'none', metrics: ['acc'], acc });
      await writeFile(file, [line(0, 'anatomy', 1), line(1, 'virology', 0), line(2, 'anatomy', 0)].join('\n') + '\n');
      const set = await readResultSet(ref(file), options({ metric: null, columns: ['task', 'doc.subject'] }));
      expect(set.records.map((r) => r.slices)).toEqual([
        { task: 'mmlu', 'doc.subject': 'anatomy' },
        { task: 'mmlu', 'doc.subject': 'virology' },
        { task: 'mmlu', 'doc.subject': 'anatomy' },
      ]);
    });
  });
});
