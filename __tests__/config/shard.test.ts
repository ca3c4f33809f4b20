/** `--shard i/n` (the CLI flag and the Action's input): read once into Config.shard, refused where it can't apply. */
import { expect, it } from '@jest/globals';
import { loadConfig, parseConfig, type ConfigEnvironment } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';

const env: ConfigEnvironment = { cwd: process.cwd(), env: { HOME: '/home/u' }, stderrIsTTY: false };
const example = (shard: string) => loadConfig({ config: 'examples/fashion-mnist/model-gate.yml', shard }, env);

it('reads i/n into a 1-based shard', async () => {
  expect((await example('2/7')).shard).toEqual({ index: 2, count: 7 });
  expect((await example(' 1/1 ')).shard).toEqual({ index: 1, count: 1 });
  expect((await loadConfig({ config: 'examples/fashion-mnist/model-gate.yml' }, env)).shard).toBeNull();
});

it.each(['0/3', '4/3', '2', '1/0', 'a/b', '1.5/3', '-1/3'])("refuses --shard '%s' with the form it expects", async (value) => {
  await expect(example(value)).rejects.toThrow(new UserError(`--shard: expected i/n with 1 ≤ i ≤ n (e.g. 2/7), got '${value}'`));
});

it('refuses --shard for task: results, which has no eval set to split', () => {
  expect(() => parseConfig('task: results\n', '/repo/model-gate.yml', '/repo', { shard: '1/2' }, env)).toThrow(
    new UserError('--shard: not used with task: results (there is no eval set to split; the result files are read whole)'),
  );
});
