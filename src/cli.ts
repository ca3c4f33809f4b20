import { cli } from './cli/run.js';

process.exitCode = await cli(process.argv.slice(2));
