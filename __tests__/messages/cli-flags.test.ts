/** Issue 13, item 5, through the built CLI as a user types it: a misspelled flag and --threads -1. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-cli-flags-'));
  await writeFile(join(dir, 'model-gate.yml'), 'eval: { source: ./set }\nclasses: [a, b]\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const compare = (...flags: string[]) =>
  runCli(['compare', '--config', 'model-gate.yml', '--baseline', 'a.onnx', '--candidate', 'b.onnx', ...flags], { cacheDir: join(dir, 'cache'), cwd: dir });

test('a misspelled flag gets the flag it was meant to be', async () => {
  const result = await compare('--treads', '2');
  expect(result.code).toBe(2);
  expect(result.stderr).toBe("model-gate: unknown flag '--treads'; did you mean --threads?\nRun 'model-gate --help' for usage.\n");
});

test('--threads -1 says what the flag takes', async () => {
  const result = await compare('--threads', '-1');
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("--threads: expected a whole number ≥ 0 (0 = one thread per core), got '-1'");
});
