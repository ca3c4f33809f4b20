// `node scripts/peak-rss.mjs OUT SCRIPT ARGS…`: runs SCRIPT (e.g. dist/cli.js) in this process and,
// when the process exits, writes its peak resident set size in bytes to OUT. The bench's memory
// figures come from here: process.resourceUsage().maxRSS counts native memory too (onnxruntime,
// sharp, worker threads), which the V8 heap figures don't.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS * 1024)));
await import(pathToFileURL(resolve(script)).href);
