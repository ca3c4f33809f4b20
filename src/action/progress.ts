/** Progress inside a GitHub Actions job: periodic log lines, warnings as annotations. */
import * as core from '@actions/core';
import type { Progress } from '../progress.js';
import { stderrProgress } from '../progress-stderr.js';

export function actionProgress(): Progress {
  const lines = stderrProgress('lines', process.stdout);
  return { ...lines, warn: (message) => core.warning(message) };
}
