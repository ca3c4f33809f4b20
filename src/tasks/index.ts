/** The task registry: the engine asks for a task by name and never branches on it. */
import type { ModelTaskName, TaskName } from '../config/types.js';
import { UserError } from '../errors.js';
import { classificationTask } from './classification/index.js';
import { detectionTask } from './detection/index.js';
import { resultsTask } from './results/index.js';
import type { ReportingTask, Task } from './task.js';

const MODEL_TASKS: Record<ModelTaskName, Task<any, any, any, any>> = {
  classification: classificationTask,
  detection: detectionTask,
};

/** The task that runs ONNX models for this config. task: results runs none (see src/tasks/results). */
export function taskFor(name: TaskName): Task<any, any, any, any> {
  if (name === 'results') throw new UserError('task: results compares result files and runs no model; it has no eval set or model outputs to read');
  return MODEL_TASKS[name];
}

/** What the renderers and gates need, for every task (re-rendering a report from its JSON goes through here). */
export function reportingTaskFor(name: TaskName): ReportingTask<any, any> {
  return name === 'results' ? resultsTask : MODEL_TASKS[name];
}
