/**
 * The history branch against a real local bare remote and real clones (isolated git config, see
 * git-fixture.ts). Races are made both deterministic (a writer that always lands first, injected
 * just before the other's push) and real (several writers appending at once).
 */
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryRecord } from '../../src/contracts/history.js';
import { UserError } from '../../src/errors.js';
import { createGit, GitCommandError, type Git } from '../../src/git/index.js';
import { parseHistory, serializeRecord } from '../../src/history/record.js';
import { assertHistoryWritable, fileHistory, gitBranchHistory, type HistoryStore } from '../../src/history/store.js';
import { git, initRepo, makeTempDir } from '../models/git-fixture.js';
import { makeRecord } from './records.js';

const BRANCH = 'model-gate-history';
const FILE = 'history.jsonl';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let cloneCount = 0;
beforeAll(async () => {
  temp = await makeTempDir('mg-history-');
});
afterAll(async () => {
  await temp.cleanup();
});

/** A bare remote with a main branch, and a function that makes clones of it (the Action's checkouts). */
async function makeRemote(): Promise<{ remote: string; clone: () => string }> {
  const id = ++cloneCount;
  const seed = await initRepo(join(temp.path, `seed-${id}`));
  await seed.write('README.md', 'project');
  seed.commit('initial');
  const remote = join(temp.path, `remote-${id}.git`);
  git(temp.path, ['clone', '--quiet', '--bare', seed.dir, remote]);
  let n = 0;
  return {
    remote,
    clone() {
      const dir = join(temp.path, `clone-${id}-${++n}`);
      git(temp.path, ['clone', '--quiet', remote, dir]);
      return dir;
    },
  };
}

const warnings: string[] = [];
const log = { info: () => {}, warn: (message: string) => void warnings.push(message) };
/** The checkout's git, as the Action runs it (with this process's environment). */
const gitIn = (repoDir: string) => createGit(repoDir, process.env);
const store = (repoDir: string, extra: Partial<Parameters<typeof gitBranchHistory>[0]> = {}) =>
  gitBranchHistory({ git: gitIn(repoDir), remote: 'origin', branch: BRANCH, file: FILE, log, retryBaseMs: 5, ...extra });

/** The history file as the remote has it, parsed; fails the test on any unreadable line. */
function remoteHistory(remote: string): HistoryRecord[] {
  const { records, skipped } = parseHistory(git(remote, ['cat-file', 'blob', `refs/heads/${BRANCH}:${FILE}`]) + '\n', FILE);
  expect(skipped).toEqual([]);
  return records;
}
const tip = (remote: string) => git(remote, ['rev-parse', `refs/heads/${BRANCH}`]);
const nights = (records: HistoryRecord[]) => records.map((r) => `${r.model.name}@${r.timestamp.slice(0, 10)}`).sort();

/** Wraps the real git so that `before(args)` runs before each matching call. */
function gitWith(repoDir: string, on: string, before: (args: readonly string[]) => Promise<void>): Git {
  const real = gitIn(repoDir);
  return {
    ...real,
    async run(args, opts) {
      if (args[0] === on) await before(args);
      return real.run(args, opts);
    },
  };
}

describe('gitBranchHistory', () => {
  it('creates the branch as an orphan commit by model-gate, leaving the checkout alone', async () => {
    const { remote, clone } = await makeRemote();
    const dir = clone();
    const head = git(dir, ['rev-parse', 'HEAD']);
    const history = store(dir);
    expect(await history.read()).toEqual([]);
    const first = [makeRecord({ night: 0 }), makeRecord({ night: 0, name: 'detector' })];
    const { commit, attempts } = await history.append(first);
    expect(attempts).toBe(1);
    expect(tip(remote)).toBe(commit);
    expect(git(remote, ['log', '--format=%P|%an <%ae>|%cn <%ce>', commit])).toBe('|model-gate <model-gate@users.noreply.github.com>|model-gate <model-gate@users.noreply.github.com>');
    expect(git(remote, ['ls-tree', '--name-only', commit])).toBe(FILE);
    expect(git(remote, ['cat-file', 'blob', `${commit}:${FILE}`]) + '\n').toBe(first.map(serializeRecord).join(''));
    expect(await history.read()).toEqual(first);
    // the job's own checkout is untouched: same HEAD, clean tree, no local branch
    expect(git(dir, ['rev-parse', 'HEAD'])).toBe(head);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    expect(git(dir, ['branch', '--list', BRANCH])).toBe('');
  });

  it('appends on top of the previous commit, keeping the old bytes and any other file on the branch', async () => {
    const { remote, clone } = await makeRemote();
    // a branch made by hand: a README and a history whose last line was torn
    const manual = await initRepo(join(temp.path, 'manual'));
    const old = serializeRecord(makeRecord({ night: 0 }));
    await manual.write('README.md', 'nightly results');
    await manual.write(FILE, `${old}{"timestamp":"2025-01-0`);
    const manualTip = manual.commit('by hand');
    git(manual.dir, ['push', '--quiet', remote, `HEAD:refs/heads/${BRANCH}`]);

    const history = store(clone());
    warnings.length = 0;
    expect(await history.read()).toEqual([makeRecord({ night: 0 })]);
    expect(warnings).toEqual([`${BRANCH}:${FILE}:2: the last line is cut short (a writer was interrupted); ignored`]);

    const { commit } = await history.append([makeRecord({ night: 1 })]);
    expect(git(remote, ['rev-parse', `${commit}^`])).toBe(manualTip);
    expect(git(remote, ['cat-file', 'blob', `${commit}:README.md`])).toBe('nightly results');
    const text = git(remote, ['cat-file', 'blob', `${commit}:${FILE}`]) + '\n';
    // the torn line is fenced off by a newline, so it can't swallow the new record
    expect(text).toBe(`${old}{"timestamp":"2025-01-0\n${serializeRecord(makeRecord({ night: 1 }))}`);
    expect((await history.read()).map((r) => r.timestamp)).toEqual([makeRecord({ night: 0 }).timestamp, makeRecord({ night: 1 }).timestamp]);
  });

  it('starts the file on an existing branch that does not have it yet', async () => {
    const { remote, clone } = await makeRemote();
    const dir = clone();
    git(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${BRANCH}`]); // the branch holds only README.md
    const history = store(dir);
    expect(await history.read()).toEqual([]);
    const { commit } = await history.append([makeRecord()]);
    expect(git(remote, ['ls-tree', '--name-only', commit]).split('\n')).toEqual(['README.md', FILE]);
    expect(remoteHistory(remote)).toEqual([makeRecord()]);
  });

  it('works from a shallow checkout (actions/checkout fetches one commit by default)', async () => {
    const { remote, clone } = await makeRemote();
    await store(clone()).append([makeRecord({ night: 0 })]);
    const shallow = join(temp.path, `shallow-${cloneCount}`);
    git(temp.path, ['clone', '--quiet', '--depth=1', `file://${remote}`, shallow]);
    expect(git(shallow, ['rev-parse', '--is-shallow-repository'])).toBe('true');
    const history = store(shallow);
    expect(await history.read()).toEqual([makeRecord({ night: 0 })]);
    await history.append([makeRecord({ night: 1 })]);
    expect(nights(remoteHistory(remote))).toEqual(['classifier@2025-01-01', 'classifier@2025-01-02']);
  });

  it('retries when another writer pushes first, and keeps both records', async () => {
    const { remote, clone } = await makeRemote();
    const other = store(clone());
    await other.append([makeRecord({ night: 0 })]);
    const dir = clone();
    let raced = false;
    const history = store(dir, {
      git: gitWith(dir, 'push', async () => {
        if (raced) return;
        raced = true;
        await other.append([makeRecord({ night: 1, name: 'other' })]); // lands between our fetch and our push
      }),
    });
    const { attempts } = await history.append([makeRecord({ night: 1 })]);
    expect(attempts).toBe(2);
    expect(nights(remoteHistory(remote))).toEqual(['classifier@2025-01-01', 'classifier@2025-01-02', 'other@2025-01-02']);
  });

  it('loses no record and writes none twice when several writers race, round after round', async () => {
    const { remote, clone } = await makeRemote();
    const writers = ['w1', 'w2', 'w3'].map((name) => ({ name, history: store(clone(), { maxAttempts: 20 }) }));
    const attempts: number[] = [];
    for (let round = 0; round < 4; round++) {
      // round 0 also races the creation of the branch itself
      const results = await Promise.all(writers.map(({ name, history }) => history.append([makeRecord({ night: round, name })])));
      attempts.push(...results.map((r) => r.attempts));
    }
    const expected = writers.flatMap(({ name }) => [0, 1, 2, 3].map((round) => `${name}@2025-01-0${round + 1}`)).sort();
    expect(nights(remoteHistory(remote))).toEqual(expected);
    expect(git(remote, ['rev-list', '--count', `refs/heads/${BRANCH}`])).toBe('12');
    // attempts reach 2-3 here in practice (real races); the deterministic race is the test above
    expect(attempts).toHaveLength(12);
  });

  it('leaves the previous history intact when the run dies between commit-tree and push', async () => {
    const { remote, clone } = await makeRemote();
    await store(clone()).append([makeRecord({ night: 0 })]);
    const before = tip(remote);
    const dir = clone();
    const dying = store(dir, {
      git: gitWith(dir, 'push', async () => {
        throw new Error('SIGKILL'); // the process is gone: commit-tree ran, push never did
      }),
    });
    await expect(dying.append([makeRecord({ night: 1 })])).rejects.toThrow('SIGKILL');
    expect(tip(remote)).toBe(before);
    expect(nights(remoteHistory(remote))).toEqual(['classifier@2025-01-01']);
    // the next night writes normally, without the dead run's record
    await store(clone()).append([makeRecord({ night: 2 })]);
    expect(nights(remoteHistory(remote))).toEqual(['classifier@2025-01-01', 'classifier@2025-01-03']);
  });

  it('leaves a complete history, old or new, when git push itself is SIGKILLed mid-flight', async () => {
    const { remote, clone } = await makeRemote();
    await store(clone()).append([makeRecord({ night: 0 })]);
    const dir = clone();
    for (const delayMs of [0, 5, 20]) {
      const real = gitIn(dir);
      const killedPush: Git = {
        ...real,
        async run(args, opts) {
          if (args[0] !== 'push') return real.run(args, opts);
          const child = spawn('git', [...args], { cwd: dir, stdio: 'ignore' });
          setTimeout(() => child.kill('SIGKILL'), delayMs);
          const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
          throw new GitCommandError(args, code, 'killed');
        },
      };
      await expect(store(dir, { git: killedPush }).append([makeRecord({ night: 1, name: `killed-${delayMs}` })])).rejects.toThrow();
      const names = nights(remoteHistory(remote)); // always a whole file: no torn or missing line
      expect(names[0]).toBe('classifier@2025-01-01');
      expect(names.slice(1).every((n) => /^killed-\d+@2025-01-02$/.test(n))).toBe(true);
    }
    // A killed client's receive-pack may still finish on the remote: either way the branch stays
    // writable and the repository sound.
    await store(clone()).append([makeRecord({ night: 2 })]);
    expect(nights(remoteHistory(remote))).toContain('classifier@2025-01-03');
    expect(git(remote, ['fsck', '--no-dangling', '--no-progress'])).toBe('');
  });

  it('does not append twice when a push landed but was reported as lost', async () => {
    const { remote, clone } = await makeRemote();
    const dir = clone();
    const real = gitIn(dir);
    let first = true;
    const lostAnswer: Git = {
      ...real,
      async run(args, opts) {
        const result = await real.run(args, opts);
        if (args[0] === 'push' && first) {
          first = false;
          throw new GitCommandError(args, 1, '! [rejected] (non-fast-forward)');
        }
        return result;
      },
    };
    const { attempts } = await store(dir, { git: lostAnswer }).append([makeRecord({ night: 0 })]);
    expect(attempts).toBe(1);
    expect(nights(remoteHistory(remote))).toEqual(['classifier@2025-01-01']);
  });

  it('gives up after maxAttempts when other writers keep winning', async () => {
    const { clone } = await makeRemote();
    const other = store(clone());
    const dir = clone();
    let night = 10;
    const history = store(dir, { maxAttempts: 3, git: gitWith(dir, 'push', async () => void (await other.append([makeRecord({ night: night++ })]))) });
    const attempt = history.append([makeRecord({ night: 0 })]);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow('other writers moved the branch on each of 3 attempts');
  });

  it('fails at once, without retrying, when the remote refuses the push for another reason', async () => {
    const { remote, clone } = await makeRemote();
    await writeFile(join(remote, 'hooks', 'pre-receive'), '#!/bin/sh\necho "protected branch" >&2\nexit 1\n');
    await chmod(join(remote, 'hooks', 'pre-receive'), 0o755);
    const dir = clone();
    let pushes = 0;
    const history = store(dir, { git: gitWith(dir, 'push', async () => void pushes++) });
    await expect(history.append([makeRecord()])).rejects.toThrow(/pre-receive hook declined/);
    expect(pushes).toBe(1);
  });

  it('refuses a file name with a folder in it', () => {
    expect(() => store('/nowhere', { file: 'a/history.jsonl' })).toThrow(UserError);
  });
});

describe('assertHistoryWritable', () => {
  it('refuses pull_request and pull_request_target, allows schedule and workflow_dispatch', () => {
    expect(() => assertHistoryWritable('pull_request')).toThrow(UserError);
    expect(() => assertHistoryWritable('pull_request_target')).toThrow(/never written from pull_request_target/);
    expect(() => assertHistoryWritable('schedule')).not.toThrow();
    expect(() => assertHistoryWritable('workflow_dispatch')).not.toThrow();
  });
});

describe('fileHistory', () => {
  it('creates the file, appends whole lines, and fences off a torn last line', async () => {
    const path = join(temp.path, 'local.jsonl');
    const history: HistoryStore = fileHistory(path, log);
    expect(await history.read()).toEqual([]);
    await history.append([makeRecord({ night: 0 })]);
    await writeFile(path, (await readFile(path, 'utf8')) + '{"timestamp":"20', { flag: 'w' });
    await history.append([makeRecord({ night: 1 })]);
    warnings.length = 0;
    expect((await history.read()).map((r) => r.timestamp)).toEqual([makeRecord({ night: 0 }).timestamp, makeRecord({ night: 1 }).timestamp]);
    expect(warnings).toEqual([`${path}:2: not valid JSON`]);
  });
});
