/**
 * The nightly history as a JSON Lines file on a dedicated branch (default `model-gate-history`),
 * written with plain git plumbing: no checkout of the branch, so the job's working tree is never
 * touched. Each append builds blob → tree → commit on top of the branch tip it just fetched and
 * pushes that commit without force:
 * - a push is one atomic ref update, so a run killed at any point has pushed a whole commit or
 *   nothing, and the previous history stays intact and readable;
 * - a racing writer makes our push non-fast-forward; we fetch its commit, rebuild on top of it
 *   and push again (backoff with jitter), so no record is ever lost or written twice.
 * The store knows nothing of events: the caller refuses PR runs with assertHistoryWritable.
 */
import { appendFile, readFile } from 'node:fs/promises';
import type { HistoryRecord } from '../contracts/history.js';
import { UserError } from '../errors.js';
import { GitCommandError, type Git, type GitRunOptions } from '../git/index.js';
import type { Progress } from '../progress.js';
import { parseHistory, serializeRecord } from './record.js';

export interface HistoryStore {
  read(): Promise<HistoryRecord[]>;
  append(records: HistoryRecord[]): Promise<{ commit: string; attempts: number }>;
}

export interface GitBranchHistoryOptions {
  /** The repository (the job's checkout) whose remote holds the branch; tests hand in one that fails at a chosen step. */
  git: Git;
  /** Usually 'origin'. */
  remote: string;
  branch: string;
  /** A file name at the root of the branch, e.g. 'history.jsonl'. */
  file: string;
  log: Pick<Progress, 'info' | 'warn'>;
  /** Pushes tried before giving up when other writers keep winning; default 8. */
  maxAttempts?: number;
  /** First retry delay; each retry doubles it (capped at 8 s), times a random factor in [0.5, 1). */
  retryBaseMs?: number;
  random?: () => number;
}

/** The identity of the history commits (the runner's own git identity is never used). */
export const HISTORY_COMMITTER = { name: 'model-gate', email: 'model-gate@users.noreply.github.com' };

/** The history file on the branch for a config (one file per config, so two configs keep two histories). */
export const historyFileFor = (configPath: string) =>
  `${configPath
    .replace(/^\.+/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+/, '')}.history.jsonl`;

/** PR runs evaluate untrusted heads: they must never write the history. */
export function assertHistoryWritable(eventName: string): void {
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    throw new UserError(`The nightly history is never written from ${eventName} runs; run mode: nightly on schedule or workflow_dispatch.`);
  }
}

const MISSING_REMOTE_REF = /couldn't find remote ref|could not find remote ref/i;
/** Another writer moved the branch between our fetch and our push (client- or server-side check). */
const LOST_RACE = /non-fast-forward|\(fetch first\)|cannot lock ref|failed to update ref|incorrect old value|but expected/i;

export function gitBranchHistory(opts: GitBranchHistoryOptions): HistoryStore {
  const { remote, branch, file, log } = opts;
  if (!/^[^/\\\0\n]+$/.test(file) || file === '.' || file === '..') {
    throw new UserError(`history file "${file}": give a plain file name; it is stored at the root of branch ${branch}.`);
  }
  /** git's stdout as text (the history file and object names are UTF-8). */
  const git = async (args: string[], options?: GitRunOptions) => ({ stdout: (await opts.git.run(args, options)).stdout.toString('utf8') });
  const maxAttempts = opts.maxAttempts ?? 8;
  const retryBaseMs = opts.retryBaseMs ?? 250;
  const random = opts.random ?? Math.random;
  const trackingRef = `refs/model-gate/${branch}`;

  /** The branch tip on the remote, fetched into a private ref; null when the branch doesn't exist yet. */
  async function fetchTip(): Promise<string | null> {
    try {
      await git(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', remote, `+refs/heads/${branch}:${trackingRef}`]);
    } catch (error) {
      if (error instanceof GitCommandError && MISSING_REMOTE_REF.test(error.stderr)) return null;
      throw error;
    }
    return (await git(['rev-parse', '--verify', `${trackingRef}^{commit}`])).stdout.trim();
  }

  async function fileAt(tip: string | null): Promise<string> {
    if (tip === null) return '';
    // A branch made by hand may lack the file: then the history starts empty.
    const exists = await git(['rev-parse', '--verify', '--quiet', `${tip}:${file}`]).then(
      () => true,
      () => false,
    );
    if (!exists) return '';
    return (await git(['cat-file', 'blob', `${tip}:${file}`])).stdout;
  }

  /** A commit whose tree is the tip's tree with `file` replaced by `content`. */
  async function commitOnTop(tip: string | null, content: string, count: number): Promise<string> {
    const blob = (await git(['hash-object', '-w', '--stdin'], { input: content })).stdout.trim();
    const entries = tip === null ? [] : (await git(['ls-tree', '-z', tip])).stdout.split('\0').filter((e) => e !== '');
    const others = entries.filter((entry) => entry.slice(entry.indexOf('\t') + 1) !== file);
    const tree = (await git(['mktree', '-z'], { input: [...others, `100644 blob ${blob}\t${file}`].map((e) => `${e}\0`).join('') })).stdout.trim();
    const identity = {
      GIT_AUTHOR_NAME: HISTORY_COMMITTER.name,
      GIT_AUTHOR_EMAIL: HISTORY_COMMITTER.email,
      GIT_COMMITTER_NAME: HISTORY_COMMITTER.name,
      GIT_COMMITTER_EMAIL: HISTORY_COMMITTER.email,
    };
    const parent = tip === null ? [] : ['-p', tip];
    const message = `model-gate: ${count} nightly record${count === 1 ? '' : 's'} in ${file}`;
    return (await git(['commit-tree', '--no-gpg-sign', tree, ...parent, '-m', message], { env: identity })).stdout.trim();
  }

  async function isAncestor(commit: string, of: string | null): Promise<boolean> {
    if (of === null) return false;
    return git(['merge-base', '--is-ancestor', commit, of]).then(
      () => true,
      () => false,
    );
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  return {
    async read() {
      const { records, skipped } = parseHistory(await fileAt(await fetchTip()), `${branch}:${file}`);
      for (const { reason } of skipped) log.warn(reason);
      return records;
    },

    async append(records) {
      const lines = records.map(serializeRecord).join('');
      let pushed: string | null = null;
      for (let attempt = 1; ; attempt++) {
        const tip = await fetchTip();
        // A push reported as lost may still have landed (the remote updated, the answer was lost).
        if (pushed !== null && (await isAncestor(pushed, tip))) return { commit: pushed, attempts: attempt - 1 };
        if (records.length === 0) return { commit: tip ?? '', attempts: 0 };
        const old = await fileAt(tip);
        // A torn last line (a hand edit, an old killed writer) must not swallow our first record.
        const content = old === '' || old.endsWith('\n') ? old + lines : `${old}\n${lines}`;
        const commit = await commitOnTop(tip, content, records.length);
        try {
          await git(['push', '--quiet', '--no-verify', remote, `${commit}:refs/heads/${branch}`]);
          return { commit, attempts: attempt };
        } catch (error) {
          if (!(error instanceof GitCommandError) || !LOST_RACE.test(error.stderr)) throw error;
          pushed = commit;
          if (attempt >= maxAttempts) {
            throw new UserError(`Could not append to ${branch}:${file}: other writers moved the branch on each of ${maxAttempts} attempts.`);
          }
          const delay = Math.min(8000, retryBaseMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);
          log.info(`History branch ${branch} moved during the push (another run wrote first); retrying in ${Math.round(delay)} ms.`);
          await sleep(delay);
        }
      }
    },
  };
}

/**
 * The CLI's `--history H.jsonl`: a local file, appended in one write (O_APPEND). A process killed
 * mid-write leaves at most a torn last line, which parseHistory skips and the next append fences
 * off with a newline. Concurrent appenders are not coordinated (the Action uses the branch store).
 */
export function fileHistory(path: string, log: Pick<Progress, 'warn'>): HistoryStore {
  const readText = () => readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
  return {
    async read() {
      const { records, skipped } = parseHistory(await readText(), path);
      for (const { reason } of skipped) log.warn(reason);
      return records;
    },
    async append(records) {
      const old = await readText();
      const fence = old === '' || old.endsWith('\n') ? '' : '\n';
      await appendFile(path, fence + records.map(serializeRecord).join(''));
      return { commit: '', attempts: 1 };
    },
  };
}
