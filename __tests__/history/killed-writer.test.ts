/**
 * A nightly run SIGKILLed while it writes the history (its whole process group, git children
 * included, as a cancelled job is killed): the history stays readable with every night it held,
 * and the next night appends after them. A real child process (append-forever.ts, bundled here)
 * appends without pause and is killed at a moment the test does not choose; each kill is checked.
 * The Action's branch store (git plumbing, one atomic push) and the CLI's --history file.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleScript } from '../helpers/bundle.mjs';
import { createGit } from '../../src/git/index.js';
import { parseHistory } from '../../src/history/record.js';
import { fileHistory, gitBranchHistory } from '../../src/history/store.js';
import { git, initRepo, makeTempDir } from '../models/git-fixture.js';
import { makeRecord } from './records.js';

const BRANCH = 'model-gate-history';
const FILE = 'history.jsonl';
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let script: string;

beforeAll(async () => {
  temp = await makeTempDir('mg-killed-writer-');
  script = await bundleScript('__tests__/history/append-forever.ts', join(temp.path, 'append-forever.mjs'));
}, 60_000);
afterAll(() => temp.cleanup());

/** Runs the writer from `first` until it has reported `confirmed` more nights, kills its process group a moment later, and returns the last night it reported. */
async function killMidWrite(args: string[], first: number, perAppend: number, confirmed: number, extraMs: number): Promise<number> {
  const child = spawn(process.execPath, [script, ...args, String(first), String(perAppend)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let last = first - 1;
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // 'close': after the exit and the last of its output, so every night it reported is counted.
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) last = Number(line);
      if (last >= first + confirmed * perAppend - 1) resolve();
    });
    void exited.then(() => resolve());
  });
  await new Promise((resolve) => setTimeout(resolve, extraMs));
  process.kill(-(child.pid as number), 'SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(stderr).toBe('');
  return last;
}

function nightsOf(text: string, source: string): { nights: number[]; skipped: number } {
  const { records, skipped } = parseHistory(text, source);
  return { nights: records.map((r) => Number.parseInt(r.commit, 16)), skipped: skipped.length };
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

test('the branch store: killed mid-append three times, the history holds every night written, in order, and the next night appends', async () => {
  const seed = await initRepo(join(temp.path, 'seed'));
  await seed.write('README.md', 'project');
  seed.commit('initial');
  const remote = join(temp.path, 'remote.git');
  git(temp.path, ['clone', '--quiet', '--bare', seed.dir, remote]);
  const clone = (name: string) => {
    git(temp.path, ['clone', '--quiet', remote, join(temp.path, name)]);
    return join(temp.path, name);
  };
  const onRemote = () => nightsOf(git(remote, ['cat-file', 'blob', `refs/heads/${BRANCH}:${FILE}`]), FILE);

  let next = 0;
  for (const [round, extraMs] of [7, 23, 41].entries()) {
    const reported = await killMidWrite(['branch', clone(`night-${round}`)], next, 1, 3, extraMs);
    const { nights, skipped } = onRemote();
    expect(skipped).toBe(0);
    // Every night it reported, and perhaps the one whose push landed as it was killed; nothing twice.
    expect([reported + 1, reported + 2]).toContain(nights.length);
    expect(nights).toEqual(upTo(nights.length));
    next = nights.length;
  }
  const log = { info: () => {}, warn: (m: string) => warnings.push(m) };
  const warnings: string[] = [];
  const store = gitBranchHistory({ git: createGit(clone('tomorrow'), process.env), remote: 'origin', branch: BRANCH, file: FILE, log });
  await store.append([makeRecord({ night: next, name: 'tomorrow' })]);
  expect(onRemote()).toEqual({ nights: upTo(next + 1), skipped: 0 });
  expect((await store.read()).at(-1)?.model.name).toBe('tomorrow');
  expect(warnings).toEqual([]);
}, 120_000);

test('the --history file: killed mid-append, at most a torn last line, skipped with a warning; earlier nights intact, the next night appends', async () => {
  const file = join(temp.path, 'history.jsonl');
  // 400 records (about 200 KB) per append, so a kill can land inside one write.
  const reported = await killMidWrite(['file', file], 0, 400, 2, 3);
  const text = await readFile(file, 'utf8');
  const { nights, skipped } = nightsOf(text, file);
  expect(nights).toEqual(upTo(nights.length));
  expect(nights.length).toBeGreaterThanOrEqual(reported + 1);
  expect(skipped).toBeLessThanOrEqual(1);
  expect(skipped === 1).toBe(!text.endsWith('\n'));

  const warnings: string[] = [];
  const store = fileHistory(file, { warn: (m) => warnings.push(m) });
  await store.append([makeRecord({ night: nights.length, name: 'tomorrow' })]);
  const after = await store.read();
  expect(after.map((r) => Number.parseInt(r.commit, 16))).toEqual(upTo(nights.length + 1));
  expect(after.at(-1)?.model.name).toBe('tomorrow');
  expect(warnings).toHaveLength(skipped);
}, 60_000);
