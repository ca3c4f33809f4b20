/**
 * The one way model-gate runs git. Like actions/checkout's git-command-manager, a Git is bound to
 * one repository, made once where a flow starts (createGit) and passed to whatever reads or writes
 * that repository (models/git.ts, models/sources.ts, history/store.ts, nightly/models.ts), so
 * every call gets the same environment, the same error type and the same output cap, and a test
 * can hand in a Git that fails at a chosen step.
 *
 * git always runs without a shell (arguments are never parsed by one), never prompts for
 * credentials (a CI job would hang), and takes paths literally (GIT_LITERAL_PATHSPECS), so a
 * configured path like ':(glob)**' or '*.onnx' matches only a file of that name.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Largest stdout kept in memory; more is an error (big files are streamed with runToFile). */
export const GIT_OUTPUT_LIMIT = 64 * 1024 * 1024;

export type Environment = Readonly<Record<string, string | undefined>>;

export interface GitRunOptions {
  readonly input?: Buffer | string;
  /** Variables set for this call on top of the repository's environment (e.g. a commit identity). */
  readonly env?: Readonly<Record<string, string>>;
  /** Largest stdout kept in memory; default GIT_OUTPUT_LIMIT. */
  readonly maxBuffer?: number;
}

export interface GitOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface Git {
  /** The working directory git runs in. */
  readonly dir: string;
  /** Runs git; rejects with a GitCommandError on a non-zero exit or when stdout passes the cap. */
  run(args: readonly string[], opts?: GitRunOptions): Promise<GitOutput>;
  /** Streams stdout (through `transform`, if given) into `destFile`, which is removed on failure. */
  runToFile(args: readonly string[], destFile: string, opts?: { readonly input?: Buffer; readonly transform?: Transform }): Promise<void>;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (${exitCode === null ? 'killed' : `exit ${exitCode}`}): ${stderr.trim() || 'no message'}`);
    this.name = 'GitCommandError';
  }
}

/**
 * A Git for `dir`. `inherited` is the environment git starts from (the runner's, handed down from
 * config/), so it finds its own config, credentials helpers and PATH.
 */
export function createGit(dir: string, inherited: Environment): Git {
  const environment = (extra: GitRunOptions['env'] = {}): NodeJS.ProcessEnv => ({
    ...inherited,
    GIT_TERMINAL_PROMPT: '0',
    GIT_LITERAL_PATHSPECS: '1',
    ...extra,
  });
  const start = (args: readonly string[], opts: GitRunOptions) => {
    const child = spawn('git', [...args], { cwd: dir, env: environment(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {}); // git may exit before reading all input; 'close' says why
    child.stdin.end(opts.input ?? '');
    return { child, stderrText: () => Buffer.concat(stderr).toString('utf8') };
  };

  return {
    dir,
    run: (args, opts = {}) =>
      new Promise((resolve, reject) => {
        const { child, stderrText } = start(args, opts);
        const maxBuffer = opts.maxBuffer ?? GIT_OUTPUT_LIMIT;
        const stdout: Buffer[] = [];
        let size = 0;
        let overflow = false;
        child.stdout.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBuffer) {
            overflow = true;
            child.kill();
          } else stdout.push(chunk);
        });
        child.on('error', reject); // git itself is missing
        child.on('close', (code) => {
          if (overflow) reject(new GitCommandError(args, code, `output larger than ${maxBuffer} bytes`));
          else if (code !== 0) reject(new GitCommandError(args, code, stderrText()));
          else resolve({ stdout: Buffer.concat(stdout), stderr: stderrText() });
        });
      }),

    async runToFile(args, destFile, opts = {}) {
      const { child, stderrText } = start(args, { input: opts.input });
      const exited = new Promise<number | null>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', resolve);
      });
      exited.catch(() => {}); // awaited below; this only keeps an early spawn error from going unhandled
      try {
        if (opts.transform) await pipeline(child.stdout, opts.transform, createWriteStream(destFile));
        else await pipeline(child.stdout, createWriteStream(destFile));
        const code = await exited;
        if (code !== 0) throw new GitCommandError(args, code, stderrText());
      } catch (error) {
        child.kill();
        await rm(destFile, { force: true });
        throw error;
      }
    },
  };
}
