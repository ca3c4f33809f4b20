/** The task registry: the engine asks for a task by name and never branches on it. */
import type { ModelTaskName, TaskName } from '../config/types.js';
import type { ReportingTask, Task } from '../contracts/task.js';
import { UserError } from '../errors.js';
import { classificationTask } from './classification/index.js';
import { detectionTask } from './detection/index.js';
import { resultsTask } from './results/index.js';

const MODEL_TASKS: Record<ModelTaskName, Task<any, any, any, any>> = {
  classification: classificationTask,
  detection: detectionTask,
};

const REPORTING_TASKS: Record<TaskName, ReportingTask<any, any>> = { ...MODEL_TASKS, results: resultsTask };

function known<T>(table: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/**
 * The task that runs ONNX models for this config. A config names a known task (the schema checks
 * it), but a report read back from an artifact may name any string: that is an error here, never
 * an undefined task. task: results runs no model (see src/tasks/results).
 */
export function taskFor(name: string): Task<any, any, any, any> {
  if (name === 'results') throw new UserError('task: results compares result files and runs no model; it has no eval set or model outputs to read');
  const task = known(MODEL_TASKS, name);
  if (!task) throw new UserError(`unknown task '${name}' (model-gate knows ${Object.keys(REPORTING_TASKS).join(', ')})`);
  return task;
}

/** What the renderers and gates need, for every task (re-rendering a report from its JSON goes through here). */
export function reportingTaskFor(name: string): ReportingTask<any, any> {
  const task = known(REPORTING_TASKS, name);
  if (!task) throw new UserError(`unknown task '${name}' (model-gate knows ${Object.keys(REPORTING_TASKS).join(', ')})`);
  return task;
}
