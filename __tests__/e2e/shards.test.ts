/**
 * A sharded comparison merges into the unsharded one: both embedded examples through the built
 * CLI as 1, 3 and 7 shards (`compare --shard i/n --shard-out`, then `merge` with the shard files
 * in shuffled order) against one plain `compare`. Every figure and flip id must be identical,
 * detection's paired bootstrap included; only latency (measured in shard 1) and the run's own
 * facts may differ. Classification runs with static int8. The eval sets are subsets packed as
 * archives with their sha256 pinned, so every shard verifies the set it splits. Then `merge` must
 * refuse shards that are not one run's parts, naming what differs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { exampleConfig, firstScenes, timeless } from '../helpers/same-report.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-shards-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// Run from the test's folder: nothing a run writes by default may land in the repository.
const cli = (args: string[]) => runCli([...args, '--quiet'], { cacheDir: join(dir, 'cache'), cwd: dir });

/** `folder` (inside dir) packed as dir/<name>.tar.gz, and that archive's sha256. */
async function pack(folder: string, name: string): Promise<{ archive: string; sha256: string }> {
  const archive = join(dir, `${name}.tar.gz`);
  execFileSync('tar', ['czf', archive, '-C', join(folder, '..'), folder.split('/').pop() as string]);
  return {
    archive,
    sha256: createHash('sha256')
      .update(await readFile(archive))
      .digest('hex'),
  };
}

async function unsharded(config: string, pair: readonly string[], out: string) {
  const json = join(dir, out, 'report.json');
  const run = await cli(['compare', '--config', config, '--baseline', pair[0], '--candidate', pair[1], '--json', json]);
  expect(run.stderr).not.toMatch(/error|warning/i);
  expect([0, 1]).toContain(run.code);
  return JSON.parse(await readFile(json, 'utf8'));
}

/** Shard files of an n-shard run of `config`, one per shard, in shard order; the shards run at once, as a matrix would. */
async function shardFiles(config: string, pair: readonly string[], n: number, out: string): Promise<string[]> {
  const shards = Array.from({ length: n }, (_, k) => k + 1);
  return Promise.all(
    shards.map(async (i) => {
      // Odd shards compressed, even ones plain: merge reads both.
      const file = join(dir, out, `shard-${i}-of-${n}.json${i % 2 ? '.gz' : ''}`);
      const run = await cli(['compare', '--config', config, '--baseline', pair[0], '--candidate', pair[1], '--shard', `${i}/${n}`, '--shard-out', file]);
      expect(run.stderr).toMatch(new RegExp(`shard ${i}/${n}: [\\d,]+ of [\\d,]+ samples${i === 1 ? ', latency' : ''} → `));
      expect(run.code).toBe(0);
      return file;
    }),
  );
}

/** Every n-shard run merges (files given last to first, then odd before even) into `expected`. */
async function expectShardsMergeTo(config: string, pair: readonly string[], name: string, expected: unknown, counts: readonly number[]) {
  for (const n of counts) {
    const files = await shardFiles(config, pair, n, `${name}-${n}`);
    const shuffled = [...files.filter((_, i) => i % 2 === 1), ...files.filter((_, i) => i % 2 === 0)].reverse();
    const json = join(dir, `${name}-${n}`, 'merged', 'report.json');
    const merged = await cli(['merge', '--config', config, '--json', json, ...shuffled]);
    expect(merged.stderr).not.toMatch(/error|warning/i);
    expect([0, 1]).toContain(merged.code);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.shards).toEqual({ count: n, latencyMeasuredOn: { shard: 1, machine: expect.any(String) } });
    expect(timeless(report)).toEqual(expected);
    expect(merged.stdout).toContain(`${n} shard${n > 1 ? 's' : ''}`);
  }
}

describe('classification (Fashion-MNIST, static int8)', () => {
  let config: string;
  const root = join(process.cwd(), 'examples', 'fashion-mnist');
  const pair = [join(root, 'models', 'fmnist-lenet-v1.onnx'), join(root, 'models', 'fmnist-dwnet-v3.onnx')];

  beforeAll(async () => {
    // 40 test images per class: 400 in all, about 57 a shard at 7 shards.
    await mkdir(join(dir, 'cls'));
    execFileSync('tar', ['xzf', join(root, 'fmnist-test.tar.gz'), '-C', join(dir, 'cls')]);
    const folder = join(dir, 'cls', 'fmnist-test');
    for (const name of await readdir(folder)) {
      for (const file of (await readdir(join(folder, name))).sort().slice(40)) await rm(join(folder, name, file));
    }
    const { archive, sha256 } = await pack(folder, 'cls-400');
    config = await exampleConfig('fashion-mnist', join(dir, 'cls.yml'), (y) =>
      y
        .replace(/source: .*/, `source: ${archive}`)
        .replace(/sha256: .*/, `sha256: ${sha256}`)
        .replace(/gates: .*/, 'gates: { max-int8-drop: 1, max-latency-regression: 100000 }\nquantization: { mode: static-int8 }'),
    );
  });

  it('1, 3 and 7 shards merge into the unsharded report', async () => {
    const expected = await unsharded(config, pair, 'cls-whole');
    expect(expected.comparison.flips.fixed.length).toBeGreaterThan(0);
    expect(expected.models.candidate.quantized.metrics.top1).toBeGreaterThan(0.7);
    expect(expected.shards).toBeUndefined();
    await expectShardsMergeTo(config, pair, 'cls', timeless(expected), [1, 3, 7]);
    // Seven shards at once built the same int8 models beside their records (written aside and renamed).
    expect((await readdir(join(dir, 'cls-7'))).filter((f) => f.endsWith('.int8.onnx')).sort()).toEqual(['baseline-fmnist-lenet-v1.int8.onnx', 'candidate-fmnist-dwnet-v3.int8.onnx']);
  }, 240_000);

  it('merge refuses shards that are not the parts of one run, by number and by what differs', async () => {
    // The records of the test above: 3 and 7 shards of the same comparison.
    const three = (i: number) => join(dir, 'cls-3', `shard-${i}-of-3.json${i % 2 ? '.gz' : ''}`);
    const seven = (i: number) => join(dir, 'cls-7', `shard-${i}-of-7.json${i % 2 ? '.gz' : ''}`);
    const refused = async (files: string[], message: string, configFile = config) => {
      const run = await cli(['merge', '--config', configFile, '--json', join(dir, 'refused.json'), ...files]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`model-gate: merge: ${message}`);
    };
    await refused([three(1), three(3)], 'shard 2 of 3 missing');
    await refused([three(1)], 'shards 2, 3 of 3 missing');
    await refused([three(1), three(2), three(2), three(3)], 'shard 2 of 3 given twice');
    await refused([three(1), three(2), seven(3)], 'shard counts differ: shard 1/3 and shard 3/7');
    // Another config: the int8 tolerance changed after the shards ran.
    const edited = join(dir, 'cls-edited.yml');
    await writeFile(edited, (await readFile(config, 'utf8')).replace('max-int8-drop: 1', 'max-int8-drop: 2'));
    await refused([three(1), three(2), three(3)], `shard 1/3 ran with a different config than ${edited}`, edited);
    // Another eval set: the same config pinned to the subset without its Bag images.
    await rm(join(dir, 'cls', 'fmnist-test', 'Bag'), { recursive: true });
    const smaller = await pack(join(dir, 'cls', 'fmnist-test'), 'cls-no-bag');
    const otherSet = join(dir, 'cls-other-set.yml');
    const text = await readFile(config, 'utf8');
    await writeFile(otherSet, text.replace(/source: .*/, `source: ${smaller.archive}`).replace(/sha256: .*/, `sha256: ${smaller.sha256}`));
    const pinned = text.match(/sha256: (\w+)/)?.[1];
    await refused([three(1), three(2), three(3)], `shard 1/3 evaluated eval set sha256 ${pinned}, not ${smaller.sha256} (the config's)`, otherSet);
    // Other models: shard 2 of a run whose candidate was the baseline itself.
    const otherModels = join(dir, 'cls-other-models', 'shard-2-of-3.json');
    const run = await cli(['compare', '--config', config, '--baseline', pair[0], '--candidate', pair[0], '--shard', '2/3', '--shard-out', otherModels]);
    expect(run.code).toBe(0);
    await refused([three(1), otherModels, three(3)], `shard 2/3 evaluated ${pair[0]} (sha256 `);
    // Not a shard record at all.
    const notShard = await cli(['merge', '--config', config, three(1), three(2), join(dir, 'cls-whole', 'report.json')]);
    expect(notShard.code).toBe(2);
    expect(notShard.stderr).toContain(`${join(dir, 'cls-whole', 'report.json')}: not a model-gate shard record`);
  }, 120_000);
});

// fp32 only: each shard quantizes both detectors again (calibration is most of a run), and the
// chunking test covers detection int8 through the same per-sample records.
it('detection (letterbox vs rect): 1, 3 and 7 shards merge into the unsharded report', async () => {
  const root = join(process.cwd(), 'examples', 'fmnist-det');
  const pair = [join(root, 'models', 'fmnist-det-small-v1.v8.onnx'), join(root, 'models', 'fmnist-det-wide-v2.v8.onnx')];
  // The first 42 scenes, about 6 a shard at 7 shards.
  const folder = await firstScenes(join(dir, 'det'), 42, 'annotations.coco.json');
  const { archive, sha256 } = await pack(folder, 'det-42');
  const config = await exampleConfig('fmnist-det', join(dir, 'det.yml'), (y) => y.replace(/source: .*/, `source: ${archive}`).replace(/sha256: .*/, `sha256: ${sha256}`));
  const expected = await unsharded(config, pair, 'det-whole');
  expect(expected.comparison.preprocessing.variants).toHaveLength(2);
  // The paired bootstrap of the mAP change is in the figures compared.
  expect(expected.comparison.deltaMapCi95).toHaveLength(2);
  expect(expected.comparison.bootstrap.seed).toEqual(expect.any(Number));
  expect(expected.models.candidate.metrics.map).toBeGreaterThan(0.3);
  await expectShardsMergeTo(config, pair, 'det', timeless(expected), [1, 3, 7]);
}, 300_000);
