/** Runs the CLI as a user would (dist/cli.js, built from the current sources for this run), returning its exit code and output. */
import { execFile } from 'node:child_process';
import { builtDist } from './shared.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { cacheDir: string; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('node', [builtDist('cli.js'), ...args], {
      cwd: options.cwd,
      env: { ...process.env, MODEL_GATE_CACHE_DIR: options.cacheDir },
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}
