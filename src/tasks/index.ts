/** The task registry: the engine asks for a task by name and never branches on it. */
import type { TaskName } from '../config/types.js';
import type { Task } from '../contracts/task.js';
import { UserError } from '../errors.js';
import { classificationTask } from './classification/index.js';
import { detectionTask } from './detection/index.js';

const TASKS: Record<TaskName, Task<any, any, any, any>> = {
  classification: classificationTask,
  detection: detectionTask,
};

/**
 * The task of that name. A config names a known task (the schema checks it), but a report read
 * back from an artifact may name any string: that is an error here, never an undefined task.
 */
export function taskFor(name: string): Task<any, any, any, any> {
  const task = Object.hasOwn(TASKS, name) ? TASKS[name as TaskName] : undefined;
  if (!task) throw new UserError(`unknown task '${name}' (model-gate knows ${Object.keys(TASKS).join(', ')})`);
  return task;
}
