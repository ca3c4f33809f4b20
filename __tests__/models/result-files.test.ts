/** task: results' sides in the Action: a result file or folder read at a commit from a real git repository. */
import { readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import { createGit } from '../../src/git/index.js';
import { entrySourceFor } from '../../src/models/entries.js';
import { isResultSetChange, materializeResultSet } from '../../src/models/result-files.js';
import { hasGitLfs, initRepo, lfsClean, makeTempDir } from './git-fixture.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let repoDir: string;
const sha: Record<string, string> = {};
const side = (name: string) => ({ git: createGit(repoDir, process.env), sha: sha[name], label: name });

beforeAll(async () => {
  temp = await makeTempDir('mg-result-files-');
  const repo = await initRepo(join(temp.path, 'repo'));
  repoDir = repo.dir;
  await repo.write('evals/llm/samples_arc_2024.jsonl', '{"doc_id": 0, "acc": 1.0}\n');
  await repo.write('evals/llm/samples_gsm8k_2024.jsonl', '{"doc_id": 0, "exact_match": 0.0}\n');
  await repo.write('evals/llm/results_2024.json', '{"results": {}}\n');
  await repo.write('evals/llm/README.md', 'not a result file\n');
  await repo.write('evals/llm/old/samples_arc_2023.jsonl', '{"doc_id": 0, "acc": 0.0}\n');
  await repo.write('evals/one.csv', 'id,correct\na,1\n');
  sha.base = repo.commit('results');
  await repo.write('evals/llm/samples_arc_2024.jsonl', '{"doc_id": 0, "acc": 0.0}\n');
  await symlink('/etc/hostname', join(repoDir, 'evals/llm/samples_leak.jsonl'));
  sha.link = repo.commit('a symlink among the results');
  if (hasGitLfs) {
    await repo.write('evals/lfs/.keep', '');
    await repo.write('evals/lfs/samples_big.jsonl', lfsClean(repoDir, 'evals/lfs/samples_big.jsonl', Buffer.from('{"doc_id": 7, "acc": 1}\n')));
    sha.lfs = repo.commit('results in LFS');
  }
}, 60_000);
afterAll(() => temp?.cleanup());

describe('result sets at a commit', () => {
  it('copies the result files directly in the folder (not README, not subfolders), as they are at that commit', async () => {
    const got = await materializeResultSet({ name: 'llm', path: 'evals/llm' }, side('base'), join(temp.path, 'work'));
    expect(got?.label).toBe('evals/llm @ base');
    expect((await readdir(got!.file)).sort()).toEqual(['results_2024.json', 'samples_arc_2024.jsonl', 'samples_gsm8k_2024.jsonl']);
    expect(await readFile(join(got!.file, 'samples_arc_2024.jsonl'), 'utf8')).toBe('{"doc_id": 0, "acc": 1.0}\n');
  });

  it('copies a single file, keeps a #side suffix out of the file name, and gives null where the path is absent', async () => {
    const one = await materializeResultSet({ name: 'one', path: 'evals/one.csv' }, side('base'), join(temp.path, 'work'));
    expect(await readFile(one!.file, 'utf8')).toBe('id,correct\na,1\n');
    const report = await materializeResultSet({ name: 'rep', path: 'evals/one.csv#candidate' }, side('base'), join(temp.path, 'work'));
    expect(report!.file.endsWith('one.csv#candidate')).toBe(true);
    expect(await materializeResultSet({ name: 'gone', path: 'evals/none' }, side('base'), join(temp.path, 'work'))).toBeNull();
  });

  it('refuses a symbolic link in the folder, naming it', async () => {
    const error = await materializeResultSet({ name: 'llm', path: 'evals/llm' }, side('link'), join(temp.path, 'work2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(`evals/llm@${sha.link.slice(0, 7)}/samples_leak.jsonl is a symbolic link; commit the result file itself (models "llm")`);
  });

  (hasGitLfs ? it : it.skip)('resolves Git LFS pointers to the bytes they stand for', async () => {
    const got = await materializeResultSet({ name: 'lfs', path: 'evals/lfs' }, side('lfs'), join(temp.path, 'work3'));
    expect(await readFile(join(got!.file, 'samples_big.jsonl'), 'utf8')).toBe('{"doc_id": 7, "acc": 1}\n');
  });

  it('counts a change to the file, or to a file directly in the folder, and nothing else', () => {
    const entry = { name: 'llm', path: 'evals/llm' };
    expect(isResultSetChange(entry, ['evals/llm/samples_arc_2024.jsonl'])).toBe(true);
    expect(isResultSetChange(entry, ['evals/llm'])).toBe(true);
    expect(isResultSetChange(entry, ['evals/llm/old/samples_arc_2023.jsonl', 'evals/llm-2/x.jsonl', 'evals/one.csv'])).toBe(false);
    expect(isResultSetChange({ name: 'r', path: 'reports/run.json#candidate' }, ['reports/run.json'])).toBe(true);
  });

  it('is what a task: results config reads a models[] entry as; other configs read models', () => {
    const results = entrySourceFor({ results: {} as never });
    const models = entrySourceFor({});
    expect(results.isRelevant({ name: 'llm', path: 'evals/llm' }, ['evals/llm/a.jsonl'])).toBe(true);
    // A model's folder: any non-.onnx file next to it may be its external data.
    expect(models.isRelevant({ name: 'm', path: 'models/m.onnx' }, ['models/weights.bin'])).toBe(true);
    expect(results.isRelevant({ name: 'r', path: 'evals/one.csv' }, ['evals/other.csv'])).toBe(false);
  });
});
