/**
 * A YAML alias bomb ("billion laughs": nine levels of nine aliases each, 387 million values) in
 * model-gate.yml, in a PR's config and in a model manifest: a config error naming the file, never
 * an internal error with a stack trace, and never a hang.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedConfigKeys } from '../../src/config/diff.js';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { createGit } from '../../src/git/index.js';
import { readManifestEntry } from '../../src/models/sources.js';
import { runCli } from '../helpers/run-cli.js';
import { initRepo } from '../models/git-fixture.js';

const levels = 'abcdefghi'.split('');
/** Each level is a list of nine aliases of the one before. */
const BOMB = levels
  .map(
    (name, i) =>
      `${name}: &${name} [${
        i === 0
          ? Array(9).fill('"lol"').join(',')
          : Array(9)
              .fill(`*${levels[i - 1]}`)
              .join(',')
      }]`,
  )
  .join('\n');
const EXPECTED = /: not valid YAML: its aliases \(\*name\) expand to too many values to read safely; write the values out instead$/;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-alias-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('loadConfig: a UserError naming the file, at once', async () => {
  const file = join(dir, 'bomb.yml');
  await writeFile(file, `task: classification\n${BOMB}\n`);
  const started = Date.now();
  const error = await loadConfig({ config: file, baseline: 'a.onnx', candidate: 'b.onnx' }, { cwd: dir, env: {}, stderrIsTTY: false }).catch((e) => e);
  expect(error).toBeInstanceOf(UserError);
  expect(error.message.startsWith(`${file}: not valid YAML`)).toBe(true);
  expect(error.message).toMatch(EXPECTED);
  expect(Date.now() - started).toBeLessThan(5000);
});

test('the CLI: exit 2 and one line naming the file, no stack trace', async () => {
  const file = join(dir, 'cli-bomb.yml');
  await writeFile(file, `${BOMB}\n`);
  const result = await runCli(['compare', '--config', file, '--baseline', 'a.onnx', '--candidate', 'b.onnx'], { cacheDir: join(dir, 'cache') });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(new RegExp(`^model-gate: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${EXPECTED.source.replace(/\$$/, '')}\n$`));
  expect(result.stderr).not.toMatch(/internal error|ReferenceError|\bat /);
});

test("a PR's config with a bomb: the changed keys are listed as unparseable, quickly", () => {
  const started = Date.now();
  expect(changedConfigKeys('task: classification\n', `${BOMB}\n`)).toEqual(['(unparseable)', 'task']);
  expect(Date.now() - started).toBeLessThan(5000);
});

test('a model manifest with a bomb: a UserError naming the manifest and the commit', async () => {
  const repo = await initRepo(join(dir, 'repo'));
  await repo.write('models.yml', `${BOMB}\n`);
  const sha = repo.commit('bomb');
  const error = await readManifestEntry({ name: 'a', manifest: 'models.yml', key: 'a' }, { git: createGit(repo.dir, process.env), sha, label: 'head' }).catch((e) => e);
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toBe(`models.yml@${sha.slice(0, 7)}: not valid JSON or YAML: Excessive alias count indicates a resource exhaustion attack`);
});
