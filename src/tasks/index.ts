/** The task registry: the engine asks for a task by name and never branches on it. */
import type { TaskName } from '../config/types.js';
import { classificationTask } from './classification/index.js';
import { detectionTask } from './detection/index.js';
import type { Task } from './task.js';

const TASKS: Record<TaskName, Task<any, any, any, any>> = {
  classification: classificationTask,
  detection: detectionTask,
};

export function taskFor(name: TaskName): Task<any, any, any, any> {
  return TASKS[name];
}
