import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliModelRefs, loadConfig, type ConfigEnvironment } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';

const SHA = 'ab'.repeat(32);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}): ConfigEnvironment => ({ cwd: dir, env: { HOME: '/home/u', ...extra }, stderrIsTTY: false });
const flags = { baseline: 'a.onnx', candidate: 'b.onnx' };

async function configFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function errorOf(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('loadConfig', () => {
  it('reads the documented keys, fills defaults, resolves paths against the config file, and freezes', async () => {
    const file = await configFile(
      'full.yml',
      `task: classification
eval: { source: ./set.tar.gz, sha256: ${SHA.toUpperCase()} }
classes: [cat, dog]
preprocess: { color: gray, size: [28, 32], mean: [0.5], std: [0.25], layout: nhwc, workers: 3 }
inference: { execution-provider: cpu, batch-size: 8, threads: 2, memory-budget: 1.5GiB }
latency: { batch-sizes: [1, 4], warmup: 3, runs: 50 }
gates: { max-top1-drop: 1, min-error-reduction: 5, require-significant: true, max-latency-regression: 10 }
`,
    );
    const config = await loadConfig({ config: 'full.yml', ...flags }, env());
    expect(config.configPath).toBe(file);
    expect(config.eval).toEqual({
      source: join(dir, 'set.tar.gz'),
      sha256: SHA,
      format: 'class-folders',
      manifest: null,
      written: { key: `eval.source in ${file}`, text: './set.tar.gz', base: `the config file's folder ${dir}` },
    });
    expect(config.preprocess).toEqual({
      color: 'gray',
      size: [28, 32],
      resize: 'stretch',
      kernel: 'linear',
      cropRatio: 0.875,
      padValue: 114,
      scale: 1 / 255,
      mean: [0.5],
      std: [0.25],
      layout: 'nhwc',
      workers: 3,
    });
    expect(config.inference).toEqual({ executionProvider: 'cpu', batchSize: 8, threads: 2, memoryBudget: 1.5 * 2 ** 30, interOpThreads: 1, spinWait: true });
    expect(config.latency).toEqual({ batchSizes: [1, 4], warmup: 3, runs: 50, rounds: 7, threads: 1 });
    expect(config.gates).toEqual({ maxTop1Drop: 1, minErrorReduction: 5, requireSignificant: true, maxLatencyRegression: 10, maxInt8Drop: null });
    expect(cliModelRefs({ config: 'full.yml', ...flags }, env()).baseline).toEqual({ role: 'baseline', path: join(dir, 'a.onnx'), label: 'a.onnx', quantized: null });
    expect(config.models).toEqual([]);
    expect(config.cacheDir).toBe('/home/u/.cache/model-gate');
    expect(Object.isFrozen(config.preprocess.mean)).toBe(true);
  });

  it('reads inference.memory-budget in decimal and binary units or bytes, 512 MB by default', async () => {
    const budget = async (value: string | null) => {
      const name = `budget-${Math.random().toString(36).slice(2)}.yml`;
      await configFile(name, `eval: { source: ./folder }\nclasses: [a, b]\n${value === null ? '' : `inference: { memory-budget: ${value} }\n`}`);
      return (await loadConfig({ config: name, ...flags }, env())).inference.memoryBudget;
    };
    expect(await budget(null)).toBe(512e6);
    expect(await budget('512MB')).toBe(512e6);
    expect(await budget('2 GB')).toBe(2e9);
    expect(await budget('256MiB')).toBe(256 * 2 ** 20);
    expect(await budget('1000000')).toBe(1e6);
    expect(await budget('"64kb"')).toBe(64e3);
    const file = await configFile('budget-bad.yml', 'eval: { source: ./folder }\nclasses: [a, b]\ninference: { memory-budget: lots }\n');
    const error = await errorOf(loadConfig({ config: 'budget-bad.yml', ...flags }, env()));
    expect(error.message).toBe(`${file}: invalid config:\n  - inference.memory-budget: expected a size such as 512MB, 2GB, 1.5GiB or a number of bytes, got 'lots'`);
  });

  it('lets flags override the eval set and the provider, resolving flag paths against the working directory', async () => {
    await configFile('min.yml', 'eval: { source: ./folder }\nclasses: [a, b]\n');
    const config = await loadConfig({ config: 'min.yml', ...flags, eval: 'other.zip', evalSha256: SHA, executionProvider: 'cuda', threads: '3' }, env({ MODEL_GATE_CACHE_DIR: '/tmp/mgc' }));
    expect(config.eval.source).toBe(join(dir, 'other.zip'));
    expect(config.eval.sha256).toBe(SHA);
    expect(config.inference).toMatchObject({ executionProvider: 'cuda', threads: 3 });
    expect(config.gates).toEqual({ maxTop1Drop: 0.5, minErrorReduction: 0, requireSignificant: false, maxLatencyRegression: 25, maxInt8Drop: null });
    expect(config.quantization).toEqual({
      mode: 'none',
      perChannel: false,
      calibration: null,
      calibrationSamples: 256,
      calibrationMemory: 2 ** 30,
      calibrationBatchSize: null,
      keepFloat: null,
    });
    expect(config.cacheDir).toBe('/tmp/mgc');
  });

  it('names the file, the key and what was expected for every invalid key', async () => {
    const file = await configFile(
      'bad.yml',
      `eval: { source: x.tar.gz, sha256: abc }
classes: [a, b]
preprocess: { color: grey, size: [28], kernel: bilinear }
gatess: {}
inference: { batch-size: 0 }
`,
    );
    const error = await errorOf(loadConfig({ config: 'bad.yml', ...flags }, env()));
    expect(error.message).toContain(file);
    expect(error.message).toContain("eval.sha256: expected 64 hexadecimal characters (a sha256), got 'abc'");
    expect(error.message).toContain("preprocess.color: expected one of gray | rgb | bgr, got 'grey'");
    expect(error.message).toContain('preprocess.size: expected at least 2 items, got [28]');
    expect(error.message).toContain("preprocess.kernel: expected one of nearest | linear | cubic | lanczos3 | cv2-linear | cv2-area | cv2-nearest, got 'bilinear'");
    expect(error.message).toContain('gatess: unknown key');
    expect(error.message).toContain('inference.batch-size: expected a number >= 1, got 0');
  });

  it('requires a sha256 for archives and URLs, classes, and mean/std that fit the channels', async () => {
    await configFile('pin.yml', 'eval: { source: https://example.invalid/set.zip }\npreprocess: { color: rgb, mean: [1, 2] }\n');
    const error = await errorOf(loadConfig({ config: 'pin.yml', ...flags }, env()));
    expect(error.message).toContain('eval.sha256: required for archives and URLs');
    expect(error.message).toContain("classes: required: the class names in the model's output order");
    expect(error.message).toContain('preprocess.mean: expected 1 or 3 values for color rgb, got 2');
  });

  it('reads the models list and checks each entry is a path or a manifest key inside the repository', async () => {
    await configFile(
      'models.yml',
      `eval: { source: ./folder }
classes: [a, b]
models:
  - { name: classifier, path: models/classifier.onnx }
  - { name: detector, manifest: models/manifest.yml, key: detector }
`,
    );
    const config = await loadConfig({ config: 'models.yml' }, env());
    expect(config.models).toEqual([
      { name: 'classifier', path: 'models/classifier.onnx' },
      { name: 'detector', manifest: 'models/manifest.yml', key: 'detector' },
    ]);
    await configFile(
      'bad-models.yml',
      `eval: { source: ./folder }
classes: [a, b]
models:
  - { name: a, path: ../outside.onnx }
  - { name: a, manifest: m.yml }
  - { name: c }
`,
    );
    const error = await errorOf(loadConfig({ config: 'bad-models.yml' }, env()));
    expect(error.message).toContain("models[0].path: expected a path inside the repository, got '../outside.onnx'");
    expect(error.message).toContain("models[1].name: 'a' is used twice");
    expect(error.message).toContain('models[1]: manifest and key go together');
    expect(error.message).toContain('models[2]: expected either path, or manifest and key');
    await configFile('bad-name.yml', "eval: { source: ./folder }\nclasses: [a, b]\nmodels: [{ name: 'bad name!', path: x.onnx }]\n");
    expect((await errorOf(loadConfig({ config: 'bad-name.yml' }, env()))).message).toContain('models[0].name: expected text matching');
  });

  it('reports YAML syntax errors with the line, a missing file, and bad flags', async () => {
    await configFile('syntax.yml', 'eval:\n  source: [unclosed\n');
    expect((await errorOf(loadConfig({ config: 'syntax.yml', ...flags }, env()))).message).toMatch(/syntax\.yml:\d+:\d+: not valid YAML/);
    expect((await errorOf(loadConfig({ config: 'missing.yml', ...flags }, env()))).message).toContain('missing.yml: cannot read the config file (ENOENT)');
    await configFile('ok.yml', 'eval: { source: ./folder }\nclasses: [a, b]\n');
    expect(() => cliModelRefs({ config: 'ok.yml', baseline: 'a.onnx' }, env())).toThrow('--candidate: required');
    expect((await errorOf(loadConfig({ config: 'ok.yml', ...flags, executionProvider: 'tpu' }, env()))).message).toContain(
      "--execution-provider: expected one of auto | cpu | cuda, got 'tpu'",
    );
    expect((await errorOf(loadConfig({ config: 'ok.yml', ...flags, evalSha256: 'xyz' }, env()))).message).toContain('--eval-sha256');
  });
});

describe('changedConfigKeys', () => {
  it('lists the dotted keys a PR adds, removes or changes, arrays as one value', async () => {
    const { changedConfigKeys } = await import('../../src/config/diff.js');
    const base = 'gates: { max-top1-drop: 0.5, max-latency-regression: 25 }\nclasses: [a, b]\neval: { source: x }\n';
    const head = 'gates: { max-top1-drop: 5, max-latency-regression: 25, require-significant: true }\nclasses: [b, a]\neval: { source: x }\n';
    expect(changedConfigKeys(base, head)).toEqual(['classes', 'gates.max-top1-drop', 'gates.require-significant']);
    expect(changedConfigKeys(base, base)).toEqual([]);
    expect(changedConfigKeys(null, 'task: classification\n')).toEqual(['task']);
  });
});

describe('nightly.mention', () => {
  it('takes users and teams, with or without the @', async () => {
    await configFile('mention.yml', 'eval: { source: ./set }\nclasses: [a, b]\nnightly: { mention: [octocat, "@acme/ml-owners"] }\n');
    const config = await loadConfig({ config: 'mention.yml', ...flags }, env());
    expect(config.nightly.mention).toEqual(['@octocat', '@acme/ml-owners']);
    await configFile('mention-bad.yml', 'eval: { source: ./set }\nclasses: [a, b]\nnightly: { mention: ["not a name"] }\n');
    const error = await errorOf(loadConfig({ config: 'mention-bad.yml', ...flags }, env()));
    expect(error.message).toContain('nightly.mention[0]');
  });
});
