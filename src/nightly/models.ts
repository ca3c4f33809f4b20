/**
 * The models a nightly run evaluates: every entry of the config's `models:` list as committed at
 * one commit (files, Git LFS objects, or manifest URLs verified by sha256), with their int8 files
 * for quantization.mode: provided.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, ModelEntry } from '../config/types.js';
import { UserError } from '../errors.js';
import type { Git } from '../git/index.js';
import { materializeModel, verifiedDownloader } from '../models/sources.js';
import type { Progress } from '../progress.js';
import type { NightlyModel } from './run.js';

const watched = (entry: ModelEntry) => ('path' in entry ? entry.path : `${entry.manifest}#${entry.key}`);

/**
 * The nightly run re-runs models: the same model bytes on the same eval set must score the same,
 * and latency is measured on this runner. With task: results model-gate runs no model and knows
 * neither the model's bytes nor its runtime; the committed result files give the same figures
 * every night, so neither check could find anything, and a history of them would only look like one.
 */
export function refuseResultsNightly(config: Config): void {
  if (!config.results) return;
  throw new UserError(
    `${config.configPath ?? 'config'}: task: results has no nightly run: model-gate runs no model, so there is nothing to re-evaluate ` +
      '(the committed result files give the same figures every night). To watch an LLM nightly, run your harness on a schedule ' +
      "and gate that night's results against a reference run: mode: pr with the inputs results-baseline and results-candidate, " +
      'or model-gate compare --baseline REFERENCE --candidate TONIGHT (README, "LLMs and other models you run yourself").',
  );
}

export async function nightlyModels(config: Config, git: Git, sha: string, workDir: string, progress: Progress): Promise<NightlyModel[]> {
  refuseResultsNightly(config);
  if (config.models.length === 0) throw new UserError(`${config.configPath}: lists no models (add a models: list of { name, path } or { name, manifest, key })`);
  await mkdir(workDir, { recursive: true });
  const download = verifiedDownloader(progress, { allowedHosts: config.allowedHosts ?? [] });
  const side = { git, sha, label: sha.slice(0, 7) };
  const out: NightlyModel[] = [];
  for (const entry of config.models) {
    const model = await materializeModel(entry, side, workDir, download);
    if (!model) throw new UserError(`${watched(entry)} (models: ${entry.name}) does not exist at commit ${sha.slice(0, 7)}`);
    const int8 = entry.quantized ? await materializeModel({ name: `${entry.name}-int8`, path: entry.quantized }, side, workDir, download) : null;
    out.push({ name: entry.name, path: watched(entry), ref: { role: 'candidate', path: model.file, label: model.label, quantized: int8?.file ?? null } });
  }
  return out;
}

export async function headCommit(git: Git): Promise<string> {
  try {
    return (await git.run(['rev-parse', '--verify', 'HEAD^{commit}'])).stdout.toString('utf8').trim();
  } catch {
    throw new UserError(`${git.dir}: not a git repository with a commit; the nightly run evaluates the committed models`);
  }
}

export const workDirFor = (base: string) => join(base, 'model-gate', 'nightly-models');
