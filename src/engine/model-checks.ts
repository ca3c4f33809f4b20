/**
 * What can be said about the models from their files and the config alone, before the eval set is
 * fetched or an image decoded: an output that does not match `classes`, and what the model's own
 * metadata says against the config (models/metadata-check.ts: class names in another order, an
 * Ultralytics task or input size that differs). A wrong config then fails in a second with a
 * message about the config, not minutes later with one about a file in the eval-set cache.
 */
import type { Config, ModelRef } from '../config/types.js';
import type { Task } from '../contracts/task.js';
import { UserError } from '../errors.js';
import { resolveModel, type ModelFile } from '../models/index.js';
import { judgeModelMetadata } from '../models/metadata-check.js';
import type { Progress } from '../progress.js';
import { taskFor } from '../tasks/index.js';

type AnyTask = Task<any, any, any, any>;

/** The class names the task scores output k as (config.classes unless the task says otherwise). */
export function classNamesFor(task: AnyTask, config: Config, samples?: readonly unknown[]): { names: readonly string[]; from: string } {
  return task.classNames?.(config, samples as never) ?? { names: config.classes, from: `classes in ${config.configPath ?? 'the config'}` };
}

/**
 * Throws a UserError listing every refusal of the models' metadata; `warn` gets the rest (the
 * report lists them too, see report/build.ts).
 */
export function checkMetadataOf(files: readonly ModelFile[], config: Config, classes: { names: readonly string[]; from: string }, warn: ((message: string) => void) | null): void {
  const refusals: string[] = [];
  for (const file of files) {
    const verdict = judgeModelMetadata(config, file, classes);
    refusals.push(...verdict.refusals);
    for (const warning of verdict.warnings) warn?.(warning);
  }
  if (refusals.length > 0) throw new UserError(refusals.join('\n'));
}

/**
 * Before the eval set: the models' outputs against `classes` (where the config alone names the
 * classes) and the metadata refusals. Warnings wait for the evaluation, which gives them once.
 */
export async function precheckModels(config: Config, refs: readonly ModelRef[], _progress?: Progress): Promise<void> {
  if (config.task === 'results') return;
  const task = taskFor(config.task);
  const classes = classNamesFor(task, config);
  if (classes.names.length === 0) return;
  const files: ModelFile[] = [];
  for (const ref of refs) files.push(await resolveModel(ref));
  for (const file of files) task.checkOutputs(file.facts.outputs, file.label, config);
  checkMetadataOf(files, config, classes, null);
}
