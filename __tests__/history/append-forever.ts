/**
 * A nightly writer that never stops: appends night after night to the history (the Action's branch
 * store in a clone, or the CLI's --history file) and prints each night once it is written. The
 * SIGKILL test (killed-writer.test.ts) bundles it, runs it and kills it mid-write.
 * Usage: node append-forever.mjs branch|file <clone dir | file path> <first night> <records per append>
 */
import { createGit } from '../../src/git/index.js';
import { fileHistory, gitBranchHistory } from '../../src/history/store.js';
import { makeRecord } from './records.js';

const [mode, target, firstText, perAppendText] = process.argv.slice(2);
const log = { info: () => {}, warn: () => {} };
const store =
  mode === 'branch'
    ? gitBranchHistory({ git: createGit(target, process.env), remote: 'origin', branch: 'model-gate-history', file: 'history.jsonl', log, retryBaseMs: 5 })
    : fileHistory(target, log);
const perAppend = Number(perAppendText);
for (let night = Number(firstText); ; night += perAppend) {
  await store.append(Array.from({ length: perAppend }, (_, i) => makeRecord({ night: night + i, name: `model-${night + i}` })));
  process.stdout.write(`${night + perAppend - 1}\n`);
}
