/**
 * `model-gate nightly`: every model of the config as committed at HEAD, one history record each
 * in a local JSON Lines file, and the drift findings. Exit 1 when something was found (unless
 * nightly.fail-on-regression is false).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { loadConfig, type ConfigEnvironment, type ConfigOverrides } from '../config/load.js';
import { UserError } from '../errors.js';
import { createGit } from '../git/index.js';
import { fileHistory } from '../history/store.js';
import { gpuName } from '../inference/index.js';
import { headCommit, nightlyModels, refuseResultsNightly, workDirFor } from '../nightly/models.js';
import { renderNightly } from '../nightly/render.js';
import { runNightly } from '../nightly/run.js';
import { stderrProgress } from '../progress-stderr.js';

export async function nightlyCommand(overrides: ConfigOverrides, flags: { history?: string; repo?: string }, environment: ConfigEnvironment): Promise<number> {
  if (!flags.history) throw new UserError('--history: required (the JSON Lines history file; created if missing)');
  const config = await loadConfig(overrides, environment);
  refuseResultsNightly(config);
  const progress = stderrProgress(config.progress, process.stderr);
  const git = createGit(resolve(environment.cwd, flags.repo ?? '.'), environment.env);
  const sha = await headCommit(git);
  const models = await nightlyModels(config, git, sha, workDirFor(tmpdir()), progress);
  const store = fileHistory(resolve(environment.cwd, flags.history), progress);
  const facts = { commit: sha, runner: { cpu: cpus()[0]?.model ?? 'unknown', gpu: gpuName() }, timestamp: new Date().toISOString() };
  const report = await runNightly(config, models, store, facts, progress);
  if (config.output.json) {
    await mkdir(dirname(config.output.json), { recursive: true });
    await writeFile(config.output.json, `${JSON.stringify({ ...report, history: undefined }, null, 2)}\n`);
  }
  process.stdout.write(renderNightly(report, overrides.config ?? ''));
  for (const finding of report.findings) process.stderr.write(`model-gate: ${finding.message}\n`);
  return report.findings.length > 0 && config.nightly.failOnRegression ? 1 : 0;
}
