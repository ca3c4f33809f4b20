import * as core from '@actions/core';
import { installCrashGuard } from './errors.js';

// Before anything runs: whatever escapes still fails the step with an ::error:: line.
installCrashGuard(
  (line) => core.setFailed(line),
  (code) => process.exit(code),
  1,
);
import('./main.js').then(({ run }) => run());
