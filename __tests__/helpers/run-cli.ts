/**
 * Runs the CLI as a user would (dist/cli.js, built from the current sources for this run),
 * returning its exit code and output. A --json report the run wrote is checked against
 * schema/report.schema.json (a report that does not fit throws here).
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { assertValidReportFile } from './report-schema.js';
import { builtDist } from './shared.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The --json file of `args`, when the run (started at `since`) wrote it. */
function writtenJson(args: readonly string[], cwd: string | undefined, since: number): string | null {
  const i = args.indexOf('--json');
  const given = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--json='))?.slice('--json='.length);
  if (!given) return null;
  const file = resolvePath(cwd ?? process.cwd(), given);
  return existsSync(file) && statSync(file).mtimeMs >= since - 1000 ? file : null;
}

export async function runCli(args: readonly string[], options: { cacheDir: string; cwd?: string }): Promise<CliResult> {
  const since = Date.now();
  const result = await new Promise<CliResult>((resolve) => {
    execFile(
      'node',
      [builtDist('cli.js'), ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, MODEL_GATE_CACHE_DIR: options.cacheDir },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  const json = args[0] === 'map' ? null : writtenJson(args, options.cwd, since);
  if (json) assertValidReportFile(json);
  return result;
}
