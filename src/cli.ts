import { installCrashGuard } from './errors.js';
import { cli } from './cli/run.js';

// Whatever escapes the command still ends with one model-gate line and exit 2 (cli/run.ts).
installCrashGuard(
  (line) => process.stderr.write(`${line}\n`),
  (code) => process.exit(code),
  2,
);
process.exitCode = await cli(process.argv.slice(2));
